"""How a run's files are split by förvaltning before the per-förvaltning chain (fast, no warehouse)."""

from __future__ import annotations

from bokslut.flows import ledger
from tests.ingest.ledger_files import csv_text, row
import pytest

pytestmark = pytest.mark.unit


def _file(folder, name: str, forvaltning: str = "191", text: str | None = None) -> dict[str, str]:
    rows = [row("202401")]
    rows[0][0] = forvaltning
    path = folder / name
    path.write_text(csv_text(rows) if text is None else text, encoding="utf-8")
    return {"source": "ledger", "path": str(path)}


def test_groups_by_file_name_then_first_row(tmp_path):
    files = [
        _file(tmp_path, "huvudbok_310_202401.csv", "310"),
        _file(tmp_path, "jan.csv", "150"),  # the name does not tell: the first row does
        _file(tmp_path, "budget_191_2024.csv", "191"),
        _file(tmp_path, "trasig.csv", text="inte en huvudbok\n"),  # nothing tells: last, staging rejects it
        _file(tmp_path, "huvudbok_191_202402.csv", "191"),
    ]
    groups = ledger.group_by_forvaltning(files)
    assert [(g["forvaltning"], [item["path"].rsplit("/", 1)[1] for item in g["files"]]) for g in groups] == [
        ("150", ["jan.csv"]),
        ("191", ["budget_191_2024.csv", "huvudbok_191_202402.csv"]),
        ("310", ["huvudbok_310_202401.csv"]),
        (None, ["trasig.csv"]),
    ]


def test_only_keeps_the_forvaltningar_asked_for(tmp_path):
    files = [_file(tmp_path, "huvudbok_310_202401.csv", "310"), _file(tmp_path, "huvudbok_191_202401.csv")]
    assert [g["forvaltning"] for g in ledger.group_by_forvaltning(files, only=["310"])] == ["310"]
    assert ledger.group_by_forvaltning(files, only=["420"]) == []


def test_unexpected_error_names_the_forvaltning_for_the_alert():
    from bokslut.alerts.task_failure import error_text

    failed = ledger.ForvaltningFailed("150", OSError("Disken är full"))
    assert str(failed) == "Förvaltning 150: Disken är full"
    assert error_text(failed) == "Förvaltning 150: Disken är full"


def test_failure_summary_names_the_forvaltning():
    batch = {"forvaltning": "310", "files": [{"file_name": "huvudbok_310_202401.csv", "source": "ledger",
                                              "status": "avvisad", "message": "1 rad(er) med fel"}]}
    assert ledger.forvaltning_failure(batch).startswith("Förvaltning 310: 1 fil(er) avvisades")
    assert ledger.forvaltning_failure({"forvaltning": "191", "files": []}) is None
