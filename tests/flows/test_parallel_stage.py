"""The files of one run staged side by side in worker processes (issue 10): the same results as one
after another, on SQLite and PostgreSQL; a failing worker or an interrupted run leaves no load
staged; a daemonic process (a Celery pool worker) stages one file after another."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import bokslut.flows.parallel as parallel
from bokslut.flows.ledger import reject_all, stage
from bokslut.ingest.write_audit_publish import LoadStatus
from bokslut.settings import SettingsError, Settings, default_stage_workers
from bokslut.warehouse.schema import load_audit, posting, quarantine
from tests.ingest.ledger_files import csv_text, row


def _month(folder: Path, month: int, rows: int, *, bad: int = 0, warn: int = 0) -> dict[str, str]:
    period = f"2024{month:02d}"
    lines = [row(period, konto, f"{(i % 997) + 1},{i % 100:02d}", vernr=str(i), kontonamn=f"Konto {konto}")
             for i in range(rows) for konto in ("5021",)]
    for i in range(bad):
        lines[10 + i][-1] = "tio kronor"  # an amount that is not one: a row error, quarantined
    for i in range(warn):
        lines[20 + i][12] = ""  # no text: a warning row (quarantined, still loaded)
    path = folder / f"huvudbok_191_{period}.csv"
    path.write_text(csv_text(lines), encoding="utf-8")
    return {"source": "ledger", "path": str(path)}


@pytest.fixture
def files(tmp_path) -> list[dict[str, str]]:
    folder = tmp_path / "in"
    folder.mkdir()
    items = [_month(folder, 1, 2500, warn=3), _month(folder, 2, 1200), _month(folder, 3, 3000, bad=2),
             _month(folder, 4, 800, warn=1)]
    broken = folder / "huvudbok_191_202405.csv"
    broken.write_bytes(b"\x00\x01 inte en huvudbok")
    items.append({"source": "ledger", "path": str(broken)})
    return items


@pytest.fixture
def force_parallel(monkeypatch):
    """Small test files in two workers (the size floor is for real runs), also on a one-core machine."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def _snapshot(engine, results: list[dict]) -> dict[str, dict]:
    """Per file: everything staging decided, without the load ids (they differ between runs)."""
    out = {}
    with engine.connect() as connection:
        for item in results:
            load_id = item["load_id"]
            rows = connection.execute(sa.select(*[c for c in posting.c if c.name not in ("load_id", "id")])
                                      .where(posting.c.load_id == load_id)).all()
            issues = connection.execute(sa.select(quarantine.c.file_name, quarantine.c.line_no,
                                                  quarantine.c.column_name, quarantine.c.value,
                                                  quarantine.c.reason, quarantine.c.severity)
                                        .where(quarantine.c.load_id == load_id)).all()
            out[item["file_name"]] = {
                **{k: v for k, v in item.items() if k != "load_id"},
                "message": re.sub(r"laddning \d+", "laddning N", item["message"]),
                "rows": sorted(map(tuple, rows), key=repr), "quarantine": sorted(map(tuple, issues), key=repr)}
    return out


def _details(engine, load_ids) -> list[dict]:  # noqa: ANN001
    with engine.connect() as connection:
        return [json.loads(d or "{}") for d in connection.execute(
            sa.select(load_audit.c.details).where(load_audit.c.load_id.in_(load_ids))).scalars()]


@pytest.mark.unit
def test_parallel_staging_gives_the_same_results_as_one_by_one(engine, settings, files, force_parallel, caplog):
    import logging

    caplog.set_level(logging.INFO)
    one = stage(files, engine=engine, settings=dataclasses.replace(settings, stage_workers=1))
    expected = _snapshot(engine, one)
    reject_all(engine, one)  # the same files again, from a clean slate

    said: list[str] = []
    two = stage(files, engine=engine, settings=dataclasses.replace(settings, stage_workers=2), progress=said.append)
    assert _snapshot(engine, two) == expected
    assert [r["path"] for r in two] == [f["path"] for f in files]  # input order
    assert sorted(r["status"] for r in two) == [LoadStatus.REJECTED, LoadStatus.REJECTED, LoadStatus.STAGED,
                                               LoadStatus.STAGED, LoadStatus.STAGED]
    assert sum(r["rows_loaded"] for r in two) == 2500 + 1200 + 800
    assert "5 filer läses in i 2 processer samtidigt." in caplog.messages
    # every file's "Läser …" line once, and its chunk progress, from the workers
    assert sorted(s for s in said if s.startswith("Läser ")) == sorted(
        f"Läser {f['path']} (ledger) …" for f in files)
    assert any("rader lästa" in s for s in said)
    # each file's verdict in the log, in input order
    verdicts = [m for m in caplog.messages if re.match(r"huvudbok_191_2024\d\d\.csv: ", m)]
    assert verdicts[-5:] == [f"{r['file_name']}: {r['status']} – {r['message']}" for r in two]
    # staged by other processes, which recorded themselves; the account names survive for publish
    staged = [r["load_id"] for r in two if r["status"] == LoadStatus.STAGED]
    details = _details(engine, staged)
    assert all(d["pid"] != os.getpid() and d["run"] and d["kontonamn"]["5021"] for d in details)


