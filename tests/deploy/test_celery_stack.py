"""The distributed engine, proven (issue 9, item 6): ledger_month_end on the real CeleryExecutor.

Starts Airflow 3's api-server, scheduler, dag-processor, triggerer and a Celery worker with
concurrency 2 from the venv (``tests/deploy/celery_stack.py``), metadata DB and warehouse on the
local PostgreSQL, broker on the local Redis; delivers ledger files of three förvaltningar to the
landing folder; triggers ``ledger_month_end`` through the REST API (/api/v2, JWT from /auth/token);
then proves from the worker's own log that every task instance ran on the worker and that runs
overlapped in time, checks the published figures in the warehouse against the delivered files, and
that no process of the stack outlives it. docs/deployment.md ("The Celery stack test") lists the
commands. About 3–5 minutes on the 2-core machine; ``make test-celery`` runs it alone.

Without PostgreSQL or Redis the test is skipped with the reason, unless
``BOKSLUT_CELERY_STACK_REQUIRED=1`` (set by .ci/run), which makes a missing service a failure.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.deploy.celery_stack import WORKER_CONCURRENCY, CeleryStack
from tests.deploy.worker_log import fan_out_problems, overlapping_pairs, parse_worker_log

pytestmark = [pytest.mark.celery_stack, pytest.mark.postgres]

DAG_ID = "ledger_month_end"
FORVALTNINGAR = ("191", "150", "160")
PERIODS = ("202400", "202401", "202402")  # the opening balances and two months: enough to publish, quick to load
ADMIN_PG_URL = os.environ.get("BOKSLUT_CELERY_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = ("127.0.0.1", 6379)


def _services_problem() -> str | None:
    try:
        engine = sa.create_engine(ADMIN_PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"PostgreSQL at {ADMIN_PG_URL}: {type(exc).__name__}: {exc}".splitlines()[0]
    try:
        import redis

        redis.Redis(host=REDIS[0], port=REDIS[1], socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {REDIS[0]}:{REDIS[1]}: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


@pytest.fixture(scope="module")
def services() -> None:
    problem = _services_problem()
    if problem and os.environ.get("BOKSLUT_CELERY_STACK_REQUIRED") == "1":
        pytest.fail(f"the Celery stack test needs {problem}")
    if problem:
        pytest.skip(f"the Celery stack test needs {problem}")


# ---------------------------------------------------------------------------- the city's files


def _ledger_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _is_ledger(path: Path) -> bool:
    with open(path, "rb") as handle:
        header = handle.readline().decode("utf-8-sig", errors="replace").strip().split(";")
    return all(column in header for column in ("Förvaltning", "Period", "Konto", "Vertyp", "Belopp"))


@pytest.fixture(scope="module")
def city_files(services, tmp_path_factory) -> list[Path]:
    """Ledger files of periods PERIODS for every förvaltning of FORVALTNINGAR, from the city
    generator (``bokslut demo-data --forvaltning 191,150,…``)."""
    out = tmp_path_factory.mktemp("generated")
    bokslut = Path(sys.executable).parent / "bokslut"
    subprocess.run([bokslut, "demo-data", "--year", "2024", "-o", out, "--rows", "3000", "--seed", "9",
                    "--forvaltning", ",".join(FORVALTNINGAR)], check=True, capture_output=True)
    chosen = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.suffix.lower() == ".csv" and _is_ledger(p)):
        first = _ledger_rows(path)[:1]
        if first and first[0]["Period"] in PERIODS and first[0]["Förvaltning"] in FORVALTNINGAR:
            chosen.append(path)
    found = {(r["Förvaltning"], r["Period"]) for p in chosen for r in _ledger_rows(p)[:1]}
    assert found == {(fv, p) for fv in FORVALTNINGAR for p in PERIODS}, found
    return chosen


def _expected_figures(files: list[Path]) -> dict[tuple[str, int], tuple[int, int]]:
    """(förvaltning, period) → (postings, sum in öre), computed from the delivered files alone."""
    figures: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for path in files:
        for row in _ledger_rows(path):
            amount = Decimal(row["Belopp"].replace("\u00a0", "").replace(" ", "").replace(",", "."))
            entry = figures[(row["Förvaltning"], int(row["Period"]))]
            entry[0] += 1
            entry[1] += int(amount * 100)
    return {key: (count, ore) for key, (count, ore) in figures.items()}


def _published_figures(warehouse_url: str) -> dict[tuple[str, int], tuple[int, int]]:
    """The same figures as the warehouse publishes them: postings of each partition's published load."""
    engine = sa.create_engine(warehouse_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT p.forvaltning, p.period, COUNT(*), SUM(p.amount_ore) FROM posting p "
                "JOIN publication pub ON pub.source = 'ledger' AND pub.forvaltning = p.forvaltning "
                " AND pub.partition = CAST(p.period AS VARCHAR) AND pub.load_id = p.load_id "
                "GROUP BY p.forvaltning, p.period")).all()
    finally:
        engine.dispose()
    return {(fv, int(period)): (int(count), int(total)) for fv, period, count, total in rows}


# ---------------------------------------------------------------------------- the test


def _wait_for(what: str, probe, timeout: float, stack: CeleryStack, every: float = 2.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while True:
        stack._raise_if_dead()
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s\n" + "\n".join(stack.tail(n, 25) for n in
                                                                             ("scheduler", "worker", "dag-processor")))
        time.sleep(every)


