"""hr_monthly and ber_monthly end to end with Airflow's dag.test(): landing folder → warehouse → outbox."""

from __future__ import annotations

import shutil

import pendulum
import pytest

pytestmark = pytest.mark.dag


def _run(dag_id: str, logical_date: pendulum.DateTime):
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.test_dag_integrity import DAGS_DIR

    return DagBag(dag_folder=str(DAGS_DIR)).dags[dag_id].test(logical_date=logical_date, run_conf={})


def test_monthly_runs_publish_and_write_the_outputs(airflow_db, generated_2024, tmp_path, monkeypatch):
    from bokslut.hr.pseudonym import KEY_ENV

    landing = tmp_path / "landing"
    for group in ("hr", "ber"):
        shutil.copytree(generated_2024 / group, landing / group)
    monkeypatch.setenv(KEY_ENV, "dag-testnyckel-0123456789abcdefghijkl")
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(landing))
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")

    assert _run("hr_monthly", pendulum.datetime(2025, 1, 8, tz="UTC")).state == "success"
    assert _run("ber_monthly", pendulum.datetime(2025, 1, 8, tz="UTC")).state == "success"
    tsv = (tmp_path / "out" / "191" / "hr" / "nyckeltal_191_2024.tsv").read_text(encoding="utf-8")
    assert "122\t969\t1056\t91.8\t91.2" in tsv
    assert (tmp_path / "out" / "191" / "hr" / "nyckeltal_191_2023.xlsx").exists()
    kaa = (tmp_path / "out" / "191" / "kaa" / "kaa_191_2024.tsv").read_text(encoding="utf-8")
    assert "ungdomar_i_kaa_registret\ttotalt\t8222" in kaa
    assert not any(p.is_file() for g in ("hr", "ber") for p in (landing / g).iterdir())
    assert len(list((landing / "behandlade" / "hr").iterdir())) == 6
    # Nothing new delivered: the next run skips quietly.
    assert _run("hr_monthly", pendulum.datetime(2025, 1, 9, tz="UTC")).state == "success"