def _in_workers_staging(tmp_path, monkeypatch, file_name: str, statement: str) -> None:  # noqa: ANN001
    """Make spawned workers run ``statement`` at the first progress line of ``file_name`` (a
    sitecustomize on their PYTHONPATH: they import nothing of the test process)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os\n"
        "if os.environ.get('BOKSLUT_TEST_HOOK_FILE'):\n"
        "    from bokslut.ingest import write_audit_publish\n"
        "    original = write_audit_publish.stage_file\n"
        "    def stage_file(engine, path, source, **kw):\n"
        "        if path.name == os.environ['BOKSLUT_TEST_HOOK_FILE']:\n"
        "            calls = []\n"
        "            def progress(text):\n"
        "                calls.append(text)\n"
        "                if len(calls) == 1:\n"
        f"                    {statement}\n"
        "            kw['progress'] = progress\n"
        "        return original(engine, path, source, **kw)\n"
        "    write_audit_publish.stage_file = stage_file\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("BOKSLUT_TEST_HOOK_FILE", file_name)


@pytest.mark.unit
def test_a_worker_that_raises_leaves_no_load_staged(engine, settings, tmp_path, force_parallel, monkeypatch):
    """A bug in a worker (not a bad file) reaches the caller as the exception, after every load of
    the run, in that worker and in the other one, is rejected."""
    folder = tmp_path / "in"
    folder.mkdir()
    items = [_month(folder, 1, 60_000)] + [_month(folder, m, 200) for m in range(2, 9)]
    _in_workers_staging(tmp_path, monkeypatch, "huvudbok_191_202401.csv",
                        "raise RuntimeError('fel i arbetaren (test)')")
    with pytest.raises(RuntimeError, match="fel i arbetaren"):
        stage(items, engine=engine, settings=dataclasses.replace(settings, stage_workers=2))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(load_audit.c.file_name, load_audit.c.status, load_audit.c.message)).all()
        assert rows and all(r.status == LoadStatus.REJECTED for r in rows), rows
        assert connection.execute(sa.select(sa.func.count()).select_from(posting)).scalar() == 0
    failed = [r for r in rows if r.file_name == "huvudbok_191_202401.csv"]
    assert len(failed) == 1 and "internt fel" in failed[0].message
    # the other worker had staged files of the run meanwhile: rejected by the parent, not left staged
    assert any("Körningen avbröts" in r.message for r in rows), rows


@pytest.mark.unit
def test_a_daemonic_process_stages_one_file_after_another(engine, settings, files, force_parallel, monkeypatch,
                                                          caplog):
    import logging

    caplog.set_level(logging.INFO)
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    results = stage(files, engine=engine, settings=dataclasses.replace(settings, stage_workers=2))
    assert any("en i taget" in m and "daemon" in m for m in caplog.messages)
    staged = [r["load_id"] for r in results if r["status"] == LoadStatus.STAGED]
    assert len(staged) == 3
    assert all(d["pid"] == os.getpid() for d in _details(engine, staged))  # staged here, by this process


@pytest.mark.unit
def test_when_one_process_suffices(settings, files, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    disk = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    memory = sa.create_engine("sqlite://")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    assert parallel.worker_count(files, disk, 2) == 2
    assert parallel.worker_count(files, disk, 8) == 2  # never more than the cores
    assert parallel.worker_count(files, disk, 1) == 1  # BOKSLUT_STAGE_WORKERS=1
    assert parallel.worker_count(files[:1], disk, 2) == 1
    assert parallel.worker_count(files, memory, 2) == 1  # only this process sees it
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert parallel.worker_count(files, disk, 2) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 64 * 1024 * 1024)
    assert parallel.worker_count(files, disk, 2) == 1  # small files: the start-up would cost more


@pytest.mark.unit
def test_stage_workers_setting(monkeypatch):
    monkeypatch.delenv("BOKSLUT_STAGE_WORKERS", raising=False)
    assert Settings.from_env().stage_workers == default_stage_workers() == min(2, os.cpu_count() or 1)
    monkeypatch.setenv("BOKSLUT_STAGE_WORKERS", "1")
    assert Settings.from_env().stage_workers == 1
    monkeypatch.setenv("BOKSLUT_STAGE_WORKERS", "två")
    with pytest.raises(SettingsError, match="BOKSLUT_STAGE_WORKERS"):
        Settings.from_env()


# --- SIGTERM while two workers stage -------------------------------------------------------------

@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    from bokslut.generator import generate

    out = tmp_path_factory.mktemp("year")
    generate(2024, out, rows=200_000)
    return out / "ledger"


def _load_in_two_workers(year, tmp_path, **popen) -> subprocess.Popen:  # noqa: ANN001
    """``bokslut load ledger <year>`` in a child process, its files staged by two workers (the size
    floor lowered), in many small chunks so there is time to interrupt it."""
    env = {**os.environ, "BOKSLUT_DATA_DIR": str(tmp_path / "data"),
           "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'data' / 'w.sqlite'}",
           "BOKSLUT_ARCHIVE_DIR": str(tmp_path / "archive"), "BOKSLUT_OUTBOX_DIR": str(tmp_path / "out"),
           "BOKSLUT_LANDING_DIR": str(tmp_path / "landing"), "BOKSLUT_CHUNK_ROWS": "1000",
           "BOKSLUT_STAGE_WORKERS": "2"}
    code = ("import os, sys; os.cpu_count = lambda: 2; import bokslut.flows.parallel as p; p.MIN_PARALLEL_BYTES = 0; "
            "from bokslut.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.Popen([sys.executable, "-c", code, "load", "ledger", str(year)], env=env, **popen)


@pytest.mark.integration
def test_sigterm_while_workers_stage_rejects_every_load(year, tmp_path):
    """``bokslut load`` (the size floor lowered so these files go to two workers) is sent SIGTERM
    after files were staged by the workers: every load of the run ends 'avvisad', nothing published,
    one Swedish error line, exit 130, no worker left behind."""
    proc = _load_in_two_workers(year, tmp_path, stderr=subprocess.PIPE, text=True)
    db = tmp_path / "data" / "w.sqlite"
    deadline = time.monotonic() + 120
    seen = False
    while not seen and time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                seen = c.execute("SELECT COUNT(*) FROM load_audit WHERE status = 'laddad'").fetchone()[0] >= 2 \
                    and c.execute("SELECT COUNT(*) FROM load_audit WHERE status = 'laddar'").fetchone()[0] >= 1
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    assert seen and proc.poll() is None, "the load ended before it could be interrupted"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        owners = {json.loads(d)["pid"] for (d,) in c.execute("SELECT details FROM load_audit")}
    assert proc.pid not in owners  # staged by the workers
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("fel:")]
    assert len(lines) == 1 and "avbröts" in lines[0], err
    for pid in owners:  # the workers are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with sqlite3.connect(db) as c:
        statuses = c.execute("SELECT load_id, status FROM load_audit").fetchall()
        assert statuses and all(status == "avvisad" for _, status in statuses), statuses
        assert c.execute("SELECT COUNT(*) FROM posting").fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM posting_aggregate").fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM publication").fetchone()[0] == 0


@pytest.mark.unit
def test_interrupted_right_after_a_load_was_created_it_is_rejected_too(engine, settings, files, monkeypatch):
    """One file after another: a signal landing after a load's creation was committed, before
    staging could clean it up itself, leaves it 'laddar' no more; a load of another call of this
    process (a thread staging another förvaltning) is left alone."""
    from bokslut.ingest import write_audit_publish as wap
    from bokslut.problems import Interrupted

    original = wap.stage_file

    def create_then_interrupted(engine, path, source, **kw):  # noqa: ANN001, ANN003
        if path.name != "huvudbok_191_202402.csv":
            return original(engine, path, source, **kw)
        with engine.begin() as connection:
            connection.execute(load_audit.insert().values(
                source="ledger", file_name=path.name, sha256="x", status=LoadStatus.LOADING, started_at=wap._now(),
                rows_read=0, rows_loaded=0, rows_quarantined=0, details=json.dumps(wap._owner())))
        raise Interrupted("avbruten av en signal (SIGTERM)")

    with engine.begin() as connection:  # another call's load in this process: not this call's to reject
        connection.execute(load_audit.insert().values(
            source="ledger", file_name="annan.csv", sha256="y", status=LoadStatus.LOADING, started_at=wap._now(),
            rows_read=0, rows_loaded=0, rows_quarantined=0, details=json.dumps(wap._owner())))
    monkeypatch.setattr(wap, "stage_file", create_then_interrupted)
    with pytest.raises(Interrupted):
        stage(files, engine=engine, settings=dataclasses.replace(settings, stage_workers=1))
    with engine.connect() as connection:
        rows = dict(connection.execute(sa.select(load_audit.c.file_name, load_audit.c.status)).all())
    assert rows == {"annan.csv": LoadStatus.LOADING, "huvudbok_191_202401.csv": LoadStatus.REJECTED,
                    "huvudbok_191_202402.csv": LoadStatus.REJECTED}


@pytest.mark.integration
def test_workers_die_with_a_killed_parent(year, tmp_path):
    """SIGKILL leaves no clean-up in the parent: its workers must not go on staging as orphans. Their
    loads stay 'laddar' under dead pids, which the next run's clean-up rejects."""
    proc = _load_in_two_workers(year, tmp_path, stderr=subprocess.DEVNULL)
    db = tmp_path / "data" / "w.sqlite"
    deadline = time.monotonic() + 120
    owners: set[int] = set()
    while len(owners) < 2 and time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                owners = {json.loads(d)["pid"] for (d,) in c.execute("SELECT details FROM load_audit WHERE details IS NOT NULL")}
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    assert len(owners) == 2 and proc.poll() is None, owners
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    alive = set(owners)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive.discard(pid)
        time.sleep(0.1)
    assert not alive, f"workers {alive} outlived their parent"

    from bokslut.ingest.write_audit_publish import clean_abandoned_loads

    engine = sa.create_engine(f"sqlite:///{db}")
    clean_abandoned_loads(engine)
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(load_audit.c.status)).scalars().all()
    engine.dispose()
    assert LoadStatus.LOADING not in statuses


