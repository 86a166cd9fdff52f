"""Månatligt LISA-uttag: anställningar, frånvaro och avtalad tid → pseudonymiserat lager → nyckeltal.

Wiring only: every task calls one function of ``bokslut.flows.personal`` (as does ``bokslut load hr|ber``); nothing heavy is imported
at parse time.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS

DOC = """
### hr_monthly – personalnyckeltal från LISA

**Triggas** varje vardag kl. 07 (Stockholm) och gör bara något när det finns nya filer i
`BOKSLUT_LANDING_DIR/hr/` (LISA levererar månadsuttag: anställningar, frånvaro och avtalad tid);
eller manuellt med parametern `paths` (filer eller mappar att läsa in i stället).

**Steg:** hitta filer → läs in (stage; personnummer ersätts med en nyckelhash direkt vid
inläsningen) → indatakontroll (Great Expectations-sviterna `input_hr_*`) → publicera per
förvaltning och månad → nyckeltal 122–129 som TSV och xlsx i `outbox/<förvaltning>/hr/`.

Nyckeln för pseudonymisering hämtas från miljövariabeln `BOKSLUT_PSEUDONYM_KEY` eller
Airflow-variabeln `bokslut_pseudonym_secret` (maskeras av Airflow i UI och API). Saknas den läses
ingenting in.

**Vid fel:** sista uppgiften listar de avvisade filerna med skäl på svenska; karantänen
(`quarantine`) visar rad, kolumn och skäl men aldrig ett personnummer. Rätta uttaget (eller be
LISA-förvaltningen om ett nytt) och lägg det i landningsmappen igen: samma månad ersätts
atomiskt. Publicerade månader är orörda av en avvisad fil. Originalfilerna ligger i arkivet,
som är personuppgifter med begränsad åtkomst (docs/personal-data.md).
"""


@dag(
    dag_id="hr_monthly",
    schedule="0 7 * * 1-5",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bokslut", "hr"],
    doc_md=DOC,
    params={"paths": Param([], type="array", description="filer eller mappar att läsa in i stället för landningsmappen")},
)
def hr_monthly():
    @task
    def discover_files(params: dict | None = None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import personal as pipeline

        files = pipeline.discover("hr", paths=params.get("paths") or None)
        if not files:
            raise AirflowSkipException("Inga nya LISA-filer i landningsmappen.")
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
    def build_key_figures(published: list[dict]) -> list[str]:
        from bokslut import dataset_lineage
        from bokslut.flows import personal as pipeline

        written = pipeline.build_outputs("hr", published)
        dataset_lineage.report_outputs("hr", written)  # OpenLineage: warehouse tables → delivered files
        return written

    @task
    def check_rejections(published: list[dict]) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut.flows import personal as pipeline

        summary = pipeline.rejection_summary(published)
        if summary:
            raise AirflowFailException(summary)

    published = load(validate_input(ingest(discover_files())))
    build_key_figures(published)
    check_rejections(published)


hr_monthly()
