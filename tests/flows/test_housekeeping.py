"""Loads left behind by a killed process are cleaned up; stale scheduled template runs are skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bokslut.ingest.write_audit_publish import LoadStatus, clean_abandoned_loads
from bokslut.warehouse.schema import load_audit, posting
import pytest

pytestmark = pytest.mark.unit


def _fake_load(engine, status: str, started: datetime, details: dict | None) -> int:
    with engine.begin() as connection:
        load_id = connection.execute(load_audit.insert().values(
            source="ledger", file_name="x.csv", sha256="0" * 64, status=status, started_at=started,
            rows_read=1, rows_loaded=1, rows_quarantined=0, partitions="191:202401",
            details=json.dumps(details) if details else None)).inserted_primary_key[0]
        connection.execute(posting.insert().values(
            load_id=load_id, source_line=2, forvaltning="191", period=202401, konto="5021",
            ansvar="", verksamhet="", projekt="", motpart="", anslag="D", vertyp="LF", vernr="1",
            datum=date(2024, 1, 15), text="", amount_ore=100))
    return load_id


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _status_and_rows(engine, load_id: int) -> tuple[str, int]:
    with engine.connect() as connection:
        status = connection.execute(sa.select(load_audit.c.status).where(load_audit.c.load_id == load_id)).scalar()
        rows = connection.execute(sa.select(sa.func.count()).select_from(posting).where(posting.c.load_id == load_id)).scalar()
    return status, rows


def test_abandoned_loads_are_rejected_and_their_rows_deleted(engine):
    import os
    import socket

    now = datetime.now(UTC)
    host = socket.gethostname()
    killed = _fake_load(engine, LoadStatus.LOADING, now, {"host": host, "pid": _dead_pid()})
    running = _fake_load(engine, LoadStatus.LOADING, now, {"host": host, "pid": os.getpid()})
    elsewhere_old = _fake_load(engine, LoadStatus.LOADING, now - timedelta(hours=7), {"host": "annan", "pid": 1})
    staged_recent = _fake_load(engine, LoadStatus.STAGED, now - timedelta(hours=1), None)
    staged_forgotten = _fake_load(engine, LoadStatus.STAGED, now - timedelta(days=2), None)

    assert sorted(clean_abandoned_loads(engine)) == sorted([killed, elsewhere_old, staged_forgotten])

    for load_id in (killed, elsewhere_old, staged_forgotten):
        assert _status_and_rows(engine, load_id) == (LoadStatus.REJECTED, 0)
    assert _status_and_rows(engine, running) == (LoadStatus.LOADING, 1)
    assert _status_and_rows(engine, staged_recent) == (LoadStatus.STAGED, 1)


def test_a_stale_scheduled_template_run_is_skipped_a_manual_one_never():
    from bokslut.flows.templates import stale_schedule

    cron_time = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)
    unpaused = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    reason = stale_schedule("scheduled", cron_time, unpaused)
    assert reason and "2026-09-15" in reason and "hoppas över" in reason
    assert stale_schedule("DagRunType.SCHEDULED", cron_time, unpaused)
    assert stale_schedule("manual", cron_time, unpaused) is None
    assert stale_schedule("scheduled", cron_time, cron_time + timedelta(hours=3)) is None


def test_two_publishes_of_one_new_partition_at_once_take_turns(engine, settings, tmp_path):
    """Both loads publish (the later replaces the earlier); one pointer, only its rows left."""
    import threading

    from bokslut.ingest.write_audit_publish import publish_load, stage_file
    from tests.ingest.ledger_files import csv_text, row

    load_ids = []
    for n in (1, 2):
        path = tmp_path / f"jan{n}.csv"
        path.write_text(csv_text([row("202401", "5021", f"{n}00,00")] * 3), encoding="utf-8")
        load_ids.append(stage_file(engine, path, "ledger", settings=settings).load_id)
    results, errors = {}, []

    def publish(load_id: int) -> None:
        try:
            results[load_id] = publish_load(engine, load_id).status
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(load_id,)) for load_id in load_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and set(results.values()) == {LoadStatus.PUBLISHED}
    with engine.connect() as connection:
        pointers = connection.execute(sa.text(
            "SELECT load_id FROM publication WHERE source = 'ledger' AND partition = '202401'")).scalars().all()
        left = connection.execute(sa.text("SELECT DISTINCT load_id FROM posting")).scalars().all()
    assert len(pointers) == 1 and left == pointers
