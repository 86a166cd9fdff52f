"""Förvaltningar closed in parallel (as the DAG's mapped tasks on Celery workers) each publish
exactly their own data, on SQLite and PostgreSQL: the publish lock (advisory lock / SQLite's write
lock) lets publishes of different förvaltningar take turns without losing one, and a bad
förvaltning in the middle holds back nobody."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bokslut.ingest.write_audit_publish import LoadStatus
from tests.ingest.ledger_files import csv_text, row

pytestmark = pytest.mark.unit

CITY = ("150", "191", "310", "420")


def _files(folder, forvaltning: str, *, bad: bool = False) -> list[dict[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for month in (1, 2, 3):
        period = f"2024{month:02d}"
        belopp = "x" if bad and month == 2 else f"{int(forvaltning) + month},00"
        rows = [row(period, "5021", belopp, kontonamn="Månadsavlönad personal"),
                row(period, "4611", "12,00", kontonamn="Förbrukningsmaterial", vernr="2")]
        for r in rows:
            r[0] = forvaltning
        path = folder / f"huvudbok_{forvaltning}_{period}.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        files.append({"source": "ledger", "path": str(path)})
    return files


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request, settings):
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    from bokslut.warehouse.db import ready_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    yield ready_engine(settings.warehouse_url)  # the product's SQLite engine: WAL, busy timeout


def test_parallel_forvaltningar_each_publish_their_own(warehouse, settings, tmp_path, monkeypatch):
    import bokslut.ingest.write_audit_publish as wap_module
    from bokslut.flows import ledger
    from bokslut.reports.ledger import build_report
    from bokslut.warehouse.schema import account

    real_publish = wap_module.publish_load
    # every förvaltning's first publish starts at the same moment (310 publishes its good months too)
    barrier = threading.Barrier(len(CITY), timeout=120)

    def publish_together(engine, load_id):  # noqa: ANN001
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()
        return real_publish(engine, load_id)

    waited: set[int] = set()
    monkeypatch.setattr(wap_module, "publish_load", publish_together)
    groups = {f: _files(tmp_path / f, f, bad=(f == "310")) for f in CITY}
    with ThreadPoolExecutor(len(CITY)) as pool:
        futures = {f: pool.submit(ledger.close_forvaltning, f, files, engine=warehouse, settings=settings)
                   for f, files in groups.items()}
        batches = {f: future.result(timeout=300) for f, future in futures.items()}

    for forvaltning, batch in batches.items():
        statuses = {item["status"] for item in batch["files"]}
        if forvaltning == "310":
            assert LoadStatus.REJECTED in statuses
            assert ledger.forvaltning_failure(batch).startswith("Förvaltning 310: ")
        else:
            assert statuses == {LoadStatus.PUBLISHED}, (forvaltning, batch["files"])
            assert ledger.forvaltning_failure(batch) is None
    with warehouse.connect() as connection:
        published = connection.execute(sa.text(
            "SELECT forvaltning, COUNT(*) FROM publication WHERE source = 'ledger' GROUP BY forvaltning")).all()
        names = dict(connection.execute(sa.select(account.c.code, account.c.name)).all())
    assert dict(published) == {"150": 3, "191": 3, "310": 2, "420": 3}  # 310's bad February alone stays out
    assert names["5021"] == "Månadsavlönad personal" and names["4611"] == "Förbrukningsmaterial"
    for forvaltning in ("150", "191", "420"):
        rr = build_report(warehouse, "resultatrakning", forvaltning, 202403)
        assert rr.find(account="5021").values["totalt"] == sum((int(forvaltning) + m) * 100 for m in (1, 2, 3))
        assert rr.find(account="4611").values["totalt"] == 3 * 1200
