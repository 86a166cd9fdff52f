"""The tasks' failure callback: one Swedish alert per failed task instance, through real servers."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest

from bokslut.alerts.task_failure import build_message, error_text, failed_task, on_task_failure
from bokslut.dag_defaults import DEFAULT_ARGS
from bokslut.dag_defaults import on_task_failure as parse_time_wrapper
from bokslut.ingest.errors import InputFileError

pytestmark = pytest.mark.unit

REPORT = "/opt/airflow/out/191/202413/valideringsrapport_191_202413.html"


def fake_context(exception: object, *, try_number: int = 2, run_id: str = "manual__2025-01-16T06:00:00+00:00",
                 task_id: str = "control") -> dict:
    """What the task SDK hands ``on_failure_callback`` (the keys the callback reads)."""
    ti = SimpleNamespace(dag_id="ledger_month_end", task_id=task_id, run_id=run_id, map_index=-1,
                         try_number=try_number,
                         log_url=f"http://localhost:8080/dags/ledger_month_end/runs/{run_id}/tasks/{task_id}")
    return {"ti": ti, "task_instance": ti, "run_id": run_id, "exception": exception,
            "dag": SimpleNamespace(dag_id="ledger_month_end"), "dag_run": SimpleNamespace(run_id=run_id)}


@pytest.fixture
def warehouse(monkeypatch, sqlite_engine, settings):
    """The callback finds the warehouse (and its alert_log) the way a task does: BOKSLUT_WAREHOUSE_URL."""
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    return sqlite_engine


def test_failed_task_sends_one_swedish_mail_and_one_webhook(warehouse, alert_env):
    smtp, webhook = alert_env
    error = InputFileError(f"Kontokontrollen underkände perioden: KK01.1 differens 1 000,00 kr. Rapport: {REPORT}")

    assert on_task_failure(fake_context(error)) == ["email", "slack"]

    [mail] = smtp.mails
    assert mail.subject == "[bokslut] Uppgift misslyckades: ledger_month_end / control"
    for expected in ("ledger_month_end", "control", "manual__2025-01-16T06:00:00+00:00", "Försök",
                     "Kontokontrollen underkände perioden: KK01.1 differens 1 000,00 kr.", "Var ska man leta",
                     "http://localhost:8080/dags/ledger_month_end/runs/", f"Valideringsrapport: {REPORT}",
                     "Vid fel"):
        assert expected in mail.html, expected
    [post] = webhook.posts
    payload = json.dumps(post["json"], ensure_ascii=False)
    assert "Uppgift misslyckades: ledger_month_end / control" in payload and "KK01.1" in payload


def test_callback_running_twice_sends_once(warehouse, alert_env):
    smtp, webhook = alert_env
    context = fake_context(InputFileError("Filen avvisades: 3 rader med fel."))

    assert on_task_failure(context) == ["email", "slack"]
    assert on_task_failure(context) == []
    assert (len(smtp.mails), len(webhook.posts)) == (1, 1)
    # another failed task instance (a cleared task failing again: a new try) alerts again
    assert on_task_failure(fake_context(InputFileError("Filen avvisades: 3 rader med fel."), try_number=3)) \
        == ["email", "slack"]
    assert (len(smtp.mails), len(webhook.posts)) == (2, 2)


def test_database_down_still_alerts(monkeypatch, alert_env):
    smtp, _webhook = alert_env
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    error = __import__("sqlalchemy").exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    assert on_task_failure(fake_context(error)) == ["email", "slack"]
    assert "Oväntat fel (OperationalError)" in smtp.mails[0].html


def test_the_callback_never_raises(monkeypatch, caplog, warehouse, alert_env):
    def broken(*_args, **_kwargs):
        raise RuntimeError("trasig")

    monkeypatch.setattr("bokslut.alerts.task_failure.build_message", broken)
    with caplog.at_level(logging.ERROR):
        assert on_task_failure(fake_context(ValueError("x"))) == []
        parse_time_wrapper(fake_context(ValueError("x")))  # the DAGs' wrapper too
        parse_time_wrapper(None)  # even with no context at all
    assert "kunde inte skickas" in caplog.text


def test_no_channel_configured_sends_nothing_and_does_not_fail(monkeypatch, warehouse):
    for name in ("BOKSLUT_ALERT_EMAIL_TO", "BOKSLUT_SLACK_WEBHOOK_URL", "AIRFLOW_CONN_SLACK_ALERTS"):
        monkeypatch.delenv(name, raising=False)
    assert on_task_failure(fake_context(ValueError("Period saknas."))) == []


def test_message_texts():
    assert error_text(InputFileError("Rad 3: beloppet är inte ett tal.")) == "Rad 3: beloppet är inte ett tal."
    assert error_text(KeyError("load_id")) == "Oväntat fel (KeyError): 'load_id'"
    from airflow.sdk.exceptions import AirflowFailException

    assert error_text(AirflowFailException("1 fil(er) avvisades.")) == "1 fil(er) avvisades."
    assert error_text(None).startswith("Uppgiften avbröts utan felmeddelande")
    assert error_text("Task heartbeat timeout") == "Task heartbeat timeout"
    assert len(error_text(ValueError("x" * 5000))) == 1500

    message = build_message(failed_task({**fake_context(ValueError("<b>fel</b>")), "ti": None, "task_instance": None}))
    assert message.subject == "[bokslut] Uppgift misslyckades: ledger_month_end / okänd uppgift"
    assert "&lt;b&gt;fel&lt;/b&gt;" in message.html and "<b>fel</b>" not in message.html
    assert "Körning:" in message.text and "manual__2025-01-16T06:00:00+00:00" in message.text


def test_every_task_gets_the_callback_through_the_default_args():
    assert DEFAULT_ARGS["on_failure_callback"] is parse_time_wrapper


def test_an_unexpected_error_quoting_a_personnummer_is_masked_in_the_alert():
    from bokslut.alerts.task_failure import error_text

    text = error_text(KeyError("rad 12: 19980101-9806 saknas; även 980101+9806"))
    assert "9806" not in text and "(personnummer dolt)" in text


def test_mapped_instance_is_named_by_its_label():
    """A mapped instance (one per förvaltning) is named as Airflow shows it, not by its number."""
    context = fake_context(InputFileError("Förvaltning 150: filen avvisades."), task_id="close_forvaltning")
    context["ti"].map_index = 1
    context["ti"].rendered_map_index = "förvaltning 150"
    message = build_message(failed_task(context))
    assert "close_forvaltning (förvaltning 150)" in message.html
    context["ti"].rendered_map_index = None
    assert "close_forvaltning (del 1)" in build_message(failed_task(context)).html
