"""Builders of the DAGs that share one shape; each DAG file declares its DAG through one of them.

- ``personal_data_dag`` (``hr_monthly``, ``ber_monthly``): ``discover_files`` → ``stage`` →
  ``audit`` → ``publish`` → build the outputs (``build_key_figures`` / ``build_statistics``) and
  ``check_rejections``; every task calls one function of ``bokslut.flows.personal``.
- ``template_report_dag`` (``tertial_report``, ``year_end_report``): ``resolve_targets`` →
  ``check_ready`` → ``build_templates`` → ``deliver``; every task calls ``bokslut.flows.templates``.

Task ids name the step of write-audit-publish they run (stage, audit, publish) or the outputs they
build, as the flow functions do. Parse time stays cheap: at module level only ``airflow.sdk``,
``bokslut.dag_defaults`` and the plain-Python ``bokslut.domain`` (the params' enum and patterns);
every task imports its flow in its body (tests/test_startup.py checks it).

A builder returns the decorated DAG function and the DAG file calls it: Airflow takes the DAG's
file (``fileloc``, the DAG id = file name rule) from the caller of that function.
"""

from __future__ import annotations

from collections.abc import Callable

import pendulum
from airflow.sdk import DAG, Param, dag, task

from bokslut.dag_defaults import DEFAULT_ARGS
from bokslut.domain.organisation import FORVALTNING_HINT_SV, FORVALTNING_PATTERN
from bokslut.domain.periods import TERTIAL_CODES, YEAR_PATTERN

START_DATE = pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm")


def _optional(pattern: str) -> str:
    """A DAG param's JSON-schema pattern: the domain's ``pattern`` or empty (= the default)."""
    return rf"^({pattern})?$"


def _dag(*, dag_id: str, schedule: str, tags: list[str], doc_md: str, params: dict[str, Param]) -> Callable:
    """``@dag`` with what every built DAG shares: start date, no catch-up, one run at a time, the
    house ``DEFAULT_ARGS``."""
    return dag(dag_id=dag_id, schedule=schedule, start_date=START_DATE, catchup=False, max_active_runs=1,
               default_args=DEFAULT_ARGS, tags=tags, doc_md=doc_md, params=params)


def personal_data_dag(*, dag_id: str, group: str, schedule: str, tags: list[str], doc_md: str, outputs_task: str,
                      nothing_new: str) -> Callable[[], DAG]:
    """The monthly personal-data DAG of one source group (``hr``, ``ber``): its landing folder in,
    the published months and ``outputs_task``'s files out. ``nothing_new`` is the skip message."""

    @_dag(dag_id=dag_id, schedule=schedule, tags=tags, doc_md=doc_md,
          params={"paths": Param([], type="array", description="filer eller mappar att läsa in i stället för landningsmappen")})
    def personal_data():
        @task
        def discover_files(params: dict | None = None) -> list[dict]:
            from airflow.sdk.exceptions import AirflowSkipException

            from bokslut.flows import personal as pipeline

            files = pipeline.discover(group, paths=params.get("paths") or None)
            if not files:
                raise AirflowSkipException(nothing_new)
            return files

        @task
        def stage(files: list[dict]) -> list[dict]:
            from bokslut import dataset_lineage
            from bokslut.flows import personal as pipeline

            staged = pipeline.stage(files)
            dataset_lineage.report_staged(staged)  # OpenLineage: landing files → warehouse tables
            return staged

        @task
        def audit(staged: list[dict]) -> list[dict]:
            from bokslut.flows import personal as pipeline

            return pipeline.audit(staged)

        @task
        def publish(audited: list[dict]) -> list[dict]:
            from bokslut.flows import personal as pipeline

            return pipeline.publish(audited)

        @task(task_id=outputs_task)
        def build_outputs(published: list[dict]) -> list[str]:
            from bokslut import dataset_lineage
            from bokslut.flows import personal as pipeline

            written = pipeline.build_outputs(group, published)
            dataset_lineage.report_outputs(group, written)  # OpenLineage: warehouse tables → delivered files
            return written

        @task
        def check_rejections(published: list[dict]) -> None:
            from airflow.sdk.exceptions import AirflowFailException

            from bokslut.flows import personal as pipeline

            summary = pipeline.rejection_summary(published)
            if summary:
                raise AirflowFailException(summary)

        published = publish(audit(stage(discover_files())))
        build_outputs(published)
        check_rejections(published)

    return personal_data


def template_report_dag(*, dag_id: str, kind: str, schedule: str, tags: list[str], doc_md: str, year_description: str,
                        point_description: str | None = None) -> Callable[[], DAG]:
    """The template DAG of one ``kind`` (``bokslut.flows.templates.resolve_targets``: ``tertial``,
    ``year_end``). With ``point_description`` it takes the param ``rapporttillfalle`` (T1/T2)."""
    params = {"ar": Param("", type="string", pattern=_optional(YEAR_PATTERN), description=year_description)}
    if point_description is not None:
        params["rapporttillfalle"] = Param("", type="string", enum=["", *TERTIAL_CODES], description=point_description)
    params["forvaltning"] = Param("", type="string", pattern=_optional(FORVALTNING_PATTERN),
                                  description=f"{FORVALTNING_HINT_SV}, tom = alla med huvudbok")

    @_dag(dag_id=dag_id, schedule=schedule, tags=tags, doc_md=doc_md, params=params)
    def template_report():
        @task
        def resolve_targets(params: dict | None = None, dag_run=None) -> list[dict]:
            from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

            from bokslut.flows import templates

            stale = templates.stale_schedule(dag_run.run_type, dag_run.run_after) if dag_run is not None else None
            if stale:
                raise AirflowSkipException(stale)
            moment = dag_run.logical_date or dag_run.run_after if dag_run is not None else None
            try:
                return templates.resolve_targets(kind, params, moment)
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
        def build_templates(items: list[dict]) -> list[dict]:
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

        deliver(build_templates(check_ready(resolve_targets())))

    return template_report
