"""Every DAG file parses fast, without errors, and follows the house rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bokslut.dag_defaults import on_task_failure

pytestmark = pytest.mark.unit

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
ALLOWED_TAGS = {"bokslut", "ledger", "controls", "templates", "hr", "ber"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    # Parsing must not touch the warehouse: point it at a path that cannot be created.
    os.environ["BOKSLUT_WAREHOUSE_URL"] = "sqlite:////nonexistent-dir/never/created.sqlite"
    try:
        from airflow.dag_processing.dagbag import DagBag

        yield DagBag(dag_folder=str(DAGS_DIR))
    finally:
        del os.environ["BOKSLUT_WAREHOUSE_URL"]


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_every_dag_file_parses_in_under_a_second(dagbag):
    stats = {s.file: s.duration.total_seconds() for s in dagbag.dagbag_stats}
    assert set(stats) == {p.name for p in DAGS_DIR.glob("*.py")}
    slow = {f: d for f, d in stats.items() if d >= 1.0}
    assert not slow, f"DAG files too slow to parse: {slow}"


def test_dag_id_is_file_name(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


def test_house_rules(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and "fel" in dag.doc_md.lower(), f"{dag_id}: doc_md must say what to do on failure"
        assert set(dag.tags) <= ALLOWED_TAGS and dag.tags, f"{dag_id}: tags {dag.tags}"
        assert not dag.catchup, f"{dag_id}: catchup must be off"
        for task in dag.tasks:
            assert task.owner == "ekonomi-data", f"{dag_id}.{task.task_id}: owner"


# The DAGs that deliberately do not retry: landing_watch runs again in ten minutes anyway.
NO_RETRY_DAGS = {"landing_watch"}


def retries_problems(dags: dict) -> list[str]:
    """Tasks whose retries differ from the policy: the shared DEFAULT_ARGS, 0 for NO_RETRY_DAGS.
    Compared with the policy, not with the DAG's own default_args, which a DAG could set to anything."""
    from bokslut.dag_defaults import DEFAULT_ARGS

    problems = []
    for dag_id, dag in dags.items():
        expected = 0 if dag_id in NO_RETRY_DAGS else DEFAULT_ARGS["retries"]
        if not dag.tasks:
            problems.append(f"{dag_id}: no tasks")
        problems += [f"{dag_id}.{task.task_id}: retries {task.retries}, policy {expected}"
                     for task in dag.tasks if task.retries != expected]
    return problems


def test_every_task_retries_as_the_policy_says(dagbag):
    from bokslut.dag_defaults import DEFAULT_ARGS

    # retries is 0 when unset: a policy of 0 would let a DAG without default_args pass
    assert DEFAULT_ARGS["retries"] >= 1
    # every DAG file's DAG is checked, so the loop cannot pass over nothing
    assert set(dagbag.dags) == {p.stem for p in DAGS_DIR.glob("*.py")}
    assert retries_problems(dagbag.dags) == []


def test_the_retries_rule_catches_a_dag_that_does_not_retry():
    """The rule above can fail: a DAG without default_args (retries 0) and a task overriding them."""
    import pendulum
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.empty import EmptyOperator

    from bokslut.dag_defaults import DEFAULT_ARGS

    with DAG("no_defaults", schedule=None, start_date=pendulum.datetime(2024, 1, 1)) as bare:
        EmptyOperator(task_id="t")
    with DAG("override", schedule=None, start_date=pendulum.datetime(2024, 1, 1), default_args=DEFAULT_ARGS) as override:
        EmptyOperator(task_id="ok")
        EmptyOperator(task_id="no_retry", retries=0)
    with DAG("landing_watch", schedule=None, start_date=pendulum.datetime(2024, 1, 1), default_args=DEFAULT_ARGS) as watch:
        EmptyOperator(task_id="retries_although_it_should_not")
    with DAG("empty", schedule=None, start_date=pendulum.datetime(2024, 1, 1)) as empty:
        pass

    policy = DEFAULT_ARGS["retries"]
    assert retries_problems({"no_defaults": bare, "override": override, "landing_watch": watch, "empty": empty}) == [
        f"no_defaults.t: retries 0, policy {policy}",
        f"override.no_retry: retries 0, policy {policy}",
        f"landing_watch.retries_although_it_should_not: retries {policy}, policy 0",
        "empty: no tasks",
    ]


