"""End to end with Airflow's dag.test(): a task that fails for good sends the alert mail once."""

from __future__ import annotations

import pendulum
import pytest

from tests.alerts.test_task_failure import warehouse  # noqa: F401 - fixture

pytestmark = pytest.mark.dag


PROBE_DAG = """
import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowFailException

from bokslut.dag_defaults import DEFAULT_ARGS


@dag(dag_id="bokslut_failure_alert_probe", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
     catchup=False, default_args=DEFAULT_ARGS)
def bokslut_failure_alert_probe():
    @task
    def fine() -> int:
        return 1

    @task
    def reject(_value: int) -> None:
        raise AirflowFailException("Filen huvudbok_191_202401.csv avvisades: 3 rader med fel.")

    reject(fine())


bokslut_failure_alert_probe()
"""


def test_failing_task_alerts_once_through_dag_test(airflow_db, warehouse, alert_env, tmp_path):  # noqa: F811
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "bokslut_failure_alert_probe.py").write_text(PROBE_DAG, encoding="utf-8")
    bag = DagBag(dag_folder=str(folder))
    assert not bag.import_errors, bag.import_errors
    DagBundlesManager().sync_bundles_to_db()
    sync_bag_to_db(bag, "dags-folder", None)  # dag.test() only serialises the configured dags folder
    smtp, webhook = alert_env

    run = bag.dags["bokslut_failure_alert_probe"].test(logical_date=pendulum.datetime(2024, 2, 1, tz="UTC"))

    assert run.state == "failed"
    [mail] = smtp.mails  # one mail: the failed task, nothing for the task that succeeded
    assert mail.subject == "[bokslut] Uppgift misslyckades: bokslut_failure_alert_probe / reject"
    assert "Filen huvudbok_191_202401.csv avvisades: 3 rader med fel." in mail.html
    assert len(webhook.posts) == 1
