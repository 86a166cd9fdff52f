"""Send an ``AlertMessage`` as e-mail with the package's one mailer (``bokslut.mail.send_mail``).

The server, port, TLS/SSL switches, login and usually the sender come from the Airflow connection
``BOKSLUT_SMTP_CONN_ID`` (default ``smtp_default``); outside a running Airflow it can be given as
``AIRFLOW_CONN_SMTP_DEFAULT`` (JSON or URI). Recipients come from ``BOKSLUT_ALERT_EMAIL_TO``.

The mail has one HTML part, so the HTML body is what the reader gets; it carries the full content
on its own.
"""

from __future__ import annotations

import logging

from airflow.providers.common.compat.sdk import AirflowNotFoundException
from airflow.providers.smtp.hooks.smtp import SmtpHook

from bokslut.alerts.message import AlertMessage
from bokslut.mail import send_mail
from bokslut.settings import AlertSettings

log = logging.getLogger(__name__)


def missing_configuration(settings: AlertSettings) -> str | None:
    """Why e-mail cannot be sent with ``settings`` (English, for the task log), or None when it can."""
    if not settings.email_to:
        return "BOKSLUT_ALERT_EMAIL_TO names no recipient"
    try:
        connection = SmtpHook.get_connection(settings.smtp_conn_id)
    except AirflowNotFoundException:
        return f"Airflow connection {settings.smtp_conn_id!r} (BOKSLUT_SMTP_CONN_ID) does not exist"
    if not (connection.extra_dejson.get("from_email") or settings.email_from):
        return (f"no sender: connection {settings.smtp_conn_id!r} has no extra 'from_email' "
                "and BOKSLUT_ALERT_EMAIL_FROM is not set")
    return None


def send_email(message: AlertMessage, settings: AlertSettings | None = None) -> tuple[str, ...]:
    """Send ``message`` to every recipient in one mail; return the recipients. Errors propagate."""
    settings = settings or AlertSettings.from_env()
    if not settings.email_to:
        raise ValueError("BOKSLUT_ALERT_EMAIL_TO names no recipient")
    send_mail(smtp_conn_id=settings.smtp_conn_id, to=settings.email_to, subject=message.subject, html=message.html,
              sender=settings.email_from, sender_setting="BOKSLUT_ALERT_EMAIL_FROM")
    log.info("Alert e-mail %r sent to %d recipient(s)", message.subject, len(settings.email_to))
    return settings.email_to
