"""Issue 9, items 1-3 on a copy of the published 2024 year: control lines from the year's data,
severity as the city's sheet means it (informational lines never block; hard lines do) and
"ej kontrollerbar" for a line whose input was not delivered, in every output."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.cli import EXIT_OK, main
from bokslut.controls.runner import run_controls
from bokslut.ingest.write_audit_publish import LoadStatus, reject_load
from bokslut.settings import Settings
from tests.controls.test_fault_injection import posting, staged_with

pytestmark = pytest.mark.integration

MISSING_TREASURY = "ej kontrollerbar – saknar indata: stadskassans extrakt för 191 2024 (externa in- och utbetalningar)"


@pytest.fixture(scope="module")
def own_2024(loaded_2024, tmp_path_factory):
    """(engine, settings, url) of a private copy of the published 2024 warehouse: these tests publish."""
    engine, settings = loaded_2024
    tmp = tmp_path_factory.mktemp("own_2024")
    shutil.copy(engine.url.database, tmp / "w.sqlite")
    url = f"sqlite:///{tmp / 'w.sqlite'}"
    # the originals are read from the shared archive; what these tests load is archived in their own
    own = Settings(tmp, url, tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    copy = sa.create_engine(url)
    yield copy, own, settings
    copy.dispose()


def _by_id(run):
    return {r.control_id: r for r in run.results}


def _ids(run, group: str) -> list[str]:
    return [r.control_id for r in run.results if r.group == group]


def _file(settings, tmp_path: Path, period: str, extra: list[list[str]]) -> Path:
    original = next((settings.archive_dir / "ledger").glob(f"*_huvudbok_191_{period}.csv"))
    path = tmp_path / f"huvudbok_191_{period}_rattad.csv"
    with original.open(encoding="utf-8", newline="") as src, path.open("w", encoding="utf-8", newline="") as dst:
        dst.write(src.read())
        csv.writer(dst, delimiter=";", lineterminator="\n").writerows(extra)
    return path


def named(row: list[str], name: str) -> list[str]:
    return [*row[:3], name, *row[4:]]


# ------------------------------------------------------------------------------- 1. lines from data


def test_an_account_the_2024_sheet_does_not_list_gets_its_line_keyed_by_account(own_2024, tmp_path):
    engine, _own, shared = own_2024
    before = run_controls(engine, "191", 202413)
    assert _ids(before, "KK05") == [f"KK05.{n}" for n in range(1, 23)]  # 2024: exactly the sheet's lines
    load_id = staged_with((engine, shared), tmp_path, "202413", [
        posting("202413", "9045", "250,00"), posting("202413", "9046", "-250,00"),  # 904x: information
        posting("202413", "9132", "100,00"), posting("202413", "9181", "-100,00"),  # 91xx: must be 0
        posting("202413", "1791", "40,00", motpart="9100"), posting("202413", "2991", "-40,00", motpart="9100"),
    ])
    try:
        run = run_controls(engine, "191", 202413, [load_id])
    finally:
        reject_load(engine, load_id, "testfel")
    lines = _by_id(run)
    ids = _ids(run, "KK05")
    # the data's accounts sit in account order within their range, before the range's sum; the sheet keeps its ids
    assert ids[ids.index("KK05.4") - 1:ids.index("KK05.4") + 1] == ["KK05:9045", "KK05.4"]
    assert ids[ids.index("KK05.10"):ids.index("KK05.14") + 1] == [
        "KK05.10", "KK05:9132", "KK05.11", "KK05.12", "KK05.13", "KK05.14"]
    assert [i for i in ids if i.startswith("KK05.")] == [f"KK05.{n}" for n in range(1, 23)]
    assert (lines["KK05:9045"].status, lines["KK05:9045"].value_ore, lines["KK05:9045"].severity) == ("info", 25000, "info")
    assert lines["KK05:9045"].accounts == "9045" and "9045" in lines["KK05:9045"].name
    assert {r.control_id: r.difference_ore for r in run.blocking_failures} == {
        "KK05:9132": 10000, "KK05.13": -10000, "KK02:1791": 4000, "KK02.2": -4000}
    assert lines["KK05:9132"].where_to_look == "Konto 9132."
    assert {p.konto for p in lines["KK05:9132"].offending} == {"9132"}
    assert _ids(run, "KK02")[:4] == ["KK02.1", "KK02:1791", "KK02.2", "KK02.3"]
    # and the published data is as before: no extra lines
    assert _ids(run_controls(engine, "191", 202413), "KK05") == [f"KK05.{n}" for n in range(1, 23)]


# ------------------------------------------------------------------------------------ 2. severity


def test_an_informational_line_that_differs_publishes_with_the_difference_shown(own_2024, tmp_path, monkeypatch, capsys):
    """9052 ≠ −5611 (KK05.6, "informational" on the city's sheet) through the gated load: published."""
    from bokslut.flows.ledger import build_outputs, load_paths

    engine, own, shared = own_2024
    path = _file(shared, tmp_path, "202413", [posting("202413", "9052", "100,00"), posting("202413", "9055", "-100,00")])
    batch = load_paths([path], "ledger", engine=engine, settings=own)

    [item] = batch["files"]
    assert item["status"] == LoadStatus.PUBLISHED, item["message"]
    [record] = batch["control_runs"]
    assert not record["blocking"]
    kk056 = next(r for r in record["run"]["results"] if r["control_id"] == "KK05.6")
    assert (kk056["status"], kk056["severity"], kk056["difference_ore"]) == ("info", "info", 10000)
    assert kk056["value_ore"] - kk056["expected_ore"] == 10000

    # the sheet, the validation report and the command line show it as information
    written = build_outputs([("191", 202413)], batch, engine=engine, settings=own)
    tsv = next(Path(p) for p in written if p.endswith("kontokontroller_191_202413.tsv"))
    row = next(r for r in csv.DictReader(tsv.open(encoding="utf-8"), delimiter="\t") if r["control_id"] == "KK05.6")
    assert (row["difference"], row["status"]) == ("100.00", "info")
    assert float(row["value_shown"]) - float(row["expected"]) == pytest.approx(100.00)
    html = Path(next(p for p in written if p.endswith(".html"))).read_text(encoding="utf-8")
    assert "Information: differensen stoppar inte publiceringen." in html
    _cli_env(monkeypatch, own)
    assert main(["controls", "--forvaltning", "191", "--period", "202413", "-o", str(tmp_path / "kk.tsv")]) == EXIT_OK
    assert "KK05.6 info: Kontroll konto 90xx-98xx / 9052 PO – differens 100,00 kr (information" in capsys.readouterr().err


def test_a_hard_line_still_blocks_and_the_information_line_does_not(own_2024, tmp_path):
    from bokslut.flows.ledger import load_paths

    engine, own, shared = own_2024
    path = _file(shared, tmp_path, "202413", [
        posting("202413", "9052", "100,00"), posting("202413", "9055", "-100,00"),  # information
        posting("202413", "9131", "70,00"), posting("202413", "9181", "-70,00"),  # 9131 must be 0
    ])
    batch = load_paths([path], "ledger", engine=engine, settings=own)
    [item] = batch["files"]
    assert item["status"] == LoadStatus.REJECTED
    assert "KK05.10" in item["message"] and "KK05.6" not in item["message"]
    [record] = batch["control_runs"]
    failing = {r["control_id"] for r in record["run"]["results"] if r["status"] == "fel"}
    assert failing == {"KK05.10", "KK05.13"}


# --------------------------------------------------------------------------- 3. ej kontrollerbar


def _cli_env(monkeypatch, settings) -> None:
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(settings.archive_dir))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(settings.landing_dir))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(settings.outbox_dir))


