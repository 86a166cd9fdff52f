"""Every setting the package reads from the environment, with its default: the one module that
reads ``os.environ`` (``tests/test_settings_single_reader.py`` keeps it so). The others call the
functions here when they need a value, so a changed environment (a test, a task) is seen.

Credentials never live here: the warehouse URL, SMTP and Slack come from the environment or
from Airflow connections; ``.env.example`` lists them. A blank value counts as unset, except where
noted.

Paths and data:

``BOKSLUT_PROJECT_ROOT``    the source checkout (dags/, include/, expectations/); default the
                            checkout this file is in. Read once, at import.
``BOKSLUT_DATA_DIR``        working data (SQLite warehouse, logs/bokslut-errors.log); default
                            ``<project>/data`` (for ``Settings`` only when unset: a blank value
                            is the current folder there, as it always was)
``BOKSLUT_WAREHOUSE_URL``   SQLAlchemy URL of the warehouse; default SQLite in the data folder
``BOKSLUT_LANDING_DIR``     where source files arrive; default ``<data>/landing``
``BOKSLUT_ARCHIVE_DIR``     where loaded originals are kept; default ``<data>/archive``
``BOKSLUT_OUTBOX_DIR``      reports and workbooks written; default ``<project>/out``
``BOKSLUT_CHUNK_ROWS``      rows read per chunk when staging; default 200 000 (positive integer)
``BOKSLUT_STAGE_WORKERS``   staging processes per run; default min(2, cores) (positive integer)
``BOKSLUT_REFERENCE_DIR``   user-editable reference data; default ``include/reference``
``BOKSLUT_MANUAL_DIR``      finance's manual-input files; default ``include/manual``
``BOKSLUT_PSEUDONYM_KEY``   the personnummer pseudonymisation key; no default (in Airflow the
                            Variable ``bokslut_pseudonym_secret``, see ``hr.pseudonym``). Read
                            each time it is needed, never kept here.

Mail and Slack (``AlertSettings``, ``DeliverySettings``; sent by ``bokslut.mail``):

``BOKSLUT_SMTP_CONN_ID``          Airflow SMTP connection; default ``smtp_default``
``BOKSLUT_ALERT_EMAIL_TO``        alert recipients, comma or semicolon separated; default none
                                  (the e-mail channel is skipped)
``BOKSLUT_ALERT_EMAIL_FROM``      alert sender when the connection has no extra ``from_email``
``BOKSLUT_SLACK_CONN_ID``         Airflow Slack webhook connection; default ``slack_alerts``
``BOKSLUT_SLACK_WEBHOOK_URL``     webhook URL when that connection does not exist (a secret)
``BOKSLUT_SLACK_TIMEOUT_SECONDS`` Slack timeout; default the connection's extra ``timeout``, else 30
``BOKSLUT_FINANCE_EMAIL_TO``      recipients of the filled templates; default none (not mailed)
``BOKSLUT_FINANCE_EMAIL_FROM``    their sender when the connection has no extra ``from_email``

A bad integer stops the program with a Swedish ``SettingsError`` (exit 3).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from bokslut.problems import EnvironmentProblem

# The source checkout (dags/, include/, expectations/); an image that installs the package
# elsewhere sets BOKSLUT_PROJECT_ROOT.
PROJECT_ROOT = Path(os.environ.get("BOKSLUT_PROJECT_ROOT", Path(__file__).resolve().parents[2]))
INCLUDE_DIR = PROJECT_ROOT / "include"
SQL_DIR = INCLUDE_DIR / "sql"
MAPPINGS_DIR = INCLUDE_DIR / "mappings"
REFERENCE_DIR = INCLUDE_DIR / "reference"
LAYOUTS_DIR = INCLUDE_DIR / "layouts"
TEMPLATES_DIR = INCLUDE_DIR / "templates"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
PSEUDONYM_KEY_ENV = "BOKSLUT_PSEUDONYM_KEY"


def reference_dir() -> Path:
    """The user-editable reference data: ``BOKSLUT_REFERENCE_DIR`` (a mounted folder in
    production, docs/deployment.md), else the shipped ``include/reference``."""
    return Path(os.environ.get("BOKSLUT_REFERENCE_DIR") or REFERENCE_DIR)


def manual_dir() -> Path:
    """Finance's manual-input files: ``BOKSLUT_MANUAL_DIR``, else the shipped ``include/manual``."""
    return Path(os.environ.get("BOKSLUT_MANUAL_DIR") or INCLUDE_DIR / "manual")


def data_dir() -> Path:
    """``BOKSLUT_DATA_DIR``, else ``<project>/data`` (where the error log goes)."""
    return Path(os.environ.get("BOKSLUT_DATA_DIR") or PROJECT_ROOT / "data")


