"""Månadsavslut: Agresso export → validated warehouse → the city's ledger reports.

Wiring only: every task calls one function of ``bokslut.pipeline``; nothing heavy is imported
at parse time.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS, LANDING_ASSET, LEDGER_PUBLISHED_ASSET

DOC = """
### ledger_month_end – månadsavslut

**Triggas** när `landing_watch` ser nya filer i landningsmappen (asset `bokslut_landing`), eller
manuellt med parametrarna `period` (ÅÅÅÅPP, tom = senaste period i de inlästa filerna),
`forvaltning` och `paths` (filer att läsa in i stället för landningsmappen).

**Steg:** hitta filer → läs in (stage) → indatakontroll (audit) → Kontokontroller på data som den
skulle publiceras → publicera → rapporter, Kontokontroller och valideringsrapport i outbox.
En avvisad fil (felaktiga rader, eller en blockerande Kontokontroll som inte stämmer) lämnar
periodens publicerade data orörd; körningen markeras då som misslyckad med filnamn, kontroll,
period, förväntat, faktiskt och differens (på svenska), och larm skickas (e-post, Slack).
Karantänen i lagret (`quarantine`) visar rad, kolumn och skäl; `valideringsrapport_*.html` i
outbox visar kontrollerna och konteringarna bakom en avvikelse.

**Vid fel:** läs felmeddelandet i sista uppgiften, rätta exportfilen och lägg den i landningsmappen
igen – samma period ersätts atomiskt. Körningen går att köra om för vilken period som helst.
"""


@dag(
    dag_id="ledger_month_end",
    schedule=[LANDING_ASSET],
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bokslut", "ledger"],
    doc_md=DOC,
    params={
        "period": Param("", type="string", pattern=r"^(\d{4}(0\d|1[0-4]))?$", description="ÅÅÅÅPP, tom = senaste inlästa"),
        "forvaltning": Param("", type="string", pattern=r"^(\d{3})?$", description="tre siffror, tom = alla i filerna"),
        "paths": Param([], type="array", description="filer att läsa in i stället för landningsmappen"),
    },
)
def ledger_month_end():
    @task
    def discover_files(params: dict | None = None) -> list[dict]:
        from bokslut import pipeline

        return pipeline.discover_files(paths=params.get("paths") or None)

    @task
    def ingest(files: list[dict]) -> list[dict]:
        from bokslut import pipeline

        return pipeline.stage(files)

    @task
    def validate_input(staged: list[dict]) -> list[dict]:
        from bokslut import pipeline

        return pipeline.audit(staged)

    @task
    def run_controls(audited: list[dict]) -> list[dict]:
        from bokslut import pipeline

        return pipeline.control_staged(audited)

    @task(outlets=[LEDGER_PUBLISHED_ASSET])
    def load(audited: list[dict], outlet_events=None) -> list[dict]:
        from bokslut import pipeline

        published = pipeline.publish(audited)
        outlet_events[LEDGER_PUBLISHED_ASSET].extra = {
            "partitions": sorted({p for item in published if item["status"] == "publicerad" for p in item["partitions"]})
        }
        return published

    @task
    def build_reports(published: list[dict], params: dict | None = None) -> list[str]:
        from bokslut import pipeline

        targets = pipeline.periods_to_report(published, params.get("period") or None, params.get("forvaltning") or None)
        return pipeline.build_outputs(targets)

    @task
    def check_rejections(published: list[dict]) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut import pipeline

        summary = pipeline.rejection_summary(published)
        if summary:
            raise AirflowFailException(summary)

    published = load(run_controls(validate_input(ingest(discover_files()))))
    build_reports(published)
    check_rejections(published)


ledger_month_end()
