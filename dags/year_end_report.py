"""Verksamhetsberättelse och bokslut (VB): the city's year-end templates filled and mailed.

Wiring only: every task calls one function of ``bokslut.flows.templates``; nothing heavy is
imported at parse time.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS

DOC = """
### year_end_report – stadens blanketter vid bokslut (VB)

**Triggas** enligt stadens kalender den 10 februari kl. 06 för föregående år (bokslutsperioden 13
är då stängd), eller manuellt med parametrarna `ar` (ÅÅÅÅ, tomt = föregående år) och `forvaltning`
(tom = alla förvaltningar med publicerad huvudbok det året). Körningen går att göra om för vilket
år som helst.

**Steg:** mål → kontroll att månadsavsluten för perioderna 00–13 är publicerade och att senaste
Kontokontrollen för period 13 inte har blockerande fel → fyll i blanketterna (Verksamhetsprojekt,
Resultatenheter, Invent o maskin, Ej aktiverbara utgifter-inkomst, Innovationssatsningar, Externa
projekt, Nyckeltal, huvudboksrapporter, Kontokontroller, Kontroller blankett) i outbox
`<förvaltning>/VB-ÅÅÅÅ/` → e-post till ekonomi (`BOKSLUT_FINANCE_EMAIL_TO`) med filerna bifogade.

En schemalagd körning som startar mer än två dygn efter sin tid (DAG:en var pausad och har just
återaktiverats) hoppas över i stället för att fylla i gamla blanketter; starta då manuellt.

**Vid fel:** läs meddelandet i den misslyckade uppgiften. *Inte redo*: kör `ledger_month_end` för
de perioder som saknas (oftast 13) eller rätta det som Kontokontrollen underkände, och starta sedan
om körningen. *Mappning eller manuella uppgifter*: rätta filen som nämns (include/templates/vb.yaml,
include/manual/<förvaltning>/VB-ÅÅÅÅ.yaml) och kör igen. Ett fel i e-posten lämnar filerna i outbox;
när uppgiften `deliver` startas om skickas samma filer inte två gånger (en ny körning bygger nya filer
och skickar dem).
"""


@dag(
    dag_id="year_end_report",
    schedule="0 6 10 2 *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bokslut", "templates"],
    doc_md=DOC,
    params={
        "ar": Param("", type="string", pattern=r"^(\d{4})?$", description="ÅÅÅÅ, tomt = föregående år"),
        "forvaltning": Param("", type="string", pattern=r"^(\d{3})?$", description="tre siffror, tom = alla med huvudbok"),
    },
)
def year_end_report():
    @task
    def targets(params: dict | None = None, dag_run=None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from bokslut.flows import templates

        stale = templates.stale_schedule(dag_run.run_type, dag_run.run_after) if dag_run is not None else None
        if stale:
            raise AirflowSkipException(stale)
        moment = dag_run.logical_date or dag_run.run_after if dag_run is not None else None
        try:
            return templates.resolve_targets("year_end", params, moment)
        except ValueError as exc:  # not ready, or a wrong parameter: retrying changes nothing
            raise AirflowFailException(str(exc)) from None

    @task
    def check_ready(items: list[dict]) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut.flows import templates

        try:
            return templates.check_ready(items)
        except templates.NotReady as exc:
            raise AirflowFailException(str(exc)) from None

    @task
    def build(items: list[dict]) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut import dataset_lineage
        from bokslut.flows import templates

        try:
            deliveries = templates.build_all(items)
        except ValueError as exc:  # blocking controls, a broken mapping or manual file: fix, then rerun
            raise AirflowFailException(str(exc)) from None
        # OpenLineage: warehouse tables → the filled-in templates and their reports
        dataset_lineage.report_templates(deliveries)  # the manual inputs read are inputs too
        return deliveries

    @task
    def deliver(deliveries: list[dict]) -> list[dict]:
        from bokslut.flows import templates

        return templates.deliver(deliveries)

    deliver(build(check_ready(targets())))


year_end_report()