@pytest.mark.unit
def test_a_workers_sqlite_engine_waits_for_the_write_lock(tmp_path):
    """What a worker opens: db.py's pragmas (WAL, foreign keys), and a busy timeout long enough to
    wait out a sibling's chunk transaction, so 'database is locked' never reaches a load."""
    engine = parallel._worker_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == parallel.WORKER_BUSY_TIMEOUT_MS
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert parallel._worker_engine(f"sqlite:///{tmp_path / 'w.sqlite'}") is engine  # one listener, not one per file


@pytest.mark.unit
def test_a_worker_killed_outright_is_a_swedish_error_and_nothing_stays(engine, settings, tmp_path, force_parallel,
                                                                       monkeypatch):
    """A worker that dies (out of memory, killed by the system) breaks the pool: the caller gets a
    Swedish sentence naming what to change, and every load of the run is rejected."""
    from bokslut.problems import EnvironmentProblem

    folder = tmp_path / "in"
    folder.mkdir()
    items = [_month(folder, 1, 60_000)] + [_month(folder, m, 200) for m in range(2, 9)]
    _in_workers_staging(tmp_path, monkeypatch, "huvudbok_191_202401.csv", "os._exit(137)")
    with pytest.raises(EnvironmentProblem, match="BOKSLUT_STAGE_WORKERS=1"):
        stage(items, engine=engine, settings=dataclasses.replace(settings, stage_workers=2))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(load_audit.c.status)).all()
        assert rows and all(r.status == LoadStatus.REJECTED for r in rows), rows
        assert connection.execute(sa.select(sa.func.count()).select_from(posting)).scalar() == 0