def _serialized(stack: CeleryStack) -> bool:
    try:
        return stack.api("GET", f"/dags/{DAG_ID}").get("dag_id") == DAG_ID
    except RuntimeError:
        return False


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def test_ledger_month_end_fans_out_on_celery_workers(city_files, tmp_path, capsys):
    stack = CeleryStack(workdir=tmp_path / "stack", venv_bin=Path(sys.executable).parent)
    clock = {"start": time.monotonic()}
    try:
        stack.prepare()
        for path in city_files:
            shutil.copy(path, stack.data / "landing" / "ledger" / path.name)
        stack.start()
        stack.wait_ready()
        clock["ready"] = time.monotonic()
        _wait_for("DAG serialized by the dag-processor", lambda: _serialized(stack), 180, stack)

        stack.api("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
        run_id = stack.api("POST", f"/dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": {}})["dag_run_id"]

        def finished():  # noqa: ANN202
            state = stack.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
            return state if state in ("success", "failed") else None

        state = _wait_for(f"run {run_id} finished", finished, 900, stack, every=3)
        clock["run"] = time.monotonic()
        instances = stack.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=1000")["task_instances"]
        tasks = stack.api("GET", f"/dags/{DAG_ID}/tasks")["tasks"]
        summary = [(ti["task_id"], ti["map_index"], ti["state"], ti["start_date"], ti["end_date"]) for ti in instances]
        assert state == "success", f"run {state}: {summary}\n{stack.tail('worker', 60)}"

        # 1. Every task instance ran on the Celery worker: the worker's log names it (task id, map
        #    index, try) under our queue, and Celery reports it succeeded there. (Celery logs the end
        #    just after the task has told the API it succeeded: wait for the last lines.)
        ran = [ti for ti in instances if ti["state"] == "success"]
        assert ran, summary

        def worker_executions():  # noqa: ANN202
            found = [e for e in parse_worker_log((stack.logs / "worker.log").read_text(errors="replace"))
                     if e.dag_id == DAG_ID and e.run_id == run_id]
            ended = {e.key for e in found if e.outcome}
            return found if all((ti["task_id"], ti["map_index"], ti["try_number"]) in ended for ti in ran) else None

        try:
            executions = _wait_for("the worker's log ends every task instance", worker_executions, 60, stack, 1)
        except TimeoutError:
            executions = [e for e in parse_worker_log((stack.logs / "worker.log").read_text(errors="replace"))
                          if e.dag_id == DAG_ID and e.run_id == run_id]
        on_worker = {e.key: e for e in executions}
        for ti in ran:
            key = (ti["task_id"], ti["map_index"], ti["try_number"])
            assert key in on_worker, f"{key} is not in the worker's log: {sorted(on_worker)}"
            assert on_worker[key].outcome == "succeeded", on_worker[key]
            assert ti["queue"] == stack.queue, ti

        # 2. They overlapped in time. The worker's log spans more than the task (its supervisor
        #    still cleans up for seconds after the task reported success, while the next task may
        #    already start), so a pair counts only when the API's start/end dates, which the task
        #    itself reported, overlap too.
        #    ledger_month_end maps its work per förvaltning: the mapped instances must overlap.
        mapped = {t["task_id"] for t in tasks if t.get("is_mapped")}
        assert "close_forvaltning" in mapped, f"ledger_month_end does not fan out per förvaltning: {sorted(mapped)}"
        assert fan_out_problems(executions, mapped, fan_width=len(FORVALTNINGAR)) == [], summary
        pairs = [(a, b) for a, b in overlapping_pairs(executions)
                 if a.task_id == b.task_id and a.task_id in mapped and a.map_index != b.map_index]
        assert pairs, f"no two task instances overlapped on the worker: {summary}"
        by_key = {(ti["task_id"], ti["map_index"]): ti for ti in ran}
        api_overlap = [
            (a.key, b.key) for a, b in pairs
            if _when(by_key[a.key[:2]]["start_date"]) < _when(by_key[b.key[:2]]["end_date"])
            and _when(by_key[b.key[:2]]["start_date"]) < _when(by_key[a.key[:2]]["end_date"])]
        assert api_overlap, f"the worker's log shows overlap, the API's dates do not: {pairs} {summary}"
        pairs = [(a, b) for a, b in pairs if (a.key, b.key) in api_overlap]

        # 3. The published figures: per förvaltning and period, exactly the delivered postings.
        expected = _expected_figures(city_files)
        assert _published_figures(stack.warehouse_url) == expected
        for fv in FORVALTNINGAR:
            reports = list((stack.workdir / "out" / fv).rglob(f"balansrakning_{fv}_*.tsv"))
            assert reports, f"no Balansräkning for {fv} in the outbox: {list((stack.workdir / 'out').rglob('*'))}"
    finally:
        stack.close()
        clock["stopped"] = time.monotonic()

    # 4. Nothing the stack started is alive, and its databases are gone.
    assert stack.survivors() == [], stack.stop_report
    admin = sa.create_engine(ADMIN_PG_URL)
    with admin.connect() as connection:
        left = connection.execute(sa.text("SELECT datname FROM pg_database WHERE datname IN (:a, :b)"),
                                  {"a": stack.metadata_db, "b": stack.warehouse_db}).scalars().all()
    admin.dispose()
    assert left == []
    with capsys.disabled():
        t = clock
        print(f"\n[celery stack] ready {t['ready'] - t['start']:.0f} s, run {t['run'] - t['ready']:.0f} s, "
              f"stop {t['stopped'] - t['run']:.0f} s, total {t['stopped'] - t['start']:.0f} s; "
              f"worker concurrency {WORKER_CONCURRENCY}; overlapping on the worker: "
              f"{sorted({(a.task_id, a.map_index, b.task_id, b.map_index) for a, b in pairs})}; "
              f"stop: {'; '.join(stack.stop_report)}")
