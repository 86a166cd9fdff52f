"""A failing control lists the vouchers that explain its difference, not the largest postings.

A big voucher whose postings cancel out within the control's filter is no cause and is not
listed; a small one-sided voucher is, first. Checked on a small hand-made ledger (SQLite and
PostgreSQL) and on the generated 2024 year with a staged fault, through the runner, the HTML
validation report and the alert text.
"""

from __future__ import annotations

import json

import pytest

from bokslut.alerts.message import failure_alert
from bokslut.controls import runner
from bokslut.alerts.validation_report import render_html
from bokslut.controls.model import ControlRun
from bokslut.controls.runner import run_controls
from bokslut.controls.input_checks import run_input_checks
from bokslut.ingest.write_audit_publish import LoadStatus, audit_load, reject_load, stage_file
from tests.ingest.ledger_files import csv_text, row

BALANCED, ONE_SIDED, BLANK_PROJEKT, MANY = "100001", "100002", "100003", "100004"


def _row(konto: str, belopp: str, vernr: str, *, motpart: str = "0001", projekt: str = "0000") -> list[str]:
    values = row("202401", konto, belopp, motpart=motpart, vernr=vernr, text="Testkontering")
    values[6] = projekt
    return values


def _small_ledger() -> list[list[str]]:
    return [
        # KK02.4 (motpart 9* in the income statement, drift): a big voucher that cancels out ...
        _row("5021", "1000000,00", BALANCED, motpart="9100"),
        _row("5021", "-1000000,00", BALANCED, motpart="9100"),
        # ... a small one-sided one (the counter posting has an external motpart) ...
        _row("5021", "100,00", ONE_SIDED, motpart="9100"),
        _row("5021", "-100,00", ONE_SIDED),
        # ... and a smaller one-sided voucher with more postings than are listed
        *(_row("5021", "1,00", MANY, motpart="9100") for _ in range(25)),
        *(_row("5021", "-25,00", MANY) for _ in range(1)),
        # KK10.2 (blank projekt) sums absolute amounts: a voucher that nets to zero still offends
        _row("5021", "50,00", BLANK_PROJEKT, projekt=""),
        _row("5021", "-50,00", BLANK_PROJEKT, projekt=""),
    ]


@pytest.fixture
def small_run(engine, settings, tmp_path):
    path = tmp_path / "huvudbok_191_202401.csv"
    path.write_text(csv_text(_small_ledger()), encoding="utf-8")
    result = audit_load(engine, stage_file(engine, path, "ledger", settings=settings).load_id,
                        input_checks=run_input_checks)
    assert result.status == LoadStatus.STAGED, result.message
    return engine, result.load_id


def _line(run: ControlRun, control_id: str):
    return next(r for r in run.results if r.control_id == control_id)


@pytest.mark.unit
def test_vouchers_that_explain_the_difference_come_first(small_run):
    engine, load_id = small_run
    run = run_controls(engine, "191", 202401, [load_id])

    kk024 = _line(run, "KK02.4")
    assert kk024.status == "fel" and kk024.difference_ore == 10_000 + 2_500
    assert kk024.offending_ranking == "net"
    assert [v.vernr for v in kk024.offending_vouchers] == [ONE_SIDED, MANY]  # largest contribution first
    assert kk024.offending_voucher_count == 2 and kk024.more_vouchers == 0
    one_sided, many = kk024.offending_vouchers
    assert (one_sided.period, one_sided.vertyp, one_sided.net_ore, one_sided.posting_count) == (202401, "LI", 10_000, 1)
    assert [p.amount_ore for p in one_sided.postings] == [10_000]  # only the postings matching the filter
    assert many.net_ore == 2_500 and many.posting_count == 25 and len(many.postings) == 20 and many.more_postings == 5
    assert BALANCED not in {p.vernr for p in kk024.offending}

    kk102 = _line(run, "KK10.2")  # absolute amounts: the voucher that nets to zero is the cause
    assert kk102.status == "fel" and kk102.difference_ore == 10_000
    assert kk102.offending_ranking == "abs"
    assert [(v.vernr, v.net_ore, v.contribution_ore) for v in kk102.offending_vouchers] == [(BLANK_PROJEKT, 0, 10_000)]

    text = failure_alert(run, "rapport.html").text
    kk024_text = text[text.index("KK02.4 –"):text.index("KK02.5") if "KK02.5 –" in text else None]
    assert kk024_text.index(f"Verifikation LI {ONE_SIDED}") < kk024_text.index(f"Verifikation LI {MANY}")
    assert BALANCED not in kk024_text
    assert "… och ytterligare 5 konteringar i verifikationen." in kk024_text
    reject_load(engine, load_id, "testfel")


