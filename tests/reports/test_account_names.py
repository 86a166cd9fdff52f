"""Account names in a report are those of the report's year, whatever was loaded since."""

from __future__ import annotations

from bokslut.ingest.write_audit_publish import LoadStatus
from bokslut.reports.ledger import build_report
from tests.ingest.ledger_files import csv_text, row
from tests.loading import load_file
import pytest

pytestmark = pytest.mark.unit


def _load(engine, settings, tmp_path, name: str, rows: list[list[str]]) -> None:  # noqa: ANN001
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    assert load_file(engine, path, "ledger", settings=settings).status == LoadStatus.PUBLISHED


def test_each_year_prints_the_names_its_own_exports_carried(engine, settings, tmp_path):
    _load(engine, settings, tmp_path, "2024.csv", [
        row("202400", "1220", "1000,00", kontonamn="Inventarier"),
        row("202400", "2011", "-1000,00", motpart="2001", kontonamn="Eget kapital, ingående värde"),
        row("202403", "1220", "10,00", kontonamn="Inventarier, nytt namn i mars"),
        row("202403", "2011", "-10,00", motpart="2001", kontonamn="Eget kapital, ingående värde"),
    ])
    _load(engine, settings, tmp_path, "2025.csv", [
        row("202500", "1220", "1010,00", kontonamn="Inventarier och verktyg"),
        row("202500", "2011", "-1010,00", motpart="2001", kontonamn="Eget kapital, ingående värde"),
    ])
    # 2025 was loaded last, so the warehouse's kontoplan now holds the 2025 name...
    assert build_report(engine, "balansrakning", "191", 202513).find(account="1220").values["name"] == \
        "Inventarier och verktyg"
    # ...yet 2024's report, printed again, names the account as 2024's export did (its newest period)
    assert build_report(engine, "balansrakning", "191", 202413).find(account="1220").values["name"] == \
        "Inventarier, nytt namn i mars"
    groups = build_report(engine, "balansrakning", "191", 202413).find(account="122").values
    assert groups["name"] == "Inventarier"  # 3-digit groups come from the shipped kontoplan
