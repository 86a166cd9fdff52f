"""Stage the independent files of one run side by side, in worker processes (issue 10).

Staging a file is mostly parsing and type checks (one core each); the warehouse writes of two
workers take turns (SQLite's write lock, waited for through ``busy_timeout``; PostgreSQL rows of
different loads never conflict). Nothing about publishing changes: every file still gets its own
load id, invisible until ``publish`` swaps the pointers, in the parent, in input order.

Guarantees kept:

* Workers are started with ``spawn``: no fork of a process holding SQLAlchemy connections. Each
  builds its own engine from the warehouse URL (the parent has migrated already).
* Every load a worker creates carries ``details.run`` (``ingest.write_audit_publish.OWNER_RUN``), as the loads of
  a staging call in one process do. When the parent is interrupted (SIGTERM raises in the parent
  only, Ctrl-C is ignored by the workers) or a worker raises (a bug), the parent terminates the
  workers, waits for them, and rejects every load of the run still ``laddar`` or ``laddad`` –
  including those finished but not yet reported – before the exception goes on
  (``flows.ledger.stage``). A bad input file is not an exception: its result says ``avvisad``.
* The caller's ``__main__`` must be import-safe (``if __name__ == "__main__"``), as for any
  ``spawn``: the CLI's entry point, Airflow's and pytest's are.
* Results come back in input order; the workers' log records and progress lines are passed to the
  parent and emitted there (the task log, the CLI's stderr).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

# Below this much input the processes' start-up (a fresh interpreter importing pandas, pyarrow and
# SQLAlchemy, ~1.5-2 s) costs more than the second core saves. Measured on 2 cores (issue 10):
# 2 files / 18 MB and 4 files / 36 MB were slower or no faster with 2 workers on SQLite and
# PostgreSQL; 15 files / 140 MB (1M rows) took 21-25 s -> 13.5-14.3 s on PostgreSQL, 19.7 s -> 17.0 s
# on SQLite (its one write lock serialises the inserts), with no gain while other work held both cores.
MIN_PARALLEL_BYTES = 64 * 1024 * 1024
# A worker waits for a sibling's chunk transaction to commit: longer than db.py's 30 s, since that
# wait is expected here and a commit of a big chunk on a busy machine may take a while.
WORKER_BUSY_TIMEOUT_MS = 300_000
STOP_GRACE_SECONDS = 10


def _daemonic() -> bool:
    """Whether this process may not start children of its own (a Celery/billiard pool process)."""
    if multiprocessing.current_process().daemon:
        return True
    billiard = sys.modules.get("billiard")
    if billiard is not None:
        try:
            return bool(billiard.current_process().daemon)
        except Exception:  # noqa: BLE001 - an unexpected billiard: take the safe path
            return True
    return False


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # missing or unreadable: staging rejects it with the reason


def worker_count(files: list[dict[str, str]], engine, configured: int) -> int:  # noqa: ANN001
    """How many processes should stage ``files``: 1 (in this process, one after another) unless
    more than one file, core and configured worker, a warehouse a second process can open, enough
    input to pay for the start-up, and a process allowed to have children."""
    wanted = min(configured, len(files), os.cpu_count() or 1)
    if wanted < 2:
        return 1
    url = engine.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"
                                              or url.database.startswith("file:")):
        return 1  # an in-memory (or creator-made) SQLite database exists only in this process
    if sum(_size(item["path"]) for item in files) < MIN_PARALLEL_BYTES:
        return 1
    if _daemonic():
        log.info("Filerna läses in en i taget: processen är en daemon (t.ex. en Celery-arbetare) och får inte "
                 "starta egna processer.")
        return 1
    return wanted


# ------------------------------------------------------------------------------ in the worker

_MESSAGES = None  # the queue to the parent, set by _init_worker


def _die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this worker when its parent dies (killed with SIGKILL, no clean-up ran), so
    no orphan goes on staging: its load stays 'laddar' under a dead pid, which the next run's
    ``clean_abandoned_loads`` rejects. Best effort elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _init_worker(run: str, messages, level: int, parent: int | None = None) -> None:  # noqa: ANN001 - a queue
    global _MESSAGES
    if parent is not None and sys.platform.startswith("linux"):
        _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent stops the workers and cleans up after them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from logging.handlers import QueueHandler

    from bokslut.ingest.write_audit_publish import OWNER_RUN

    OWNER_RUN.set(run)  # the worker runs every call in this thread and context
    _MESSAGES = messages
    root = logging.getLogger()
    root.handlers[:] = [QueueHandler(messages)]
    root.setLevel(level)


def _worker_engine(url: str):  # noqa: ANN202 - a SQLAlchemy Engine
    import sqlalchemy as sa

    from bokslut.warehouse.db import get_engine

    engine = get_engine(url)  # db.py's pragmas (busy_timeout, WAL, foreign keys) apply
    if engine.dialect.name == "sqlite" and not getattr(engine, "_bokslut_worker", False):
        @sa.event.listens_for(engine, "connect")
        def _wait_longer(dbapi_connection, _record) -> None:  # noqa: ANN001 - after db.py's listener
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={WORKER_BUSY_TIMEOUT_MS}")
            cursor.close()

        engine._bokslut_worker = True
    return engine


def _stage_one(index: int, url: str, item: dict[str, str], settings, mapping_path, force: bool) -> dict:  # noqa: ANN001
    from dataclasses import asdict

    from bokslut.ingest.write_audit_publish import stage_file

    engine = _worker_engine(url)
    _MESSAGES.put(("start", index, os.getpid()))
    result = stage_file(engine, Path(item["path"]), item["source"], settings=settings, mapping_path=mapping_path,
                        force=force, progress=lambda text: _MESSAGES.put(("progress", index, text)))
    return {**asdict(result), "path": item["path"]}


# ------------------------------------------------------------------------------ in the parent


def max_load_id(engine) -> int:  # noqa: ANN001
    import sqlalchemy as sa

    from bokslut.warehouse.schema import load_audit

    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.max(load_audit.c.load_id))).scalar() or 0


def _emit(message, on_start: Callable[[int], None], progress: Callable[[str], None]) -> None:  # noqa: ANN001
    if isinstance(message, logging.LogRecord):
        logger = logging.getLogger(message.name)
        if logger.isEnabledFor(message.levelno):
            logger.handle(message)
    elif message[0] == "start":
        on_start(message[1])
    else:
        progress(message[2])


def _drain(messages, on_start, progress) -> None:  # noqa: ANN001
    while True:
        try:
            message = messages.get_nowait()
        except queue.Empty:
            return
        _emit(message, on_start, progress)


def _stop(executor) -> None:  # noqa: ANN001
    """Terminate the workers (SIGTERM: they die at once, mid-transaction if need be: the database
    rolls that back) and wait until every one is gone, so none writes after the clean-up."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    executor.shutdown(wait=False, cancel_futures=True)


