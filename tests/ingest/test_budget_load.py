"""Budget ingestion: versions VP, BJ, T1, T2, replaced per förvaltning, year and version."""

from __future__ import annotations

import sqlalchemy as sa

from bokslut.ingest.write_audit_publish import LoadStatus
from tests.loading import load_file
import pytest

pytestmark = pytest.mark.unit

HEADER = "Förvaltning;År;Version;Period;Konto;Ansvar;Verksamhet;Projekt;Anslag;Belopp\n"


def budget_total(engine) -> dict[str, int]:
    sql = sa.text("SELECT b.version, SUM(b.amount_ore) FROM budget b JOIN publication p ON p.load_id = b.load_id "
                  "AND p.source = 'budget' AND p.partition = CAST(b.year AS VARCHAR(4)) || ':' || b.version GROUP BY b.version")
    with engine.connect() as c:
        return {v: int(t) for v, t in c.execute(sql)}


def test_versions_load_and_replace_per_version(engine, settings, tmp_path):
    first = tmp_path / "budget.csv"
    first.write_text(HEADER + "191;2024;VP;;4631;1100;320;0000;D;1 000 000,00\n"
                              "191;2024;BJ;202401;4631;1100;320;0000;D;500 000\n"
                              "191;2024;BJ;202402;4631;1100;320;0000;D;500 000\n", encoding="utf-8")
    result = load_file(engine, first, "budget", settings=settings)
    assert result.status == LoadStatus.PUBLISHED and sorted(result.partitions) == ["191:2024:BJ", "191:2024:VP"]
    assert budget_total(engine) == {"VP": 100000000, "BJ": 100000000}
    t2 = tmp_path / "budget_t2.csv"
    t2.write_text(HEADER + "191;2024;T2;;4631;1100;320;0000;D;900 000\n191;2024;BJ;;4631;;;;D;1 200 000\n", encoding="utf-8")
    assert load_file(engine, t2, "budget", settings=settings).status == LoadStatus.PUBLISHED
    assert budget_total(engine) == {"VP": 100000000, "BJ": 120000000, "T2": 90000000}


def test_unknown_version_and_foreign_period_rejected(engine, settings, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "191;2024;T3;;4631;;;;D;1\n", encoding="utf-8")
    result = load_file(engine, bad, "budget", settings=settings)
    assert result.status == LoadStatus.REJECTED and "1 rad(er) med fel" in result.message
    other_year = tmp_path / "year.csv"
    other_year.write_text(HEADER + "191;2024;BJ;202501;4631;;;;D;1\n", encoding="utf-8")
    result = load_file(engine, other_year, "budget", settings=settings)
    assert result.status == LoadStatus.REJECTED and "period ska ligga i budgetåret" in result.message
    assert budget_total(engine) == {}
