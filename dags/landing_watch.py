"""Watches the landing folder and announces new exports (asset ``bokslut_landing``).

A cheap directory listing every ten minutes; the month-end DAG is scheduled on the asset, so it
only runs when something was delivered.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from bokslut.dag_defaults import DEFAULT_ARGS, LANDING_ASSET


@dag(
    dag_id="landing_watch",
    schedule="*/10 * * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0},
    tags=["bokslut", "ledger"],
    doc_md="""
### landing_watch – bevakar landningsmappen

Listar nya filer i `BOKSLUT_LANDING_DIR/<källa>/` var tionde minut. Finns det några skickas en
asset-händelse (`bokslut_landing`) som startar `ledger_month_end`; annars hoppas uppgiften över.
Vid fel: kontrollera att landningsmappen finns och är läsbar för Airflow-användaren.
""",
)
def landing_watch():
    @task(outlets=[LANDING_ASSET])
    def announce_new_files(outlet_events=None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import ledger

        files = ledger.discover_files()
        if not files:
            raise AirflowSkipException("Inga nya filer i landningsmappen.")
        outlet_events[LANDING_ASSET].extra = {"files": [f["path"] for f in files]}
        return files

    announce_new_files()


landing_watch()
