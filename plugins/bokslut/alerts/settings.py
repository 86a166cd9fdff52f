"""Alert settings, with explicit defaults (override through the environment).

Only names and addresses live here. The SMTP server and its credentials come from the Airflow
connection ``BOKSLUT_SMTP_CONN_ID``; the Slack webhook URL (a secret) from the Airflow connection
``BOKSLUT_SLACK_CONN_ID`` or, outside Airflow, from ``BOKSLUT_SLACK_WEBHOOK_URL``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class AlertSettings:
    smtp_conn_id: str = "smtp_default"
    email_to: tuple[str, ...] = ()  # no recipients: the e-mail channel is skipped
    email_from: str | None = None  # used when the SMTP connection has no extra "from_email"
    slack_conn_id: str = "slack_alerts"
    slack_webhook_url: str | None = None  # used when the Slack connection does not exist
    slack_timeout_seconds: int | None = None  # None: the connection's extra "timeout", else 30 s

    @classmethod
    def from_env(cls) -> AlertSettings:
        env = os.environ
        return cls(
            smtp_conn_id=env.get("BOKSLUT_SMTP_CONN_ID", "").strip() or cls.smtp_conn_id,
            email_to=split_addresses(env.get("BOKSLUT_ALERT_EMAIL_TO", "")),
            email_from=env.get("BOKSLUT_ALERT_EMAIL_FROM", "").strip() or None,
            slack_conn_id=env.get("BOKSLUT_SLACK_CONN_ID", "").strip() or cls.slack_conn_id,
            slack_webhook_url=env.get("BOKSLUT_SLACK_WEBHOOK_URL", "").strip() or None,
            slack_timeout_seconds=int(timeout) if (timeout := env.get("BOKSLUT_SLACK_TIMEOUT_SECONDS")) else None,
        )


def split_addresses(value: str) -> tuple[str, ...]:
    """``"a@x.se, b@x.se;c@x.se"`` -> ``("a@x.se", "b@x.se", "c@x.se")``; blanks dropped."""
    return tuple(part for part in (p.strip() for p in re.split(r"[,;]", value)) if part)
