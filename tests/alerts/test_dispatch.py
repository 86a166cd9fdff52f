"""End to end through real servers: SMTP (aiosmtpd) and a local Slack-like webhook.

The SMTP provider's ``SmtpHook`` and the Slack provider's ``SlackWebhookHook`` do the sending;
nothing is mocked. Dedup runs against ``alert_log`` on SQLite and on PostgreSQL (``engine``).
"""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from bokslut.alerts.dispatch import AlertDeliveryError, alert_key, send_alerts
from bokslut.alerts.message import failure_alert
from bokslut.controls.model import ControlRun
from bokslut.warehouse.schema import alert_log
from tests.alerts.conftest import free_port, smtp_connection_json
from tests.alerts.sample import RECIPIENTS, REPORT, SENDER, make_run, result

pytestmark = pytest.mark.unit

NBSP = "\u00a0"
FAILURE_SUBJECT = "[bokslut] Kontroll underkänd: 191 period 202413 – KK02.3, KK10.1"
DIGEST_SUBJECT = "[bokslut] Kontroll med varningar: 191 period 202413 – KK12.1"


def _logged(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(alert_log.c.alert_key, alert_log.c.channel)).all())


def _by_subject(mails) -> dict[str, object]:
    return {mail.subject: mail for mail in mails}


def test_failure_alert_and_warning_digest_arrive_by_mail_and_slack(engine, alert_env):
    smtp, webhook = alert_env

    sent = send_alerts(engine, make_run(), REPORT)

    assert sent == ["failure:email", "failure:slack", "warnings:email", "warnings:slack"]
    assert len(smtp.mails) == 2
    mails = _by_subject(smtp.mails)
    assert set(mails) == {FAILURE_SUBJECT, DIGEST_SUBJECT}

    failure = mails[FAILURE_SUBJECT]
    assert failure.mail_from == SENDER
    assert failure.rcpt_tos == list(RECIPIENTS)
    assert failure.message["To"] == ", ".join(RECIPIENTS)
    body = failure.html
    for expected in ("KK02.3", "KK10.1", "Kontroll Motpart 9* / Summa 2991", f"-1{NBSP}234{NBSP}567,89 kr",
                     f"50{NBSP}000,00 kr", "Konteringar på 2991 med motpart 9*; rätta motparten i Agresso.",
                     "3999", "P77", "500123", "ytterligare 3 verifikationer", REPORT):
        assert expected in body, expected
    for label in ("förväntat", "faktiskt", "differens", "var ska man leta", "vernr", "belopp"):
        assert label in body.lower(), label
    assert "inte publicerad" in body
    for absent in ("KK12.1", "KK01.1", "KK05.2", "Interna utbetalningar"):
        assert absent not in body, absent

    digest = mails[DIGEST_SUBJECT].html
    assert "KK12.1" in digest and f"-123{NBSP}417,00 kr" in digest
    for absent in ("KK02.3", "KK10.1", "KK05.2", "inte publicerad"):
        assert absent not in digest, absent

    assert len(webhook.posts) == 2
    assert all(post["path"] == "/services/T000/B000/test" for post in webhook.posts)
    assert all(post["content_type"].startswith("application/json") for post in webhook.posts)
    failure_post = webhook.posts[0]["json"]
    assert failure_post["text"].startswith(FAILURE_SUBJECT)
    blocks = json.dumps(failure_post["blocks"], ensure_ascii=False)
    for expected in ("KK02.3", "KK10.1", "Förväntat", "Faktiskt", "Differens", f"-1{NBSP}234{NBSP}567,89 kr",
                     "3999", "500123", REPORT, "inte publicerad"):
        assert expected in blocks, expected
    assert "KK05.2" not in blocks and "KK12.1" not in blocks
    assert webhook.posts[1]["json"]["text"].startswith(DIGEST_SUBJECT)
    assert "KK12.1" in json.dumps(webhook.posts[1]["json"]["blocks"], ensure_ascii=False)

    assert len(_logged(engine)) == 4


def test_retry_sends_nothing_again_but_a_changed_failure_alerts(engine, alert_env):
    smtp, webhook = alert_env

    assert send_alerts(engine, make_run(), REPORT) != []
    assert send_alerts(engine, make_run(), REPORT) == []  # the retried task
    rerun = make_run()
    rerun.run_id = 18  # a new control run with the identical failure
    assert send_alerts(engine, rerun, REPORT) == []

    assert [m.subject for m in smtp.mails].count(FAILURE_SUBJECT) == 1
    assert [m.subject for m in smtp.mails].count(DIGEST_SUBJECT) == 1
    assert len(webhook.posts) == 2

    changed = make_run(kk02_difference_ore=-100)  # the same control fails with another difference
    assert send_alerts(engine, changed, REPORT) == ["failure:email", "failure:slack"]  # digest unchanged
    assert [m.subject for m in smtp.mails].count(FAILURE_SUBJECT) == 2
    assert "-1,00 kr" in smtp.mails[-1].html
    assert len(webhook.posts) == 3
    assert len(_logged(engine)) == 6


