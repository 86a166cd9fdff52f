"""Every DAG file parses fast, without errors, and follows the house rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bokslut.dag_defaults import on_task_failure

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
            # retries is 0 when unset, so "is not None" could not fail: each DAG states its retries in
            # default_args (the shared DEFAULT_ARGS, or a deliberate override) and every task gets them
            assert "retries" in dag.default_args, f"{dag_id}: default_args without retries"
            assert task.retries == dag.default_args["retries"], f"{dag_id}.{task.task_id}: retries {task.retries}"


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
