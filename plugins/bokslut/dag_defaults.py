"""Settings every DAG shares: owner, retries, failure handling and the assets that link them.

Kept free of heavy imports: DAG files import this at parse time. The failure callback is a tiny
wrapper that imports the alert code only when a task has failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk import Asset

LANDING_ASSET = Asset(uri="file:///bokslut/landing", name="bokslut_landing")
LEDGER_PUBLISHED_ASSET = Asset(uri="file:///bokslut/warehouse/ledger", name="bokslut_ledger_published")


def on_task_failure(context: Any) -> None:  # noqa: ANN401 - Airflow's task context
    """Alert (e-mail, Slack) that a task failed for good; never raises (see ``bokslut.alerts.task_failure``)."""
    try:
        from bokslut.alerts.task_failure import on_task_failure as alert

        alert(context)
    except Exception:  # noqa: BLE001 - a failure callback must not raise
        logging.getLogger(__name__).exception("Larmet om den misslyckade uppgiften kunde inte skickas")


DEFAULT_ARGS = {
    "owner": "ekonomi-data",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    # Below Celery's broker visibility timeout (6 h, docs/deployment.md §4): a task still running
    # when the broker redelivers it would run twice.
    "execution_timeout": timedelta(hours=4),
    "on_failure_callback": on_task_failure,
}
