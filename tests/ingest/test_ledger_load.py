"""Ledger ingestion: formats accepted, bad input quarantined or rejected, published data safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.ingest import write_audit_publish as wap_module
from bokslut.ingest.write_audit_publish import LoadStatus
from tests.loading import load_file
from bokslut.settings import MAPPINGS_DIR
from bokslut.warehouse.schema import account, load_audit, posting, publication, quarantine
from tests.ingest.ledger_files import HEADER, csv_text, publish_january, row, write

pytestmark = pytest.mark.unit


def published_total(engine, period: int | None = None) -> dict[int, int]:
    sql = sa.text(
        "SELECT p.period, SUM(p.amount_ore) FROM posting p JOIN publication u ON u.load_id = p.load_id "
        "AND u.partition = CAST(p.period AS VARCHAR(6)) AND u.source = 'ledger' GROUP BY p.period"
    )
    with engine.connect() as c:
        return {int(k): int(v) for k, v in c.execute(sql)}


def quarantined(engine, load_id: int) -> list:
    with engine.connect() as c:
        return c.execute(sa.select(quarantine).where(quarantine.c.load_id == load_id).order_by(quarantine.c.id)).all()


@pytest.fixture
def published_january(engine, settings, tmp_path):
    """A period already published, which bad files must not touch."""
    publish_january(engine, settings, tmp_path)
    return published_total(engine)


def test_good_file_published_with_exact_amounts(engine, settings, tmp_path):
    text = csv_text([
        row(belopp="-1 234 567,89"),
        row(belopp="1\u00a0000,5", text='Faktura; "special" 12'),
        row(belopp="1\u202f000.25"),
        row(period="202400", konto="1220", belopp="7"),
    ])
    result = load_file(engine, write(tmp_path, "a.csv", text), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    assert result.rows_loaded == 4 and sorted(result.partitions) == ["191:202400", "191:202401"]
    assert published_total(engine) == {202401: -123456789 + 100050 + 100025, 202400: 700}
    with engine.connect() as c:
        texts = set(c.execute(sa.select(posting.c.text)).scalars())
    assert 'Faktura; "special" 12' in texts


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_give_identical_postings(engine, settings, tmp_path, encoding):
    text = csv_text([row(text="Återbetalning – ränta för år", kontonamn="Övriga främmande tjänster")])
    result = load_file(engine, write(tmp_path, "e.csv", text, encoding), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    with engine.connect() as c:
        assert c.execute(sa.select(posting.c.text)).scalar() == "Återbetalning – ränta för år"
        assert c.execute(sa.select(account.c.name).where(account.c.code == "5021")).scalar() == "Övriga främmande tjänster"
        assert c.execute(sa.select(load_audit.c.encoding)).scalar() == encoding


def test_xlsx_export_reads_like_csv(engine, settings, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([191, 202401, 5021, "Löner", "1100", 320, "0000", 1, "D", "LI", 7, "2024-01-25", "Lön", -1234.5])
    ws.append([191, 202401, "3511", "Bidrag", "1100", "320", "0000", "2001", "D", "KF", "8", "2024-01-25", "x", "-1 000,00"])
    path = tmp_path / "huvudbok.xlsx"
    wb.save(path)
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    with engine.connect() as c:
        rows = c.execute(sa.select(posting.c.konto, posting.c.motpart, posting.c.amount_ore).order_by(posting.c.konto)).all()
    assert [tuple(r) for r in rows] == [("3511", "2001", -100000), ("5021", "0001", -123450)]


def test_agresso_field_names_through_mapping(engine, settings, tmp_path):
    header = ["client", "period", "account", "dim_1", "dim_2", "dim_3", "dim_4", "dim_5", "dim_6", "dim_7",
              "voucher_type", "voucher_no", "voucher_date", "description", "amount"]
    rows = [["191", "202401", "5021", "1100", "320", "0000", "0001", "D", "", "", "LI", "1", "20240125", "Lön", "250,00"]]
    path = write(tmp_path, "agresso.csv", csv_text(rows, header=header))
    canonical = load_file(engine, path, "ledger", settings=settings)
    assert canonical.status == LoadStatus.REJECTED and "Obligatorisk kolumn saknas" in canonical.message
    result = load_file(engine, path, "ledger", settings=settings, mapping_path=MAPPINGS_DIR / "ledger_agresso.yaml")
    assert result.status == LoadStatus.PUBLISHED, result.message
    assert published_total(engine) == {202401: 25000}


def test_wrong_encoding_rejected(engine, settings, tmp_path, published_january):
    path = write(tmp_path, "utf16.csv", csv_text([row("202401", belopp="5")]), "utf-16")
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "teckenkodning" in result.message
    assert published_total(engine) == published_january


def test_neither_utf8_nor_cp1252_rejected(engine, settings, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(csv_text([row()]).encode() + b"\x81\x8d\xff")
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED and "varken UTF-8 eller Windows-1252" in result.message


def test_wrong_separator_rejected(engine, settings, tmp_path, published_january):
    path = write(tmp_path, "comma.csv", csv_text([row("202401", belopp="5")], sep=","))
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "fel kolumnavgränsare (kommatecken)" in result.message
    assert published_total(engine) == published_january


def test_missing_required_column_named_with_columns_found(engine, settings, tmp_path):
    header = [h for h in HEADER if h != "Belopp"]
    path = write(tmp_path, "nobelopp.csv", csv_text([row()[:-1]], header=header))
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "Obligatorisk kolumn saknas: Belopp" in result.message
    assert "Kolumner i filen: Förvaltning, Period" in result.message


def test_non_numeric_amount_quarantined_and_nothing_published(engine, settings, tmp_path, published_january):
    rows = [row("202401", belopp="10,00")] * 1500 + [row("202401", belopp="tio kronor")] + [row("202401")] * 600
    result = load_file(engine, write(tmp_path, "bad.csv", csv_text(rows)), "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "1 rad(er) med fel" in result.message
    [issue] = quarantined(engine, result.load_id)
    # header is line 1; the bad row is the 1501st data row, read in the second 1000-row chunk
    assert (issue.line_no, issue.column_name, issue.value, issue.severity) == (1502, "Belopp", "tio kronor", "fel")
    assert "inte ett belopp" in issue.reason
    assert published_total(engine) == published_january
    with engine.connect() as c:  # the staged rows of the rejected load are gone too
        assert c.execute(sa.select(sa.func.count()).where(posting.c.load_id == result.load_id)).scalar() == 0


def test_unknown_period_quarantined(engine, settings, tmp_path, published_january):
    result = load_file(engine, write(tmp_path, "p15.csv", csv_text([row("202415")])), "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    [issue] = quarantined(engine, result.load_id)
    assert issue.column_name == "Period" and "Ogiltig period 202415" in issue.reason
    assert published_total(engine) == published_january


def test_duplicate_file_is_a_no_op(engine, settings, tmp_path, published_january):
    again = write(tmp_path, "jan-copy.csv", (tmp_path / "jan.csv").read_text(encoding="utf-8"))
    result = load_file(engine, again, "ledger", settings=settings)
    assert result.status == LoadStatus.DUPLICATE and "redan inläst" in result.message
    assert published_total(engine) == published_january
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(posting)).scalar() == 2


def test_truncated_file_quarantined(engine, settings, tmp_path, published_january):
    text = csv_text([row("202401", belopp="5,00"), row("202401", belopp="6,00")])
    cut = text[: text.rindex(";LI;")]  # the export stopped in the middle of the last line
    result = load_file(engine, write(tmp_path, "cut.csv", cut), "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    [issue] = quarantined(engine, result.load_id)
    assert issue.line_no == 3 and "avklippt" in issue.reason
    assert published_total(engine) == published_january


def test_formula_text_kept_as_text_with_warning(engine, settings, tmp_path):
    formula = '=HYPERLINK("http://evil.example","klicka")'
    rows = [row(text=formula, kontonamn=formula)]
    result = load_file(engine, write(tmp_path, "f.csv", csv_text(rows)), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    warnings = quarantined(engine, result.load_id)
    assert {w.column_name for w in warnings} == {"Text", "Kontonamn"}
    assert all(w.severity == "varning" for w in warnings)
    with engine.connect() as c:
        assert c.execute(sa.select(posting.c.text)).scalar() == formula


def test_corrected_file_replaces_only_its_periods(engine, settings, tmp_path):
    first = csv_text([row("202401", belopp="100"), row("202402", belopp="200")])
    assert load_file(engine, write(tmp_path, "v1.csv", first), "ledger", settings=settings).status == LoadStatus.PUBLISHED
    corrected = csv_text([row("202402", belopp="250"), row("202402", belopp="1")])
    result = load_file(engine, write(tmp_path, "v2.csv", corrected), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED and "ersatte" in result.message
    assert published_total(engine) == {202401: 10000, 202402: 25100}
    with engine.connect() as c:  # superseded rows are gone, not just hidden
        assert c.execute(sa.select(sa.func.count()).select_from(posting)).scalar() == 3


def test_failed_publish_leaves_published_period_as_it_was(engine, settings, tmp_path, published_january, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("simulated crash during publish")

    monkeypatch.setattr(wap_module, "_apply_account_names", explode)
    corrected = write(tmp_path, "jan-v2.csv", csv_text([row("202401", belopp="1,00")]))
    with pytest.raises(RuntimeError):
        load_file(engine, corrected, "ledger", settings=settings)
    assert published_total(engine) == published_january
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(publication)).scalar() == 1


def test_original_archived_with_sha256(engine, settings, tmp_path):
    import hashlib

    path = write(tmp_path, "arkiv.csv", csv_text([row()]))
    load_file(engine, path, "ledger", settings=settings)
    with engine.connect() as c:
        audit = c.execute(sa.select(load_audit)).one()
    assert audit.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert Path(audit.archived_path).read_bytes() == path.read_bytes()


def test_input_suite_rejects_result_account_in_ib_period(engine, settings, tmp_path, published_january):
    path = write(tmp_path, "ib.csv", csv_text([row("202400", "1220", "5,00"), row("202400", "3511", "-5,00")]))
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "Indatakontrollen underkände filen" in result.message
    assert "ingående balans" in result.message and "rad 3" in result.message
    assert published_total(engine) == published_january


def test_input_suite_warning_is_reported_but_published(engine, settings, tmp_path):
    wrong_year = row("202401", "5021", "5,00")
    wrong_year[11] = "2023-12-31"
    result = load_file(engine, write(tmp_path, "datum.csv", csv_text([wrong_year])), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    assert "varning: Bokföringsdatum ska ligga i periodens år" in result.message