def test_alert_key_names_the_period_and_changes_with_the_difference():
    key = alert_key(failure_alert(make_run()))
    assert key.startswith("191:202413:failure:") and len(key) <= 200
    assert key == alert_key(failure_alert(make_run()))
    assert key != alert_key(failure_alert(make_run(kk02_difference_ore=-100)))
    reordered = make_run()
    reordered.results.reverse()  # order of the lines does not matter, only which fail and by how much
    assert key == alert_key(failure_alert(reordered))


def test_a_run_without_failures_or_warnings_sends_nothing(engine, alert_env):
    smtp, webhook = alert_env
    quiet = ControlRun(5, "191", 202413, [result("KK01.1", "Kontroll konto 49xx", "ok", 0),
                                          result("KK05.2", "Interna utbetalningar", "info", None)])

    assert send_alerts(engine, quiet, REPORT) == []
    assert smtp.mails == [] and webhook.posts == []
    assert _logged(engine) == []


def test_missing_slack_configuration_skips_slack_and_still_mails(engine, alert_env, monkeypatch, caplog):
    smtp, webhook = alert_env
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_ALERTS")

    with caplog.at_level(logging.WARNING, logger="bokslut.alerts.dispatch"):
        sent = send_alerts(engine, make_run(), REPORT)

    assert sent == ["failure:email", "warnings:email"]
    assert len(smtp.mails) == 2 and webhook.posts == []
    assert "Alert channel slack skipped" in caplog.text
    assert {channel for _key, channel in _logged(engine)} == {"email"}


def test_missing_recipients_skip_email_and_slack_still_posts(engine, alert_env, monkeypatch, caplog):
    smtp, webhook = alert_env
    monkeypatch.delenv("BOKSLUT_ALERT_EMAIL_TO")

    with caplog.at_level(logging.WARNING, logger="bokslut.alerts.dispatch"):
        assert send_alerts(engine, make_run(), REPORT) == ["failure:slack", "warnings:slack"]
    assert smtp.mails == [] and len(webhook.posts) == 2
    assert "Alert channel email skipped: BOKSLUT_ALERT_EMAIL_TO" in caplog.text


def test_webhook_url_from_the_environment_when_no_connection(sqlite_engine, alert_env, monkeypatch):
    _smtp, webhook = alert_env
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_ALERTS")
    monkeypatch.setenv("BOKSLUT_SLACK_WEBHOOK_URL", webhook.url)

    assert send_alerts(sqlite_engine, make_run(), REPORT, channels=("slack",)) == ["failure:slack", "warnings:slack"]
    assert [post["json"]["text"].split("\n")[0] for post in webhook.posts] == [FAILURE_SUBJECT, DIGEST_SUBJECT]


def test_sender_from_setting_when_the_connection_names_none(sqlite_engine, alert_env, monkeypatch):
    smtp, _webhook = alert_env
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_json(smtp.port, from_email=None))
    monkeypatch.setenv("BOKSLUT_ALERT_EMAIL_FROM", "ekonomisystem@example.se")

    send_alerts(sqlite_engine, make_run(), REPORT, channels=("email",))
    assert {mail.mail_from for mail in smtp.mails} == {"ekonomisystem@example.se"}
    assert smtp.mails[0].message["From"] == "ekonomisystem@example.se"


def test_a_failed_send_is_not_logged_and_the_retry_sends_only_what_is_missing(engine, alert_env):
    smtp, webhook = alert_env
    webhook.status = 500  # Slack is down

    with pytest.raises(AlertDeliveryError) as failed:
        send_alerts(engine, make_run(), REPORT)
    assert failed.value.sent == ["failure:email", "warnings:email"]
    assert len(failed.value.errors) == 2
    assert len(smtp.mails) == 2 and webhook.posts == []

    webhook.status = 200  # the task's retry
    assert send_alerts(engine, make_run(), REPORT) == ["failure:slack", "warnings:slack"]
    assert len(smtp.mails) == 2 and len(webhook.posts) == 2


def test_unreachable_smtp_server_fails_loudly_and_is_retried(sqlite_engine, alert_env, monkeypatch):
    smtp, webhook = alert_env
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_json(free_port()))  # nobody listens

    with pytest.raises(AlertDeliveryError, match="failure:email"):
        send_alerts(sqlite_engine, make_run(), REPORT)
    assert len(webhook.posts) == 2 and smtp.mails == []

    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_json(smtp.port))
    assert send_alerts(sqlite_engine, make_run(), REPORT) == ["failure:email", "warnings:email"]
    assert len(smtp.mails) == 2 and len(webhook.posts) == 2


def test_unknown_channel_is_a_programming_error(sqlite_engine):
    with pytest.raises(ValueError, match="unknown alert channel"):
        send_alerts(sqlite_engine, make_run(), REPORT, channels=("sms",))