def reject_run(engine, run: str, after: int) -> list[int]:  # noqa: ANN001
    """Reject every load of ``run`` (newer than ``after``) still loading or staged; returns their ids."""
    import json

    import sqlalchemy as sa

    from bokslut.ingest.formats import SOURCES
    from bokslut.ingest.write_audit_publish import _reject
    from bokslut.ingest.status import LoadStatus
    from bokslut.warehouse.schema import load_audit

    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            load_audit.c.load_id, load_audit.c.source, load_audit.c.status, load_audit.c.details,
            load_audit.c.rows_read, load_audit.c.rows_quarantined,
        ).where(load_audit.c.load_id > after,
                load_audit.c.status.in_([LoadStatus.LOADING, LoadStatus.STAGED]))).all()
    rejected = []
    for row in rows:
        try:
            owner = json.loads(row.details or "{}")
        except ValueError:
            continue
        if not isinstance(owner, dict) or owner.get("run") != run:
            continue
        reason = ("Inläsningen avbröts innan den var klar; inget publicerades." if row.status == LoadStatus.LOADING
                  else "Körningen avbröts innan laddningen publicerades; inget publicerades.")
        _reject(engine, row.load_id, SOURCES[row.source], reason, row.rows_read,
                row.rows_quarantined if row.status == LoadStatus.STAGED else 0)
        rejected.append(row.load_id)
    return rejected


def stage_parallel(files: list[dict[str, str]], workers: int, *, run: str, engine, settings,  # noqa: ANN001
                   mapping_path: Path | None, force: bool, progress: Callable[[str], None],
                   on_start: Callable[[int], None], on_result: Callable[[dict], None]) -> list[dict]:
    """Stage ``files`` in ``workers`` spawned processes, their loads owned by ``run``; the result
    dicts in input order. ``on_start(index)`` when a worker starts a file, ``on_result(result)`` in
    input order. On any exception the workers are terminated and waited for before it goes on: the
    caller then rejects the run's loads (``reject_run``), knowing nobody writes any more."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from bokslut.problems import EnvironmentProblem

    context = multiprocessing.get_context("spawn")
    url = engine.url.render_as_string(hide_password=False)  # to the workers through a pipe, never argv
    messages = context.Queue()
    results: dict[int, dict] = {}
    reported = 0
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(run, messages, logging.getLogger().getEffectiveLevel(), os.getpid()))
    try:
        # the biggest files first: the last file to finish is a small one, both cores stay busy
        order = sorted(range(len(files)), key=lambda i: -_size(files[i]["path"]))
        futures = {executor.submit(_stage_one, i, url, files[i], settings, mapping_path, force): i for i in order}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(messages, on_start, progress)
            for future in done:
                try:
                    results[futures[future]] = future.result()  # a worker's exception is raised here
                except BrokenProcessPool as exc:  # a worker killed outright (out of memory, a signal)
                    raise EnvironmentProblem(
                        "En inläsningsprocess avslutades oväntat (slut på minne eller dödad av systemet); inget "
                        "från körningen publicerades. Sätt BOKSLUT_STAGE_WORKERS=1 eller en lägre "
                        "BOKSLUT_CHUNK_ROWS och kör igen.") from exc
            while reported in results:
                on_result(results[reported])
                reported += 1
        executor.shutdown(wait=True)  # the workers exit, flushing what they still had to say
        _drain(messages, on_start, progress)
    except BaseException:
        _stop(executor)
        raise
    finally:
        messages.close()
        messages.cancel_join_thread()
    return [results[i] for i in range(len(files))]
