"""landing_watch with Airflow's dag.test(): an empty landing folder announces nothing, a delivery is
announced once as a ``bokslut_landing`` asset event naming its files (which stay where they are)."""

from __future__ import annotations

import pendulum
import pytest

pytestmark = pytest.mark.dag


def _run(logical_date: pendulum.DateTime):
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.test_dag_integrity import DAGS_DIR

    return DagBag(dag_folder=str(DAGS_DIR)).dags["landing_watch"].test(logical_date=logical_date)


def _landing_events() -> list[dict]:
    """The extra of every bokslut_landing asset event so far, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                                 .where(AssetModel.name == "bokslut_landing").order_by(AssetEvent.id)).all()
        return [dict(e.extra) for e in events]


def test_watch_announces_a_delivery_and_skips_an_empty_folder(airflow_db, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    (landing / "ledger").mkdir(parents=True)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(landing))
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")

    # Nothing delivered: the task is skipped and no asset event starts ledger_month_end.
    run = _run(pendulum.datetime(2025, 1, 15, 8, tz="UTC"))
    assert {ti.task_id: str(ti.state) for ti in run.get_task_instances()} == {"announce_new_files": "skipped"}
    assert _landing_events() == []

    # A delivery (plus a file that is no export): one event naming exactly the export.
    delivered = landing / "ledger" / "huvudbok_191_202401.csv"
    delivered.write_text("dummy\n", encoding="utf-8")
    (landing / "ledger" / "LÄSMIG.pdf").write_bytes(b"%PDF")
    run = _run(pendulum.datetime(2025, 1, 15, 8, 10, tz="UTC"))
    assert run.state == "success"
    assert {ti.task_id: str(ti.state) for ti in run.get_task_instances()} == {"announce_new_files": "success"}
    assert _landing_events() == [{"files": [str(delivered)]}]
    assert delivered.exists()  # the watcher only announces; ledger_month_end moves the file
