"""ledger_month_end end to end with Airflow's dag.test(): landing folder → warehouse → outbox."""

from __future__ import annotations

import shutil

import pendulum
import pytest

from tests.golden.compare import differences

pytestmark = pytest.mark.dag


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


def _city_file(folder, forvaltning: str, belopp: str, period: str = "202401"):
    from tests.ingest.ledger_files import csv_text, row

    rows = [row(period, "5021", belopp), row(period, "3511", "-40,00", vernr="2")]
    for r in rows:
        r[0] = forvaltning
    path = folder / f"huvudbok_{forvaltning}_{period}.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def test_city_run_fans_out_and_names_the_failing_forvaltning(airflow_db, tmp_path, monkeypatch):
    """Three förvaltningar in one run, one mapped instance each; 310's file is bad: 191 and 150
    publish and get their reports, the run fails in 310's check and the alert names 310."""
    import bokslut.alerts.task_failure as task_failure

    landing = tmp_path / "landing" / "ledger"
    landing.mkdir(parents=True)
    _city_file(landing, "191", "100,00")
    _city_file(landing, "150", "250,00")
    _city_file(landing, "310", "inte ett tal")
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")
    alerts = []
    monkeypatch.setattr(task_failure, "send_task_failure", lambda failed, **_kw: alerts.append(failed) or [])

    run = _run({}, pendulum.datetime(2024, 3, 5, tz="UTC"))
    assert run.state == "failed"

    def states(task_id: str) -> dict[str, str]:
        return {ti.rendered_map_index: str(ti.state) for ti in run.get_task_instances() if ti.task_id == task_id}

    names = {"förvaltning 150", "förvaltning 191", "förvaltning 310"}
    assert states("close_forvaltning") == dict.fromkeys(names, "success")  # a rejection is a result, not a crash
    assert states("build_reports") == {"förvaltning 150": "success", "förvaltning 191": "success",
                                       "förvaltning 310": "skipped"}
    assert states("check_rejections") == {"förvaltning 150": "success", "förvaltning 191": "success",
                                          "förvaltning 310": "failed"}
    [alert] = [a for a in alerts if a.task_id == "check_rejections"]
    assert alert.error.startswith("Förvaltning 310: 1 fil(er) avvisades") and "huvudbok_310_202401.csv" in alert.error

    from bokslut.reports.ledger import build_report
    from bokslut.warehouse.db import ready_engine

    engine = ready_engine()
    for forvaltning, ore in (("191", 10000), ("150", 25000)):
        rr = build_report(engine, "resultatrakning", forvaltning, 202401)
        assert rr.find(account="5021").values["totalt"] == ore  # each its own postings, none of the others'
        assert (tmp_path / "out" / forvaltning / "202401" / f"resultatrakning_{forvaltning}_202401.tsv").exists()
    assert not (tmp_path / "out" / "310").exists()
    assert (tmp_path / "landing" / "avvisade" / "ledger" / "huvudbok_310_202401.csv").exists()
    assert {"ledger:191:202401", "ledger:150:202401"} == set(_asset_partitions()[-1])

    # The corrected file alone: only 310 runs now, and the run succeeds.
    _city_file(landing, "310", "75,00")
    rerun = _run({}, pendulum.datetime(2024, 3, 6, tz="UTC"))
    assert rerun.state == "success"
    assert {ti.rendered_map_index for ti in rerun.get_task_instances() if ti.task_id == "close_forvaltning"} == {
        "förvaltning 310"}
    assert build_report(engine, "resultatrakning", "310", 202401).find(account="5021").values["totalt"] == 7500


def test_a_crash_in_one_forvaltning_does_not_silence_anothers_rejection(airflow_db, tmp_path, monkeypatch):
    """191 good, 150's file bad, 310 crashes: 191 publishes, and both 150's rejection and 310's
    crash fail the run with an alert each."""
    import bokslut.alerts.task_failure as task_failure
    from bokslut import dag_defaults
    from bokslut.flows import ledger

    landing = tmp_path / "landing" / "ledger"
    landing.mkdir(parents=True)
    _city_file(landing, "191", "100,00")
    _city_file(landing, "150", "inte ett tal")
    _city_file(landing, "310", "75,00")
    for name, value in (("DATA", "data"), ("LANDING", "landing"), ("OUTBOX", "out")):
        monkeypatch.setenv(f"BOKSLUT_{name}_DIR", str(tmp_path / value))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}")
    monkeypatch.setitem(dag_defaults.DEFAULT_ARGS, "retries", 0)  # the crash fails at once
    alerts = []
    monkeypatch.setattr(task_failure, "send_task_failure", lambda failed, **_kw: alerts.append(failed) or [])
    close = ledger.close_forvaltning

    def crash_310(forvaltning, files, **kwargs):
        if forvaltning == "310":
            raise OSError("disken är full")
        return close(forvaltning, files, **kwargs)

    monkeypatch.setattr(ledger, "close_forvaltning", crash_310)

    run = _run({}, pendulum.datetime(2024, 3, 7, tz="UTC"))
    assert run.state == "failed"
    checks = {ti.rendered_map_index: str(ti.state) for ti in run.get_task_instances() if ti.task_id == "check_rejections"}
    assert checks == {"förvaltning 191": "success", "förvaltning 150": "failed"}
    failed = {(a.task_id, a.error.split(":")[0]) for a in alerts}
    assert {("check_rejections", "Förvaltning 150"), ("close_forvaltning", "Förvaltning 310")} <= failed