@pytest.fixture
def without_treasury(own_2024):
    """The warehouse as if stadskassan had never been delivered (the published pointers removed)."""
    engine, own, shared = own_2024
    with engine.begin() as connection:
        removed = connection.execute(sa.text(
            "SELECT source, forvaltning, partition, load_id, published_at FROM publication "
            "WHERE source = 'stadskassan'")).mappings().all()
        connection.execute(sa.text("DELETE FROM publication WHERE source = 'stadskassan'"))
    yield engine, own, [r["load_id"] for r in removed]
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO publication (source, forvaltning, partition, load_id, published_at) "
            "VALUES (:source, :forvaltning, :partition, :load_id, :published_at)"), [dict(r) for r in removed])


def test_without_the_stadskassan_extract_kk09_4_to_6_are_not_checkable_and_do_not_block(without_treasury):
    engine, _own, treasury_loads = without_treasury
    run = run_controls(engine, "191", 202413)
    lines = _by_id(run)
    assert [r.control_id for r in run.not_checkable] == ["KK09.4", "KK09.5", "KK09.6"]
    for control_id in ("KK09.4", "KK09.5", "KK09.6"):
        assert lines[control_id].status == "ej kontrollerbar"
        assert lines[control_id].status_text == MISSING_TREASURY
    assert run.blocking_failures == []
    assert run.status == "varning"  # a warning-level notice, never a pass
    assert {r.control_id for r in run.warnings} == {"KK09.4", "KK09.5", "KK09.6", "KK12.3"}
    assert lines["KK09.5"].value_ore == -248392922  # what can be computed is still shown
    with engine.connect() as connection:
        stored = dict(connection.execute(sa.text(
            "SELECT control_id, status FROM control_result WHERE run_id = :r AND control_id LIKE 'KK09%'"),
            {"r": run.run_id}).all())
    assert stored["KK09.4"] == "ej kontrollerbar" and stored["KK09.1"] == "ok"

    # an extract staged in the same run (the batch of a gated load) is an input like a published one
    staged = run_controls(engine, "191", 202413, treasury_loads)
    assert not staged.not_checkable and _by_id(staged)["KK09.6"].status == "ok"


