"""Månadsavslut: Agresso export → validated warehouse → the city's ledger reports.

Wiring only: every task calls one function of ``bokslut.flows.ledger`` (the CLI's ``bokslut load``
runs the same functions in the same order); nothing heavy is imported
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
skulle publiceras (control) → publicera (publish; asset `bokslut_ledger_published` bara när något
publicerades) → rapporter, Kontokontroller och valideringsrapport i outbox. Inga nya filer: körningen
hoppas över. En fil som skulle krympa en publicerad period kraftigt avvisas; ska perioden verkligen
ersättas, ange den i parametern `replace`.
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
        "replace": Param([], type="array",
                         description="perioder (ÅÅÅÅPP) som får ersättas trots att filen har betydligt färre rader"),
    },
)
def ledger_month_end():
    @task
    def discover_files(params: dict | None = None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import ledger

        files = ledger.discover_files(paths=params.get("paths") or None)
        if not files and not params.get("period"):  # with a period, a rerun rebuilds its reports
            raise AirflowSkipException("Inga nya filer att läsa in och ingen period angiven: inget att göra.")
        return files

    @task
    def stage(files: list[dict]) -> list[dict]:
        from bokslut.flows import ledger

        return ledger.stage(files)

    @task
    def audit(staged: list[dict], params: dict | None = None) -> list[dict]:
        from bokslut.flows import ledger

        return ledger.audit(staged, replace=params.get("replace") or ())

    @task
    def control(audited: list[dict]) -> dict:
        from bokslut.flows import ledger

        return ledger.control(audited)

    @task
    def publish(batch: dict) -> dict:
        from bokslut.flows import ledger

        return ledger.publish(batch)

    @task(outlets=[LEDGER_PUBLISHED_ASSET])
    def announce_published(batch: dict, outlet_events=None) -> list[str]:
        """The asset event only when something was published, naming what."""
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import ledger

        partitions = ledger.published_partitions(batch)
        if not partitions:
            raise AirflowSkipException("Inget publicerades i den här körningen: ingen asset-händelse.")
        outlet_events[LEDGER_PUBLISHED_ASSET].extra = {"partitions": partitions}
        return partitions

    @task
    def build_reports(batch: dict, params: dict | None = None) -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from bokslut.flows import ledger

        targets = ledger.periods_to_report(batch, params.get("period") or None, params.get("forvaltning") or None)
        if not targets:
            raise AirflowSkipException("Ingen period publicerades: inga rapporter att skriva.")
        try:
            return ledger.build_outputs(targets, batch)
        except ledger.NothingPublished as exc:  # an unknown förvaltning or an empty period: no retry helps
            raise AirflowFailException(str(exc)) from None

    @task
    def check_rejections(batch: dict) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut.flows import ledger

        summary = ledger.rejection_summary(batch)
        if summary:
            raise AirflowFailException(summary)

    published = publish(control(audit(stage(discover_files()))))
    announce_published(published)
    build_reports(published)
    check_rejections(published)


ledger_month_end()
