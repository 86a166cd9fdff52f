"""Explanations of Kontokontroller (issue 11): each line recomputed from the raw rows agrees with the
control; a failing line lists the vouchers that make its difference; the HTML validation report links
every failing or warning line to its explanation; ``bokslut explain --control`` runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from bokslut.alerts.validation_report import anchor, render_html, write_html
from bokslut.controls.runner import run_controls
from bokslut.ingest.write_audit_publish import LoadStatus, reject_load
from bokslut.lineage.controls import (
    explain_control,
    explain_kontokontroller_cell,
    explain_run,
    kontokontroller_sources,
    recompute_run,
)
from bokslut.lineage.model import Explanation
from bokslut.warehouse.schema import load_audit
from tests.alerts.conftest import alert_env, smtp_server, webhook_server  # noqa: F401 - fixtures
from tests.controls.test_fault_injection import posting, staged_with
from tests.controls.test_offending_vouchers import BLANK_PROJEKT, MANY, ONE_SIDED, small_run  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run_2024(loaded_2024):
    engine, _settings = loaded_2024
    return run_controls(engine, "191", 202413)


def test_every_line_recomputes_equal_from_the_raw_postings(loaded_2024, run_2024):
    engine, _settings = loaded_2024
    again = recompute_run(engine, run_2024)
    numeric = [r for r in run_2024.results if r.value_ore is not None]
    assert len(numeric) > 60  # KK01-KK12 on the generated year (KK11 needs the prior year)
    wrong = {r.control_id: ((r.value_ore, r.expected_ore, r.difference_ore),
                            (again[r.control_id]["value"], again[r.control_id]["expected"], again[r.control_id]["difference"]))
             for r in run_2024.results
             if (r.value_ore, r.expected_ore, r.difference_ore) != (again[r.control_id]["value"], again[r.control_id]["expected"],
                                                                    again[r.control_id]["difference"])}
    assert wrong == {}


def test_unknown_control_is_a_swedish_error_listing_the_valid_ids(loaded_2024):
    engine, _settings = loaded_2024
    with pytest.raises(ValueError, match=r"Okänd kontroll 'KK99.1'.*Giltiga kontroller: KK01.1, .*KK05.6"):
        explain_control(engine, "191", 202413, "KK99.1")


def test_explain_control_names_its_rule_sql_and_files(loaded_2024, run_2024):
    engine, _settings = loaded_2024
    e = explain_control(engine, "191", 202413, "kk05.6", postings=5)
    line = next(r for r in run_2024.results if r.control_id == "KK05.6")
    assert e.value == line.value_ore and e.recomputed == e.value and e.agrees is True
    assert "include/sql/controls/kk05_konto_90_98.sql" in e.source and "konto 9052" in e.source and "5611" in e.source
    assert e.details["förväntat"].endswith("– stämmer)") and e.details["differens"].endswith("– stämmer)")
    assert 0 < len(e.contributions) <= 5 and all(c.konto == "9052" and c.load and len(c.load.sha256) == 64
                                                 for c in e.contributions)
    assert e.contributions_total_ore == e.value and e.loads
    amounts = [abs(c.amount_ore) for c in e.contributions]
    assert amounts == sorted(amounts, reverse=True)


FAULT = [posting("202413", "4901", "1000,00"), posting("202413", "4631", "-1000,00")]  # KK01.1 and KK01.4 fail


@pytest.fixture
def failing_run(loaded_2024, tmp_path):
    """A run on the 2024 year with a staged correction of period 13 that puts 1 000 kr on 4901."""
    engine, _settings = loaded_2024
    load_id = staged_with(loaded_2024, tmp_path, "202413", FAULT)
    try:
        yield run_controls(engine, "191", 202413, [load_id]), load_id
    finally:
        reject_load(engine, load_id, "testfel")


def test_a_failing_line_lists_the_vouchers_of_its_difference(loaded_2024, failing_run):
    engine, _settings = loaded_2024
    run, load_id = failing_run
    assert {r.control_id for r in run.blocking_failures} == {"KK01.1", "KK01.4"}
    explained = explain_run(engine, run, staged_load_ids=[load_id], postings=50)
    assert set(explained) == {r.control_id for r in run.results if r.failed}
    e = explained["KK01.1"]
    # recomputed on the data the run checked (the staged load in place of period 13), not the published data
    assert e.value == 100000 and e.recomputed == 100000 and e.agrees is True
    assert e.contributions_total_ore == 100000 and e.contributions_count == len(e.contributions) == 1
    (voucher,) = e.contributions
    assert (voucher.amount_ore, voucher.period, voucher.konto, voucher.verifikation) == (100000, 202413, "4901", "MA 999001")
    assert voucher.load.load_id == load_id and voucher.load.file_name.endswith("huvudbok_191_202413_rattad.csv")
    assert len(voucher.load.sha256) == 64
    for control_id, e in explained.items():  # the listed vouchers add up to the difference
        result = next(r for r in run.results if r.control_id == control_id)
        assert e.agrees is True, control_id
        if result.offending_ranking == "net" and e.contributions_count == len(e.contributions):
            assert sum(c.amount_ore for c in e.contributions) == abs(result.difference_ore) * (1 if e.contributions_total_ore > 0 else -1)


def test_html_links_failing_and_warning_lines_to_their_explanations(loaded_2024, failing_run, tmp_path):
    engine, _settings = loaded_2024
    run, load_id = failing_run
    html = write_html(run, tmp_path / "rapport.html", engine=engine, staged_load_ids=[load_id]).read_text(encoding="utf-8")
    attention = [r for r in run.results if r.failed]
    assert {"KK01.1", "KK01.4", "KK12.3"} <= {r.control_id for r in attention}  # KK12.3: the generated year's warning
    for result in attention:
        target = anchor(result.control_id)
        assert f'href="#{target}"' in html and f'id="{target}"' in html
        assert f"bokslut explain --forvaltning 191 --year 2024 --point VB --control {result.control_id}" in html
    assert html.count('id="forklaring-') == len(attention)  # only failing and warning lines are explained
    assert "stämmer inte" not in html.split("<h2>Förklaringar</h2>")[1].split("<h2>Alla kontroller</h2>")[0]
    assert "MA 999001" in html and "Testkontering" not in html  # vouchers, never posting texts
    without = write_html(run, tmp_path / "utan.html").read_text(encoding="utf-8")
    assert "forklaring-" not in without  # no warehouse given: the report as before


def test_explanations_in_html_are_escaped(run_2024):
    result = next(r for r in run_2024.results if r.control_id == "KK12.3")
    e = Explanation("<script>alert(1)</script>", 1, "öre", "=HYPERLINK(\"x\")<b>", {"fil": "<img src=x>"}, 1)
    html = render_html(run_2024, {result.control_id: e})
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src=x>" not in html


def test_kontokontroller_sheet_cells_have_sources_and_explanations(loaded_2024, run_2024):
    from openpyxl import Workbook

    from bokslut.controls.sheet import kontokontroller_report
    from bokslut.reports.xlsx import add_report_sheet

    engine, _settings = loaded_2024
    report = kontokontroller_report(run_2024)
    ws = add_report_sheet(Workbook(), report)
    sources = kontokontroller_sources("Kontokontroller", report, run_2024)
    numeric = {c.coordinate for row in ws.iter_rows() for c in row
               if isinstance(c.value, int | float | Decimal) and not isinstance(c.value, bool) and c.row > 6}
    assert numeric and {s.cell for s in sources} == numeric
    for s in sources:
        assert float(ws[s.cell].value) == pytest.approx(s.value) and "Kontokontroll KK" in s.source
        assert "include/sql/controls/" in s.source
    cell = next(s for s in sources if s.label.startswith("KK05.6 ") and s.label.endswith("Förväntat"))
    e = explain_kontokontroller_cell(engine, run_2024, report, cell.cell, postings=3)
    assert e.value / 100 == pytest.approx(cell.value) and e.agrees is True
    assert all(c.konto == "5611" for c in e.contributions)
    with pytest.raises(ValueError, match="har inget belopp"):
        explain_kontokontroller_cell(engine, run_2024, report, "B7")


def test_cli_explain_control_exits_0(loaded_2024, monkeypatch, capsys, tmp_path):
    from bokslut.cli import EXIT_OK, main

    _engine, settings = loaded_2024
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    assert main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--control", "KK05.6",
                 "--postings", "3"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Kontokontroll KK05.6") and "stämmer" in out and "kk05_konto_90_98.sql" in out
    assert main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--control", "KK99.9"]) != EXIT_OK
    assert "Okänd kontroll" in capsys.readouterr().err
    # 'bokslut controls --format html': the same explanations (KK12.3 is the generated year's warning)
    assert main(["controls", "--forvaltning", "191", "--period", "202413", "--format", "html",
                 "-o", str(tmp_path / "kk.html")]) == EXIT_OK
    html = (tmp_path / "kk.html").read_text(encoding="utf-8")
    assert 'href="#forklaring-kk12-3"' in html and 'id="forklaring-kk12-3"' in html
    assert "bokslut explain --forvaltning 191 --year 2024 --point VB --control KK12.3" in html


def test_a_staged_ledger_is_explained_on_sqlite_and_postgresql(small_run, tmp_path):  # noqa: F811 - the hand-made ledger of test_offending_vouchers, staged
    """The drill-down's temporary table and the recipes' queries on both databases, on staged data."""
    engine, load_id = small_run
    run = run_controls(engine, "191", 202401, [load_id])
    again = recompute_run(engine, run, staged_load_ids=[load_id])
    assert {r.control_id: (r.value_ore, r.expected_ore, r.difference_ore) for r in run.results} == {
        i: (f["value"], f["expected"], f["difference"]) for i, f in again.items()}
    explained = explain_run(engine, run, staged_load_ids=[load_id], postings=5)
    kk02 = explained["KK02.4"]
    assert kk02.value == 12500 and kk02.agrees is True and kk02.contributions_total_ore == 12500
    assert [(c.verifikation, c.amount_ore) for c in kk02.contributions] == [(f"LI {ONE_SIDED}", 10000), (f"LI {MANY}", 2500)]
    assert all(c.load.load_id == load_id and c.load.file_name == "huvudbok_191_202401.csv" for c in kk02.contributions)
    kk10 = explained["KK10.2"]  # absolute amounts: the voucher that nets to zero offends
    assert [(c.verifikation, c.amount_ore) for c in kk10.contributions] == [(f"LI {BLANK_PROJEKT}", 10000)]
    html = write_html(run, tmp_path / "r.html", engine=engine, staged_load_ids=[load_id]).read_text(encoding="utf-8")
    assert 'href="#forklaring-kk02-4"' in html and "--period 202401 --control KK02.4" in html


@pytest.fixture
def alert_log_restored(loaded_2024):
    """The send-once records this test leaves would silence the same alert in tests/controls
    (test_control_staged_alerts shares the warehouse): removed afterwards."""
    from bokslut.warehouse.schema import alert_log

    engine, _settings = loaded_2024
    with engine.connect() as connection:
        before = set(connection.execute(sa.select(alert_log.c.alert_key, alert_log.c.channel)).all())
    yield
    with engine.begin() as connection:
        for key, channel in set(connection.execute(sa.select(alert_log.c.alert_key, alert_log.c.channel)).all()) - before:
            connection.execute(sa.delete(alert_log).where(alert_log.c.alert_key == key, alert_log.c.channel == channel))


def test_the_pre_publish_report_explains_the_staged_load_it_rejects(loaded_2024, tmp_path, monkeypatch, alert_env,  # noqa: F811
                                                                      alert_log_restored):
    """ledger.control writes the rejected candidate's report with explanations of the staged data."""
    from bokslut.flows import ledger
    from tests.controls.test_control_staged_alerts import staged_item

    engine, settings = loaded_2024
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    item = staged_item(loaded_2024, tmp_path, "a posting on 4901")
    with engine.connect() as connection:
        sha = connection.execute(sa.select(load_audit.c.sha256).where(load_audit.c.load_id == item["load_id"])).scalar()
    [result] = ledger.control([item])["files"]
    assert result["status"] == LoadStatus.REJECTED
    html = (tmp_path / "out" / "191" / "202413" / "valideringsrapport_191_202413_avvisad.html").read_text(encoding="utf-8")
    section = html.split('id="forklaring-kk01-1"')[1].split("</section>")[0]
    assert "1\u00a0000,00 kr – <span class=\"status ok\">stämmer</span>" in section and sha in section
    assert "MA 999001" in section
    assert "stämmer inte" not in html.split("<h2>Förklaringar</h2>")[1].split("<h2>Alla kontroller</h2>")[0]


def test_report_is_written_with_a_swedish_note_when_explanations_fail(run_2024, tmp_path, monkeypatch):
    import bokslut.lineage.controls as lineage_controls

    def broken(*_args, **_kwargs):
        raise RuntimeError("testfel")

    monkeypatch.setattr(lineage_controls, "explain_run", broken)
    html = write_html(run_2024, tmp_path / "r.html", engine=object()).read_text(encoding="utf-8")
    assert "Förklaringarna kunde inte tas fram (RuntimeError)" in html and "KK12.3" in html
    assert 'id="forklaring-' not in html
