"""ledger_month_end end to end with Airflow's dag.test(): landing folder → warehouse → outbox."""

from __future__ import annotations

import shutil

import pendulum
import pytest

from tests.golden.compare import differences

pytestmark = [pytest.mark.dag, pytest.mark.slow]


@pytest.fixture(scope="module")
def airflow_db():
    from airflow.utils import db

    db.resetdb(skip_init=False)
    yield


def _run(run_conf: dict, logical_date: pendulum.DateTime):
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.test_dag_integrity import DAGS_DIR

    dag = DagBag(dag_folder=str(DAGS_DIR)).dags["ledger_month_end"]
    return dag.test(logical_date=logical_date, run_conf=run_conf)


def _task_states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def _asset_partitions() -> list[list[str]]:
    """The ``partitions`` extra of every bokslut_ledger_published event so far, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                                 .where(AssetModel.name == "bokslut_ledger_published").order_by(AssetEvent.id)).all()
        return [list(e.extra.get("partitions", [])) for e in events]


def test_month_end_run_reproduces_reference_and_is_rerunnable(airflow_db, generated_2024, tmp_path, monkeypatch):
    from tests.conftest import REFERENCE_DIR

    landing = tmp_path / "landing"
    shutil.copytree(generated_2024, landing)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(landing))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")

    run = _run({"period": "202413", "forvaltning": "191"}, pendulum.datetime(2025, 1, 15, tz="UTC"))
    assert run.state == "success"

    outbox = tmp_path / "out" / "191" / "202413"
    assert (outbox / "huvudboksrapporter_191_202413.xlsx").exists()
    from bokslut.reports.ledger import REPORT_NAMES, build_reports
    from bokslut.warehouse.db import ready_engine

    reports = build_reports(ready_engine(), "191", 202413)
    for name in REPORT_NAMES:
        written = (outbox / f"{name}_191_202413.tsv").read_text(encoding="utf-8")
        assert written.splitlines()[0].split("\t") == [c.key for c in reports[name].columns]
        assert differences(reports[name], REFERENCE_DIR / "2024" / f"{name}.tsv") == [], name
    # every delivered file left the landing folder for behandlade/
    assert not any(p.is_file() for src in ("ledger", "budget") for p in (landing / src).iterdir())
    assert any((landing / "behandlade" / "ledger").iterdir())

    # The published asset names what was published.
    announced = _asset_partitions()[-1]
    assert {"ledger:191:202400", "ledger:191:202413", "budget:191:2024:BJ"} <= set(announced)
    events = len(_asset_partitions())

    # Re-running for the same period (nothing new delivered) rebuilds the same reports and
    # announces nothing: no asset event when nothing was published.
    (outbox / "balansrakning_191_202413.tsv").unlink()
    rerun = _run({"period": "202413", "forvaltning": "191"}, pendulum.datetime(2025, 1, 16, tz="UTC"))
    assert rerun.state == "success"
    assert differences(reports["balansrakning"], outbox / "balansrakning_191_202413.tsv") == []
    assert _task_states(rerun)["announce_published"] == "skipped"
    assert len(_asset_partitions()) == events

    # Nothing delivered and no period asked for: the run has nothing to do and skips.
    idle = _run({}, pendulum.datetime(2025, 1, 17, tz="UTC"))
    assert set(_task_states(idle).values()) == {"skipped"}

    # A period never published (or an unknown förvaltning) fails the run: never all-zero reports.
    empty = _run({"period": "202513", "forvaltning": "191"}, pendulum.datetime(2025, 1, 18, tz="UTC"))
    assert empty.state == "failed" and _task_states(empty)["build_reports"] == "failed"
    assert not (tmp_path / "out" / "191" / "202513").exists()


def test_rejected_file_fails_the_run_and_keeps_published_data(airflow_db, tmp_path, monkeypatch):
    from tests.ingest.ledger_files import csv_text, row

    landing = tmp_path / "landing" / "ledger"
    landing.mkdir(parents=True)
    (landing / "jan.csv").write_text(csv_text([row("202401", belopp="100,00")]), encoding="utf-8")
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")
    assert _run({}, pendulum.datetime(2024, 2, 5, tz="UTC")).state == "success"

    (landing / "jan-rattad.csv").write_text(csv_text([row("202401", belopp="inte ett tal")]), encoding="utf-8")
    run = _run({}, pendulum.datetime(2024, 2, 6, tz="UTC"))
    assert run.state == "failed"
    assert (tmp_path / "landing" / "avvisade" / "ledger" / "jan-rattad.csv").exists()
    from bokslut.reports.ledger import build_report
    from bokslut.warehouse.db import ready_engine

    rr = build_report(ready_engine(), "resultatrakning", "191", 202401)
    assert rr.find(account="5021").values["totalt"] == 10000  # öre: January as first published