@pytest.mark.unit
def test_voucher_limit_is_counted(small_run, monkeypatch):
    engine, load_id = small_run
    monkeypatch.setattr(runner, "OFFENDING_VOUCHERS", 1)
    kk024 = _line(run_controls(engine, "191", 202401, [load_id]), "KK02.4")
    assert [v.vernr for v in kk024.offending_vouchers] == [ONE_SIDED]
    assert kk024.offending_voucher_count == 2 and kk024.more_vouchers == 1
    text = failure_alert(ControlRun(1, "191", 202401, [kk024])).text
    assert "… och ytterligare 1 verifikation med mindre bidrag (visas inte)." in text
    reject_load(engine, load_id, "testfel")


@pytest.mark.unit
def test_control_run_round_trips_through_json(small_run):
    engine, load_id = small_run
    run = run_controls(engine, "191", 202401, [load_id])
    run.report_path = "/out/191/202401/valideringsrapport_191_202401.html"
    data = run.to_dict()

    def plain(value):  # noqa: ANN001, ANN202
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, (str, int)) and not isinstance(value, bool)

    assert plain(data)
    again = ControlRun.from_dict(json.loads(json.dumps(data)))
    assert again == run
    assert again.to_dict() == data
    assert any(r.offending_vouchers for r in again.results)
    reject_load(engine, load_id, "testfel")


@pytest.mark.integration
def test_one_sided_voucher_first_on_the_2024_year(loaded_2024, tmp_path):
    """The fault of docs/alerts.md: a big balanced voucher and a small one-sided one on 4901."""
    from tests.controls.test_fault_injection import posting, staged_with

    def with_vernr(values: list[str], vernr: str) -> list[str]:
        values[10] = vernr
        return values

    engine, _settings = loaded_2024
    rows = [with_vernr(posting("202413", "4901", "1250000,00"), BALANCED),
            with_vernr(posting("202413", "4901", "-1250000,00"), BALANCED),
            with_vernr(posting("202413", "4901", "1000,00"), ONE_SIDED),
            with_vernr(posting("202413", "4631", "-1000,00"), ONE_SIDED)]
    load_id = staged_with(loaded_2024, tmp_path, "202413", rows)
    try:
        run = run_controls(engine, "191", 202413, [load_id])
    finally:
        reject_load(engine, load_id, "testfel")
    kk011 = _line(run, "KK01.1")
    assert kk011.status == "fel" and kk011.difference_ore == 100_000
    assert [v.vernr for v in kk011.offending_vouchers] == [ONE_SIDED]
    assert [(p.konto, p.amount_ore) for p in kk011.offending] == [("4901", 100_000)]

    message = failure_alert(run, "/opt/airflow/out/191/202413/valideringsrapport_191_202413.html")
    for body in (message.text, message.html, json.dumps(message.slack_payload(), ensure_ascii=False)):
        assert f"MA {ONE_SIDED}" in body and BALANCED not in body
    report = render_html(run)
    assert ONE_SIDED in report and BALANCED not in report
    print("\n" + message.text)  # docs/alerts.md shows this body
