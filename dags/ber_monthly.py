"""Månatligt BER-uttag (KAA): registreringar och kontaktförsök → pseudonymiserat lager → KAA-statistik.

Wiring only: every task calls one function of ``bokslut.flows.personal`` (as does ``bokslut load hr|ber``); nothing heavy is imported
at parse time.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS

DOC = """
### ber_monthly – KAA-statistik från BER

**Triggas** varje vardag kl. 07 (Stockholm) och gör bara något när det finns nya filer i
`BOKSLUT_LANDING_DIR/ber/` (BER:s KAA-modul levererar månadsuttag: registreringar och
kontaktförsök); eller manuellt med parametern `paths`.

**Steg:** hitta filer → läs in (stage; personnummer ersätts med en nyckelhash direkt vid
inläsningen) → indatakontroll (Great Expectations-sviterna `input_ber_*`, t.ex. ålder under 20 år
vid registreringen) → publicera per förvaltning och månad → KAA-statistiken för statistikåret
(1 december–30 november) som TSV och xlsx i `outbox/<förvaltning>/kaa/`, med röjandeskydd
(antal 1–4 visas som `<5`).

Nyckeln för pseudonymisering hämtas från miljövariabeln `BOKSLUT_PSEUDONYM_KEY` eller
Airflow-variabeln `bokslut_pseudonym_secret` (maskeras av Airflow i UI och API). Saknas den läses
ingenting in.

**Vid fel:** sista uppgiften listar de avvisade filerna med skäl på svenska; karantänen visar
rad, kolumn och skäl men aldrig ett personnummer. Rätta uttaget och lägg det i landningsmappen
igen: samma månad ersätts atomiskt, publicerade månader är orörda av en avvisad fil. Varningar
(t.ex. en ungdom som var 20 år vid registreringen) stoppar inte publiceringen men står i
laddningens meddelande: be BER-förvaltningen rätta registret.
"""


@dag(
    dag_id="ber_monthly",
    schedule="0 7 * * 1-5",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bokslut", "ber"],
    doc_md=DOC,
    params={"paths": Param([], type="array", description="filer eller mappar att läsa in i stället för landningsmappen")},
)
def ber_monthly():
    @task
    def discover_files(params: dict | None = None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import personal as pipeline

        files = pipeline.discover("ber", paths=params.get("paths") or None)
        if not files:
            raise AirflowSkipException("Inga nya BER-filer i landningsmappen.")
        return files

    @task
    def ingest(files: list[dict]) -> list[dict]:
        from bokslut import dataset_lineage
        from bokslut.flows import personal as pipeline

        staged = pipeline.stage(files)
        dataset_lineage.report_load(staged)  # OpenLineage: landing files → warehouse tables
        return staged

    @task
    def validate_input(staged: list[dict]) -> list[dict]:
        from bokslut.flows import personal as pipeline

        return pipeline.audit(staged)

    @task
    def load(audited: list[dict]) -> list[dict]:
        from bokslut.flows import personal as pipeline

        return pipeline.publish(audited)

    @task
    def build_statistics(published: list[dict]) -> list[str]:
        from bokslut import dataset_lineage
        from bokslut.flows import personal as pipeline

        written = pipeline.build_outputs("ber", published)
        dataset_lineage.report_outputs("ber", written)  # OpenLineage: warehouse tables → delivered files
        return written

    @task
    def check_rejections(published: list[dict]) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut.flows import personal as pipeline

        summary = pipeline.rejection_summary(published)
        if summary:
            raise AirflowFailException(summary)

    published = load(validate_input(ingest(discover_files())))
    build_statistics(published)
    check_rejections(published)


ber_monthly()
