"""The Celery stack test's reading of the worker log, on hand-made logs (fast; no stack).

Proves that the fan-out and overlap checks of test_celery_stack.py can fail: runs one after the
other, a map index that never reached the worker, a run with no end line, a DAG without mapping.
"""

from __future__ import annotations

from tests.deploy.worker_log import fan_out_problems, mapped_by_task, overlapping_pairs, parse_worker_log
import pytest

pytestmark = pytest.mark.unit

RUN = "manual__2026-12-03T08:50:11.211791+00:00"


def _start(ts: str, cid: str, task_id: str, map_index: int, try_number: int = 1) -> str:
    # The shape the Celery provider 3.26 logs (copied from a real worker log, fields shortened).
    return (f"{ts} [info     ] [{cid}] Executing workload in Celery: dag_rel_path=PurePosixPath('ledger_month_end.py') "
            f"bundle_info=BundleInfo(name='dags-folder', version=None) log_path='dag_id=ledger_month_end/run_id={RUN}/"
            f"task_id={task_id}/attempt={try_number}.log' ti=TaskInstanceDTO(id=UUID('01a23b18-cef9-72d4-82cd-fe6f2e600a94'), "
            f"task_id='{task_id}', dag_id='ledger_month_end', run_id='{RUN}', try_number={try_number}, "
            f"dag_version_id=UUID('01a23b18-a7ac-7fd8-9a2d-8288f2f373b6'), map_index={map_index}, hostname='', "
            f"queue='bokslut_celery_1', pool_slots=1, priority_weight=8) type='ExecuteTask' "
            f"[airflow.providers.celery.executors.celery_executor_utils] loc=celery_executor_utils.py:254")


def _end(ts: str, cid: str, outcome: str = "succeeded") -> str:
    return (f"{ts} [info     ] Task execute_workload[{cid}] {outcome} in 18.2s: None "
            f"[celery.app.trace] loc=trace.py:128")


def _cid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def _fan(intervals: list[tuple[int, str, str]], task_id: str = "load_forvaltning") -> str:
    lines = []
    for index, start, end in intervals:
        lines.append(_start(f"2026-12-03T08:{start}Z", _cid(index), task_id, index))
        if end:
            lines.append(_end(f"2026-12-03T08:{end}Z", _cid(index)))
    return "\n".join(sorted(lines))


def test_reads_task_map_index_try_and_times():
    [execution] = parse_worker_log(_fan([(2, "50:15.5", "50:47.2")]))
    assert (execution.task_id, execution.map_index, execution.try_number, execution.run_id) == ("load_forvaltning", 2, 1, RUN)
    assert execution.outcome == "succeeded"
    assert (execution.finished - execution.started).total_seconds() == 31.7


def test_parallel_map_indexes_pass():
    executions = parse_worker_log(_fan([(0, "50:00", "50:30"), (1, "50:10", "50:40"), (2, "50:31", "51:00")]))
    assert fan_out_problems(executions, {"load_forvaltning"}, fan_width=3) == []
    assert len(overlapping_pairs(executions)) == 2  # 0 with 1, 1 with 2


def test_map_indexes_one_after_the_other_fail():
    executions = parse_worker_log(_fan([(0, "50:00", "50:30"), (1, "50:30", "50:40"), (2, "50:41", "51:00")]))
    assert overlapping_pairs(executions) == []
    assert any("overlapped" in p for p in fan_out_problems(executions, {"load_forvaltning"}, fan_width=3))


def test_a_map_index_missing_from_the_worker_fails():
    executions = parse_worker_log(_fan([(0, "50:00", "50:30"), (1, "50:10", "50:40")]))
    problems = fan_out_problems(executions, {"load_forvaltning"}, fan_width=3)
    assert problems == ["load_forvaltning: 2 map indexes succeeded on the worker ([0, 1]), expected at least 3"]


def test_a_run_without_end_or_that_failed_proves_nothing():
    text = _fan([(0, "50:00", "50:30"), (1, "50:10", ""), (2, "50:12", "")])
    text += "\n" + _end("2026-12-03T08:50:20Z", _cid(2), "raised")
    executions = parse_worker_log(text)
    assert [e.outcome for e in executions] == ["succeeded", None, "raised"]
    assert overlapping_pairs(executions) == []
    assert len(fan_out_problems(executions, {"load_forvaltning"}, fan_width=3)) == 2


def test_overlap_of_two_different_tasks_is_not_a_fan_out():
    text = _fan([(0, "50:00", "50:30")], "load_forvaltning") + "\n" + _fan([(1, "50:10", "50:40")], "build_reports")
    executions = parse_worker_log(text)
    assert len(overlapping_pairs(executions)) == 1
    assert any("overlapped" in p for p in fan_out_problems(executions, {"load_forvaltning", "build_reports"}, 1))
    assert set(mapped_by_task(executions)) == {"load_forvaltning", "build_reports"}


def test_no_mapped_task_is_named():
    assert fan_out_problems([], set(), fan_width=3) == ["the DAG has no mapped task: nothing fans out per förvaltning"]


def test_unmapped_instances_are_not_mapped():
    executions = parse_worker_log(_fan([(0, "50:00", "50:30")]).replace("map_index=0", "map_index=-1"))
    assert mapped_by_task(executions) == {}
