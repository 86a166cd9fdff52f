"""The pre-publish control step of ledger_month_end (``flows.ledger.control``): a faulty period is
not published, the validation report is written and the alert mail and webhook arrive with the failing control."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from bokslut.flows import ledger
from bokslut.controls.runner import run_controls
from bokslut.ingest.write_audit_publish import LoadStatus
from tests.alerts.conftest import alert_env, smtp_server, webhook_server  # noqa: F401 - fixtures
from tests.controls.test_fault_injection import FAULTS, staged_with

pytestmark = pytest.mark.integration


@pytest.fixture
def month_end_env(loaded_2024, tmp_path, monkeypatch):
    _engine, settings = loaded_2024
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    return loaded_2024


def staged_item(loaded, tmp_path, fault: str) -> dict:
    engine, _settings = loaded
    period, rows, _expected = FAULTS[fault]
    load_id = staged_with(loaded, tmp_path, period, rows)
    from bokslut.ingest.write_audit_publish import _result

    with engine.connect() as connection:
        return {**asdict(_result(connection, load_id)), "path": str(tmp_path / "x.csv")}


def test_blocking_failure_rejects_reports_and_alerts(month_end_env, tmp_path, alert_env):  # noqa: F811
    smtp, webhook = alert_env
    item = staged_item(month_end_env, tmp_path, "a posting on 4901")
    [result] = ledger.control([item])["files"]

    assert result["status"] == LoadStatus.REJECTED
    message = result["message"]
    for text in ("KK01.1", "period 202413", "förväntat 0,00 kr", "faktiskt 1\u00a0000,00 kr", "differens 1\u00a0000,00 kr"):
        assert text in message
    # its own name: the published data's report (same period) must not overwrite what the alert links to
    report = tmp_path / "out" / "191" / "202413" / "valideringsrapport_191_202413_avvisad.html"
    assert report.exists() and "KK01.1" in report.read_text(encoding="utf-8")

    failure_mails = [m for m in smtp.mails if "underkänd" in m.subject.lower()]
    assert len(failure_mails) == 1
    body = failure_mails[0].html
    assert "KK01.1" in body and "4901" in body and str(report) in body
    assert any("KK01.1" in str(post["json"]) for post in webhook.posts)
    # the published year is untouched
    assert not run_controls(month_end_env[0], "191", 202413).blocking_failures


def test_retried_control_step_sends_no_second_alert(month_end_env, tmp_path, alert_env):  # noqa: F811
    smtp, webhook = alert_env
    ledger.control([staged_item(month_end_env, tmp_path, "a non-zero 1710 at T2")])
    sent = (len(smtp.mails), len(webhook.posts))
    assert sent[0] >= 1
    (tmp_path / "retry").mkdir()
    ledger.control([staged_item(month_end_env, tmp_path / "retry", "a non-zero 1710 at T2")])
    assert (len(smtp.mails), len(webhook.posts)) == sent
