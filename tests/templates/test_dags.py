"""year_end_report and tertial_report end to end with Airflow's dag.test(): warehouse → outbox → e-mail."""

from __future__ import annotations

import pendulum
import pytest

pytestmark = pytest.mark.dag


def _run(dag_id: str, run_conf: dict, logical_date: pendulum.DateTime):
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.test_dag_integrity import DAGS_DIR

    dag = DagBag(dag_folder=str(DAGS_DIR)).dags[dag_id]
    return dag.test(logical_date=logical_date, run_conf=run_conf)


@pytest.fixture
def environment(templates_warehouse, tmp_path, monkeypatch):
    _engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    return tmp_path / "out"


def test_year_end_report_fills_the_templates_and_mails_finance(airflow_db, environment, smtp):
    run = _run("year_end_report", {"ar": "2024", "forvaltning": "191"}, pendulum.datetime(2025, 2, 10, 5, tz="UTC"))
    assert run.state == "success"
    folder = environment / "191" / "VB-2024"
    assert (folder / "blanketter_191_VB-2024.xlsx").exists() and (folder / "valideringsrapport_191_202413.html").exists()
    (_sender, recipients, message), = smtp.mails
    assert recipients == ["ekonomi@example.se", "controller@example.se"]
    assert "blanketter_191_VB-2024.xlsx" in [p.get_filename() for p in message.iter_attachments()]

    rerun = _run("year_end_report", {"ar": "2024", "forvaltning": "191"}, pendulum.datetime(2025, 2, 11, 5, tz="UTC"))
    assert rerun.state == "success"


def test_tertial_report_does_not_run_before_the_periods_are_published(airflow_db, environment, smtp):
    run = _run("tertial_report", {"ar": "2024", "rapporttillfalle": "T1", "forvaltning": "192"},
               pendulum.datetime(2024, 5, 15, 4, tz="UTC"))
    assert run.state == "failed"
    assert not smtp.mails and not (environment / "192").exists()