def pseudonym_key() -> str | None:
    """The pseudonymisation key in the environment, as it is now (never cached, never logged)."""
    return os.environ.get(PSEUDONYM_KEY_ENV)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_url: str
    landing_dir: Path
    archive_dir: Path
    outbox_dir: Path
    chunk_rows: int
    # Worker processes staging the files of one run side by side (1: one after another).
    stage_workers: int = field(default_factory=lambda: default_stage_workers())

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = Path(os.environ.get("BOKSLUT_DATA_DIR", PROJECT_ROOT / "data"))
        return cls(
            data_dir=data_dir,
            warehouse_url=os.environ.get(
                "BOKSLUT_WAREHOUSE_URL", f"sqlite:///{data_dir / 'warehouse.sqlite'}"
            ),
            landing_dir=Path(os.environ.get("BOKSLUT_LANDING_DIR", data_dir / "landing")),
            archive_dir=Path(os.environ.get("BOKSLUT_ARCHIVE_DIR", data_dir / "archive")),
            outbox_dir=Path(os.environ.get("BOKSLUT_OUTBOX_DIR", PROJECT_ROOT / "out")),
            chunk_rows=_positive_int("BOKSLUT_CHUNK_ROWS", 200_000),
            stage_workers=_positive_int("BOKSLUT_STAGE_WORKERS", default_stage_workers()),
        )


def default_stage_workers() -> int:
    """Two staging processes where there are two cores: more would only add write-lock waits and
    memory (a chunk per process), one core gains nothing from a second process."""
    return min(2, os.cpu_count() or 1)


class SettingsError(EnvironmentProblem):
    """A setting in the environment has a value the program cannot use (exit 3, Swedish message)."""


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip().replace("_", "").replace(" ", "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(
            f"Inställningen {name} måste vara ett positivt heltal (t.ex. {default}), inte {os.environ[name]!r}; "
            f"rätta eller ta bort miljövariabeln."
        )
    return int(text)


def get_settings() -> Settings:
    return Settings.from_env()


# --- mail and Slack: names and addresses only; the SMTP server and its credentials come from the
# Airflow connection BOKSLUT_SMTP_CONN_ID, the Slack webhook URL (a secret) from the Airflow
# connection BOKSLUT_SLACK_CONN_ID or, outside Airflow, from BOKSLUT_SLACK_WEBHOOK_URL.

DEFAULT_SMTP_CONN_ID = "smtp_default"


def split_addresses(value: str) -> tuple[str, ...]:
    """``"a@x.se, b@x.se;c@x.se"`` -> ``("a@x.se", "b@x.se", "c@x.se")``; blanks dropped."""
    return tuple(part for part in (p.strip() for p in re.split(r"[,;]", value)) if part)


def _text(name: str) -> str | None:
    """The stripped value of ``name``; None when unset or blank."""
    return os.environ.get(name, "").strip() or None


def _mail(recipients: str, sender: str) -> dict[str, object]:
    """The SMTP connection (shared), the recipients and the sender of one kind of mail."""
    return {"smtp_conn_id": _text("BOKSLUT_SMTP_CONN_ID") or DEFAULT_SMTP_CONN_ID,
            "email_to": split_addresses(os.environ.get(recipients, "")), "email_from": _text(sender)}


@dataclass(frozen=True)
class AlertSettings:
    """Where control and task-failure alerts go (``bokslut.alerts``)."""

    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID
    email_to: tuple[str, ...] = ()  # no recipients: the e-mail channel is skipped
    email_from: str | None = None  # used when the SMTP connection has no extra "from_email"
    slack_conn_id: str = "slack_alerts"
    slack_webhook_url: str | None = None  # used when the Slack connection does not exist
    slack_timeout_seconds: int | None = None  # None: the connection's extra "timeout", else 30 s

    @classmethod
    def from_env(cls) -> AlertSettings:
        return cls(
            **_mail("BOKSLUT_ALERT_EMAIL_TO", "BOKSLUT_ALERT_EMAIL_FROM"),
            slack_conn_id=_text("BOKSLUT_SLACK_CONN_ID") or cls.slack_conn_id,
            slack_webhook_url=_text("BOKSLUT_SLACK_WEBHOOK_URL"),
            # unset: the connection's extra "timeout"; a bad value is a Swedish SettingsError, not a traceback
            slack_timeout_seconds=(_positive_int("BOKSLUT_SLACK_TIMEOUT_SECONDS", 30)
                                   if _text("BOKSLUT_SLACK_TIMEOUT_SECONDS") else None),
        )


@dataclass(frozen=True)
class DeliverySettings:
    """Where the filled templates go (``bokslut.templates.delivery``)."""

    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID
    email_to: tuple[str, ...] = ()
    email_from: str | None = None

    @classmethod
    def from_env(cls) -> DeliverySettings:
        return cls(**_mail("BOKSLUT_FINANCE_EMAIL_TO", "BOKSLUT_FINANCE_EMAIL_FROM"))
