"""What a Celery worker's log says it ran, and which of those runs overlapped in time.

The Celery provider (3.26) logs, in the worker process, one line when a task instance starts

    <ts> [info] [<celery id>] Executing workload in Celery: ... ti=TaskInstanceDTO(..., task_id='stage',
         dag_id='ledger_month_end', run_id='manual__…', try_number=1, ..., map_index=-1, ...) ...

and Celery one line when it ends: ``<ts> [info] Task execute_workload[<celery id>] succeeded in 18.2s``
(or ``raised …`` / ``failed …``). Pairing them by the Celery id gives, from the worker's own log,
which task instance (task id, map index, try) ran there and from when to when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

_TS = r"(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?)"
_START = re.compile(_TS + r".*?\[(?P<cid>[0-9a-f-]{36})\] Executing workload in Celery: (?P<body>.*)$")
_END = re.compile(_TS + r".*?Task execute_workload\[(?P<cid>[0-9a-f-]{36})\] (?P<outcome>succeeded|raised|failed|ignored)")


def _field(body: str, name: str) -> str | None:
    match = re.search(rf"\b{name}=(?:'(?P<q>[^']*)'|(?P<v>-?\d+))", body)
    if not match:
        return None
    return match.group("q") if match.group("q") is not None else match.group("v")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class WorkerExecution:
    celery_id: str
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int
    started: datetime
    finished: datetime | None  # None: no end line (still running, or the worker died)
    outcome: str | None  # succeeded | raised | failed | ignored

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.task_id, self.map_index, self.try_number)

    def overlaps(self, other: WorkerExecution) -> bool:
        """Both ran at one moment (closed runs only: an unfinished run proves nothing)."""
        if self.finished is None or other.finished is None:
            return False
        return self.started < other.finished and other.started < self.finished


def parse_worker_log(text: str) -> list[WorkerExecution]:
    starts: dict[str, tuple[datetime, str]] = {}
    ends: dict[str, tuple[datetime, str]] = {}
    for line in text.splitlines():
        if match := _START.search(line):
            starts[match.group("cid")] = (_time(match.group("ts")), match.group("body"))
        elif match := _END.search(line):
            ends[match.group("cid")] = (_time(match.group("ts")), match.group("outcome"))
    executions = []
    for cid, (started, body) in starts.items():
        ti = body[body.find("ti=TaskInstanceDTO("):]
        if not ti:
            continue
        finished, outcome = ends.get(cid, (None, None))
        executions.append(WorkerExecution(
            celery_id=cid, dag_id=_field(ti, "dag_id") or "", run_id=_field(ti, "run_id") or "",
            task_id=_field(ti, "task_id") or "", map_index=int(_field(ti, "map_index") or -1),
            try_number=int(_field(ti, "try_number") or 0), started=started, finished=finished, outcome=outcome))
    return sorted(executions, key=lambda e: e.started)


def overlapping_pairs(executions: list[WorkerExecution]) -> list[tuple[WorkerExecution, WorkerExecution]]:
    """Every pair of successful runs that were running at the same moment."""
    done = [e for e in executions if e.outcome == "succeeded"]
    return [(a, b) for a, b in combinations(done, 2) if a.overlaps(b)]


def mapped_by_task(executions: list[WorkerExecution]) -> dict[str, list[WorkerExecution]]:
    """Mapped task instances (map index ≥ 0), grouped by task id: the per-förvaltning fan-out."""
    groups: dict[str, list[WorkerExecution]] = {}
    for execution in executions:
        if execution.map_index >= 0:
            groups.setdefault(execution.task_id, []).append(execution)
    return groups


def fan_out_problems(executions: list[WorkerExecution], mapped_task_ids: set[str], fan_width: int) -> list[str]:
    """Why the worker's log does not show a fan-out that ran in parallel, or ``[]``.

    For every mapped task id: at least ``fan_width`` distinct map indexes succeeded on the worker
    (one per förvaltning and file set). And at least one mapped task id has two map indexes whose
    runs overlapped in time (the workers processed förvaltningar in parallel).
    """
    problems = []
    if not mapped_task_ids:
        return ["the DAG has no mapped task: nothing fans out per förvaltning"]
    groups = mapped_by_task(executions)
    parallel = False
    for task_id in sorted(mapped_task_ids):
        runs = [e for e in groups.get(task_id, []) if e.outcome == "succeeded"]
        indexes = {e.map_index for e in runs}
        if len(indexes) < fan_width:
            problems.append(f"{task_id}: {len(indexes)} map indexes succeeded on the worker "
                            f"({sorted(indexes)}), expected at least {fan_width}")
        if any(a.map_index != b.map_index for a, b in overlapping_pairs(runs)):
            parallel = True
    if not parallel:
        problems.append(f"no two map indexes of one mapped task ({sorted(mapped_task_ids)}) overlapped in time")
    return problems
