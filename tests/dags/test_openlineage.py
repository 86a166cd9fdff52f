"""Dataset lineage (OpenLineage): a DAG run with the file transport writes events whose inputs are
the landing files and whose outputs are the warehouse tables and the delivered files.

The DAG run happens in a child process: the OpenLineage provider decides once per process (when
Airflow loads its plugins) whether it is enabled, so the transport must be configured before
Airflow starts, which the pytest process has already done with OpenLineage off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bokslut.dataset_lineage import file_uri, table_uri

PROJECT_ROOT = Path(__file__).resolve().parents[2]

RUN_HR_MONTHLY = """
import pendulum
from airflow.dag_processing.dagbag import DagBag
from airflow.utils import db

db.resetdb(skip_init=False)
dag = DagBag(dag_folder={dags!r}).dags["hr_monthly"]
run = dag.test(logical_date=pendulum.datetime(2025, 1, 8, tz="UTC"), run_conf={{}})
print("STATE", run.state)
"""


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _datasets(event: dict, side: str) -> set[tuple[str, str]]:
    return {(d["namespace"], d["name"]) for d in event.get(side, [])}


def _ol(uri: str) -> tuple[str, str]:
    """The (namespace, name) OpenLineage gives a file:// URI of ours (Airflow's file converter)."""
    assert uri.startswith("file:///")
    return "file", uri.removeprefix("file://")


@pytest.mark.dag
def test_hr_monthly_emits_landing_files_in_and_tables_and_delivered_files_out(generated_2024, tmp_path):
    from bokslut.hr.pseudonym import KEY_ENV

    landing = tmp_path / "landing"
    shutil.copytree(generated_2024 / "hr", landing / "hr")
    delivered = sorted(p for p in (landing / "hr").iterdir() if p.is_file())
    assert delivered, "the generated year has no LISA files"
    events_file = tmp_path / "openlineage.jsonl"
    warehouse_url = f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        # the project's default transport (docker-compose.yaml, scripts/demo.sh), in this test's folder
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "file", "log_file_path": str(events_file),
                                                       "append": True}),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "bokslut",
        KEY_ENV: "dag-testnyckel-0123456789abcdefghijkl",
        "BOKSLUT_DATA_DIR": str(tmp_path / "data"),
        "BOKSLUT_LANDING_DIR": str(landing),
        "BOKSLUT_ARCHIVE_DIR": str(tmp_path / "archive"),
        "BOKSLUT_OUTBOX_DIR": str(tmp_path / "out"),
        "BOKSLUT_WAREHOUSE_URL": warehouse_url,
    }
    env.pop("AIRFLOW__OPENLINEAGE__DISABLED", None)
    result = subprocess.run([sys.executable, "-c", RUN_HR_MONTHLY.format(dags=str(PROJECT_ROOT / "dags"))],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "STATE success" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]

    assert events_file.exists(), "no OpenLineage event was written: " + result.stderr[-3000:]
    events = _events(events_file)
    complete = {e["job"]["name"]: e for e in events if e["eventType"] == "COMPLETE"}
    assert {e["job"]["namespace"] for e in events} == {"bokslut"}
    assert "hr_monthly" in complete, "no event for the DAG run"

    # stage: the landing files in, the three HR tables out (exactly: the first task that reports)
    stage = complete["hr_monthly.stage"]
    assert _datasets(stage, "inputs") == {_ol(file_uri(p)) for p in delivered}
    tables = {"hr_employment", "hr_absence", "hr_contracted_time"}
    db_file = (tmp_path / "data" / "warehouse.sqlite").absolute()
    assert _datasets(stage, "outputs") == {("file", f"{db_file}/{t}") for t in tables}

    # build_key_figures: the HR tables in, the key-figure files in the outbox out
    figures = complete["hr_monthly.build_key_figures"]
    written = sorted(p for p in (tmp_path / "out").rglob("nyckeltal_*") if p.is_file())
    assert written
    assert {_ol(file_uri(p)) for p in written} <= _datasets(figures, "outputs")
    assert {("file", f"{db_file}/{t}") for t in tables} <= _datasets(figures, "inputs")


@pytest.mark.unit
def test_table_uri_follows_openlineage_naming_without_credentials():
    uri = table_uri("posting", "postgresql+psycopg://bokslut:hemligt@warehouse-db:5433/bokslut")
    assert uri == "postgres://warehouse-db:5433/bokslut/public/posting"
    assert table_uri("posting", "postgresql+psycopg://bokslut:hemligt@db/bokslut") == \
        "postgres://db:5432/bokslut/public/posting"
    assert table_uri("posting", "sqlite:////srv/data/warehouse.sqlite") == "file:///srv/data/warehouse.sqlite/posting"
    assert table_uri("posting", "sqlite://") is None
    assert table_uri("posting", "duckdb:///x.duckdb") is None


@pytest.mark.unit
def test_file_uri_masks_a_personnummer_in_the_file_name():
    uri = file_uri("/srv/landing/hr/lisa_19800101-1234.csv")
    assert uri.startswith("file:///srv/landing/hr/lisa_")
    assert "19800101" not in uri and "1234" not in uri
