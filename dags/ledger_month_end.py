"""Månadsavslut: Agresso export → validated warehouse → the city's ledger reports.

Wiring only: every task calls one function of ``bokslut.flows.ledger`` (the CLI's ``bokslut load``
runs the same functions in the same order); nothing heavy is imported at parse time.

Fan-out (Airflow dynamic task mapping): ``plan_forvaltningar`` groups the delivered files by
förvaltning; ``close_forvaltning`` is mapped over the groups (``expand_kwargs``: one task instance
per förvaltning, stage → audit → control → publish), and ``build_reports`` and ``check_rejections``
are mapped over its results (``expand``). Instances are named ``förvaltning <kod>``. A rejected file
is a result, not an exception, so every förvaltning that passed publishes and reports; the run then
fails in ``check_rejections`` of the förvaltning concerned. ``announce_published`` and
``build_reports`` run when at least one förvaltning finished (``all_done_min_one_success``), so
an unexpected error in one förvaltning does not withhold the others' reports and asset event.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS, LANDING_ASSET, LEDGER_PUBLISHED_ASSET
from bokslut.domain.organisation import FORVALTNING_PATTERN, parse_forvaltningar
from bokslut.domain.periods import PERIOD_PATTERN

# The mapped task instances are named after their förvaltning (set by each task: ``_label``).
MAP_INDEX = "{{ forvaltning_label }}"

DOC = """
### ledger_month_end – månadsavslut

**Triggas** när `landing_watch` ser nya filer i landningsmappen (asset `bokslut_landing`), eller
manuellt med parametrarna `period` (ÅÅÅÅPP, tom = senaste period i de inlästa filerna),
`forvaltning` (en eller flera, t.ex. `191,150`; tom = alla) och `paths` (filer att läsa in i stället för landningsmappen).

**Steg:** hitta filer → dela upp per förvaltning → för varje förvaltning, parallellt (en mappad
uppgift `close_forvaltning` per förvaltning): läs in (stage) → indatakontroll (audit) →
Kontokontroller på data som den skulle publiceras (control) → publicera (publish) → rapporter,
Kontokontroller och valideringsrapport i outbox (`build_reports`, en per förvaltning). Asset
`bokslut_ledger_published` bara när något publicerades. Inga nya filer: körningen hoppas över. En
fil som skulle krympa en publicerad period kraftigt avvisas; ska perioden verkligen ersättas, ange
den i parametern `replace`. En fil per förvaltning: en fil med rader för en annan förvaltning än
filnamnets avvisas.
En avvisad fil (felaktiga rader, eller en blockerande Kontokontroll som inte stämmer) lämnar
periodens publicerade data orörd och stoppar aldrig de andra förvaltningarna: de publiceras ändå.
Körningen markeras som misslyckad i `check_rejections` för den förvaltning det gäller, med
förvaltning, filnamn, kontroll, period, förväntat, faktiskt och differens (på svenska), och larm
skickas (e-post, Slack).
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
        "period": Param("", type="string", pattern=rf"^({PERIOD_PATTERN})?$", description="ÅÅÅÅPP, tom = senaste inlästa"),
        "forvaltning": Param("", type="string", pattern=rf"^({FORVALTNING_PATTERN}(,{FORVALTNING_PATTERN})*)?$",
                             description="förvaltningar, t.ex. 191 eller 191,150; tom = alla i filerna"),
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
    def plan_forvaltningar(files: list[dict], params: dict | None = None) -> list[dict]:
        """One group per förvaltning: the mapped tasks below run once per group (in parallel)."""
        from bokslut.flows import ledger

        only = _forvaltningar(params)
        groups = ledger.group_by_forvaltning(files, only=only)
        if not groups and params.get("period"):  # nothing new: rebuild the reports of the period asked for
            groups = [{"forvaltning": f, "files": []} for f in (only or ledger.forvaltningar_with_ledger())]
        return groups

    @task(map_index_template=MAP_INDEX)
    def close_forvaltning(forvaltning: str | None, files: list[dict], params: dict | None = None) -> dict:
        """stage → audit → control → publish for one förvaltning (``ledger.close_forvaltning``)."""
        from bokslut import dataset_lineage
        from bokslut.flows import ledger

        _label(forvaltning)
        try:
            batch = ledger.close_forvaltning(forvaltning, files, replace=params.get("replace") or ())
        except Exception as exc:  # the alert names the förvaltning; the error's own text follows
            raise ledger.ForvaltningFailed(forvaltning, exc) from exc
        dataset_lineage.report_staged(batch["files"])  # OpenLineage: landing files → warehouse tables
        return batch

    @task(outlets=[LEDGER_PUBLISHED_ASSET], trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def announce_published(batches: list[dict], outlet_events=None) -> list[str]:
        """The asset event only when something was published, naming what (every förvaltning's)."""
        from airflow.sdk.exceptions import AirflowSkipException

        from bokslut.flows import ledger

        partitions = ledger.published_partitions(ledger.merge_batches(batches))
        if not partitions:
            raise AirflowSkipException("Inget publicerades i den här körningen: ingen asset-händelse.")
        outlet_events[LEDGER_PUBLISHED_ASSET].extra = {"partitions": partitions}
        return partitions

    @task(map_index_template=MAP_INDEX, trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def build_reports(batch: dict, params: dict | None = None) -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from bokslut import dataset_lineage
        from bokslut.flows import ledger

        forvaltning = batch.get("forvaltning")
        _label(forvaltning)
        if forvaltning is None:
            raise AirflowSkipException("Filer utan känd förvaltning: inga rapporter.")
        targets = ledger.periods_to_report(batch, params.get("period") or None, forvaltning)
        if not targets:
            raise AirflowSkipException(f"Förvaltning {forvaltning}: ingen period publicerades, inga rapporter att skriva.")
        try:
            written = ledger.build_outputs(targets, batch)
        except ledger.NothingPublished as exc:  # an unknown förvaltning or an empty period: no retry helps
            raise AirflowFailException(f"Förvaltning {forvaltning}: {exc}") from None
        dataset_lineage.report_outputs("ledger", written)  # OpenLineage: warehouse tables → delivered files
        return written

    # min one success: a förvaltning that crashed must not keep another's rejection from failing (and alerting)
    @task(map_index_template=MAP_INDEX, trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def check_rejections(batch: dict) -> None:
        """Fails (and alerts) for the förvaltning whose files were rejected; the others have published."""
        from airflow.sdk.exceptions import AirflowFailException

        from bokslut.flows import ledger

        _label(batch.get("forvaltning"))
        failure = ledger.forvaltning_failure(batch)
        if failure:
            raise AirflowFailException(failure)

    closed = close_forvaltning.expand_kwargs(plan_forvaltningar(discover_files()))
    announce_published(closed)
    build_reports.expand(batch=closed)
    check_rejections.expand(batch=closed)


def _forvaltningar(params: dict) -> list[str]:
    """The DAG parameter ``forvaltning``: ``"191,150"`` → ``["191", "150"]`` (empty: all)."""
    text = str(params.get("forvaltning") or "").strip()
    return parse_forvaltningar(text) if text else []


def _label(forvaltning: str | None) -> None:
    """Name the mapped task instance after its förvaltning (``map_index_template``) in the UI and logs."""
    from airflow.sdk import get_current_context

    get_current_context()["forvaltning_label"] = f"förvaltning {forvaltning or 'okänd'}"


ledger_month_end()