def test_every_task_alerts_when_it_fails(dagbag):
    """A failed task of any DAG alerts (e-mail, Slack) through the shared failure callback."""
    assert dagbag.dags
    for dag_id, dag in dagbag.dags.items():
        for task in dag.tasks:
            callback = task.on_failure_callback  # a mapped task keeps the bare function until it is unmapped
            callbacks = list(callback) if isinstance(callback, (list, tuple)) else [callback]
            assert on_task_failure in callbacks, f"{dag_id}.{task.task_id}: no on_failure_callback"


def test_dag_files_import_nothing_heavy():
    """Heavy libraries are imported inside tasks only (parse time stays flat)."""
    for path in DAGS_DIR.glob("*.py"):
        top_level = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(("import ", "from "))]
        for line in top_level:
            for heavy in ("pandas", "openpyxl", "great_expectations", "sqlalchemy", "bokslut.flows", "bokslut.reports", "bokslut.alerts"):
                assert heavy not in line, f"{path.name}: '{line}' at module level"


def test_the_dag_builders_import_nothing_heavy():
    """dags/*.py import ``bokslut.dag_factories`` at parse time: beyond what the DAG files import
    anyway (airflow.sdk, bokslut.dag_defaults) it adds no data library and no flow (tasks import those)."""
    probe = "import sys, {}; print(' '.join(sorted(sys.modules)))"

    def modules(imports: str) -> set[str]:
        return set(subprocess.run([sys.executable, "-c", probe.format(imports)], capture_output=True, text=True,
                                  check=True).stdout.split())

    added = modules("airflow.sdk, bokslut.dag_defaults, bokslut.dag_factories") - modules("airflow.sdk, bokslut.dag_defaults")
    assert "bokslut.dag_factories" in added
    heavy = {"pandas", "pyarrow", "great_expectations", "sqlalchemy", "openpyxl", "alembic", "duckdb"}
    lazy = {f"bokslut.{p}" for p in ("flows", "controls", "templates", "reports", "ingest", "hr", "warehouse", "lineage",
                                     "generator", "cli", "dataset_lineage")}
    assert {m for m in added if m.split(".")[0] in heavy or ".".join(m.split(".")[:2]) in lazy} == set()


def test_task_ids_name_their_step(dagbag):
    """stage → audit → publish (write-audit-publish, as ``bokslut.flows`` names the steps), then the
    outputs; no task is called ``load`` or ``ingest`` (words that mean different steps elsewhere)."""
    def ids(dag_id: str) -> set[str]:
        return {t.task_id for t in dagbag.dags[dag_id].tasks}

    personal = {"discover_files", "stage", "audit", "publish", "check_rejections"}
    assert ids("hr_monthly") == personal | {"build_key_figures"}
    assert ids("ber_monthly") == personal | {"build_statistics"}
    assert ids("tertial_report") == ids("year_end_report") == {"resolve_targets", "check_ready", "build_templates",
                                                               "deliver"}
    for dag_id in dagbag.dags:
        assert not ids(dag_id) & {"load", "ingest", "validate_input", "build"}, dag_id


def test_month_end_fans_out_per_forvaltning(dagbag):
    """The tasks the Celery test and the operators look for: one mapped instance per förvaltning."""
    month_end = dagbag.dags["ledger_month_end"]
    mapped = {t.task_id for t in month_end.tasks if getattr(t, "is_mapped", False)}
    assert mapped == {"close_forvaltning", "build_reports", "check_rejections"}
    assert {t.task_id for t in month_end.tasks} == mapped | {"discover_files", "plan_forvaltningar", "announce_published"}


def test_month_end_is_triggered_by_the_landing_asset(dagbag):
    from bokslut.dag_defaults import LANDING_ASSET

    month_end = dagbag.dags["ledger_month_end"]
    watcher = dagbag.dags["landing_watch"]
    assert LANDING_ASSET in month_end.timetable.asset_condition.objects
    assert LANDING_ASSET in watcher.get_task("announce_new_files").outlets
