"""year_end_report with a returned input workbook in the landing folder's manual/ (issue 11 part 2)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pendulum
import pytest

from tests.templates.test_input_reader import _edit

pytestmark = pytest.mark.dag


def test_year_end_report_uses_the_returned_workbook_and_archives_it(airflow_db, templates_warehouse, tmp_path, monkeypatch,
                                                                   smtp):
    from airflow.dag_processing.dagbag import DagBag

    from bokslut.templates.input_workbook import write_input_workbook
    from tests.dags.test_dag_integrity import DAGS_DIR

    engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))
    blank = tmp_path / "indata.xlsx"
    write_input_workbook(engine, "191", 2024, "VB", blank)
    returned = tmp_path / "data" / "landing" / "manual" / "arbetsmarknad_VB.xlsx"
    returned.parent.mkdir(parents=True)
    _edit(blank, returned, [("Verksamhetsprojekt", "2406", "kommentar", "Kommentar från den återlämnade arbetsboken.")])
    sha = hashlib.sha256(returned.read_bytes()).hexdigest()

    dag = DagBag(dag_folder=str(DAGS_DIR)).dags["year_end_report"]
    run = dag.test(logical_date=pendulum.datetime(2025, 2, 10, 5, tz="UTC"), run_conf={"ar": "2024", "forvaltning": "191"})
    assert run.state == "success"
    folder = tmp_path / "out" / "191" / "VB-2024"
    assert (folder / "manuella_uppgifter_191_VB-2024.xlsx").read_bytes() == returned.read_bytes()
    assert (tmp_path / "data" / "archive" / "manual" / sha[:16] / "manuella_uppgifter_191_VB-2024.xlsx").exists()
    rules = (folder / "kontroller_blankett_191_VB-2024.tsv").read_text(encoding="utf-8")
    assert "Kommentar från den återlämnade arbetsboken." in rules and sha[:12] in rules
    (_sender, _recipients, message), = smtp.mails
    assert "manuella_uppgifter_191_VB-2024.xlsx" in [p.get_filename() for p in message.iter_attachments()]
    assert Path(returned).exists()  # stays for a rerun
