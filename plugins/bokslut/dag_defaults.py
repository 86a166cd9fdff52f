"""Settings every DAG shares: owner, retries, failure handling and the assets that link them.

Kept free of heavy imports: DAG files import this at parse time.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset

LANDING_ASSET = Asset(uri="file:///bokslut/landing", name="bokslut_landing")
LEDGER_PUBLISHED_ASSET = Asset(uri="file:///bokslut/warehouse/ledger", name="bokslut_ledger_published")

DEFAULT_ARGS = {
    "owner": "ekonomi-data",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}