def test_not_checkable_is_said_in_tsv_xlsx_html_and_on_stderr(without_treasury, tmp_path, monkeypatch, capsys):
    from openpyxl import load_workbook

    from bokslut.reports.xlsx import FIRST_DATA_ROW

    _engine, own, _loads = without_treasury
    _cli_env(monkeypatch, own)
    args = ["controls", "--forvaltning", "191", "--period", "202413"]

    assert main([*args, "--format", "tsv", "-o", str(tmp_path / "kk.tsv")]) == EXIT_OK
    err = capsys.readouterr().err
    assert f"KK09.4 {MISSING_TREASURY}: Årets förändring av anläggnings- och rörelsekapital" in err
    assert "None" not in err and "okänd" not in err
    text = (tmp_path / "kk.tsv").read_text(encoding="utf-8")
    assert "None" not in text
    rows = {r["control_id"]: r for r in csv.DictReader(io.StringIO(text), delimiter="\t")}
    assert list(next(iter(rows.values())))[:6] == ["control_id", "swedish_name", "rule", "accounts", "value_shown", "expected"]
    assert [rows["KK09.4"][k] for k in ("value_shown", "difference", "status")] == [
        "ej kontrollerbar", "ej kontrollerbar", MISSING_TREASURY]
    assert rows["KK09.5"]["value_shown"] == "-2483929.22" and rows["KK09.5"]["expected"] == "ej kontrollerbar"
    assert all(rows[f"KK09.{n}"]["difference"] for n in range(1, 10))  # never an empty difference
    assert rows["KK09.1"]["status"] == "ok"

    assert main([*args, "--format", "xlsx", "-o", str(tmp_path / "kk.xlsx")]) == EXIT_OK
    ws = load_workbook(tmp_path / "kk.xlsx").active
    headings = [c.value for c in ws[FIRST_DATA_ROW - 1]]
    row = next(r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0] == "KK09.4")
    assert row[headings.index("Differens")] == "ej kontrollerbar"
    assert row[headings.index("Status")] == MISSING_TREASURY
    assert row[headings.index("Värde")] == "ej kontrollerbar"

    assert main([*args, "--format", "html", "-o", str(tmp_path / "kk.html")]) == EXIT_OK
    html = (tmp_path / "kk.html").read_text(encoding="utf-8")
    assert "None" not in html
    assert html.count(MISSING_TREASURY) >= 6  # deviations table and the group table, three lines each
    assert "varav 3 ej kontrollerbara (indata saknas)" in html
    assert "Godkänd:</strong> alla kontroller stämmer" not in html


def test_the_warning_digest_names_the_missing_input(without_treasury):
    from bokslut.alerts.message import warning_digest

    engine, _own, _loads = without_treasury
    message = warning_digest(run_controls(engine, "191", 202413), "rapport.html")
    assert "KK09.4" in message.control_ids
    assert "Status:" in message.text and MISSING_TREASURY in message.text
    assert "varav 3 ej kontrollerbara (indata saknas)" in message.text
    assert "None" not in message.text and MISSING_TREASURY in message.html
    assert "Differens: ej kontrollerbar" in "\n".join(
        b["text"]["text"] for b in message.slack_blocks if b["type"] == "section")


def test_without_the_prior_year_kk11_is_not_checkable(own_2024):
    engine, _own, _shared = own_2024
    run = run_controls(engine, "191", 202313)  # 2022 was never delivered
    kk11 = [r for r in run.results if r.group == "KK11"]
    ib_202 = next(r for r in kk11 if r.control_id == "KK11.8")
    assert ib_202.status == "ok" and ib_202.difference_ore == 0  # IB 202 = 0 needs no prior year
    others = [r for r in kk11 if r.control_id != "KK11.8"]
    assert others and all(r.status == "ej kontrollerbar" for r in others)
    assert others[0].missing_input == "huvudboken för 191 2022 (föregående års utgående balans)"
    assert {r.control_id for r in kk11} <= {f"KK11.{n}" for n in range(1, 16)}
    assert not run.blocking_failures


def test_ib_202_not_closed_blocks_without_the_prior_year(own_2024):
    """The prior year's result left on 202 in this year's IB: KK11.8 blocks whether or not the
    prior year's ledger was delivered (it needs only this year's IB)."""
    engine, _own, _shared = own_2024
    with engine.begin() as connection:
        load_id = connection.execute(sa.text(
            "SELECT load_id FROM publication WHERE source = 'ledger' AND forvaltning = '191' AND partition = '202300'"
        )).scalar()
        rowid, konto = connection.execute(sa.text(
            "SELECT rowid, konto FROM posting WHERE load_id = :l AND period = 202300 AND konto LIKE '201%' "
            "AND amount_ore <> 0 ORDER BY rowid LIMIT 1"), {"l": load_id}).one()
        connection.execute(sa.text("UPDATE posting SET konto = '2021' WHERE rowid = :r"), {"r": rowid})
    try:
        run = run_controls(engine, "191", 202313)
        ib_202 = next(r for r in run.results if r.control_id == "KK11.8")
        assert ib_202.status == "fel" and ib_202.difference_ore != 0
        assert ib_202 in run.blocking_failures
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE posting SET konto = :k WHERE rowid = :r"), {"k": konto, "r": rowid})
