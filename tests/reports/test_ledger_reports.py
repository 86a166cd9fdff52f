"""Ledger reports on small hand-made data: structure, counterparty split, missing extracts."""

from __future__ import annotations

import pytest

from bokslut.ingest.write_audit_publish import LoadStatus
from tests.loading import load_file
from bokslut.reports.ledger import build_reports
from bokslut.reports.model import NOT_DELIVERED
from tests.ingest.ledger_files import csv_text, row

pytestmark = pytest.mark.unit


@pytest.fixture
def small_year(engine, settings, tmp_path):
    rows = [
        row("202400", "1220", "1000,00", motpart="0001", kontonamn="Inventarier"),
        row("202400", "2011", "-1000,00", motpart="2001", kontonamn="Eget kapital, ingående värde"),
        row("202401", "5021", "300,00", motpart="0001"),
        row("202401", "3511", "-100,00", motpart="2001", kontonamn="Statsbidrag från Skolverket"),
        row("202402", "3511", "-50,00", motpart="1001"),
        row("202402", "6010", "20,00", motpart="9001", kontonamn="Lokalhyra"),
        row("202402", "6010", "-20,00", motpart="9001", kontonamn="Lokalhyra"),
        row("202413", "2021", "-130,00", motpart="2001", kontonamn="Årets resultat"),
        row("202413", "8901", "130,00", motpart="2001", kontonamn="Årets resultat"),
        row("202401", "3911", "-1,00", motpart="0001", kontonamn="Okänt intäktskonto"),
    ]
    path = tmp_path / "year.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    assert load_file(engine, path, "ledger", settings=settings).status == LoadStatus.PUBLISHED
    return build_reports(engine, "191", 202413)


def test_balance_sheet_hierarchy_and_equity_in_externt(small_year):
    br = small_year["balansrakning"]
    inventarier = br.find(account="1220").values
    assert (inventarier["ib"], inventarier["change"], inventarier["ub_totalt"]) == (100000, 0, 100000)
    assert br.find(account="122").values["ub_totalt"] == 100000  # 3-digit parent
    equity = br.find(account="20").values
    assert equity["externt"] == -113000 and equity["internt"] == 0  # group 20 always Externt
    assets = br.find(name="Summa Tillgångar").values
    liabilities = br.find(name="Summa Skulder & Eget kapital").values
    assert assets["ib"] + liabilities["ib"] == 0
    # the kontoplan's fixed lines valid in 2024 are printed even when nothing was posted
    assert br.find(account="1171").values["ub_totalt"] == 0


def test_income_statement_split_by_counterparty_and_running_totals(small_year):
    rr = small_year["resultatrakning"]
    bidrag = rr.find(account="3511").values
    assert (bidrag["externt"], bidrag["stadens_bolag"], bidrag["internt"]) == (0, -5000, -10000)
    internal_pair = rr.find(account="6010").values
    assert internal_pair["internt"] == 0 and internal_pair["totalt"] == 0  # printed although it nets to zero
    assert rr.find(name="Årets resultat").values["totalt"] == 30000 - 15000
    assert all(r.values["account"] != "8901" for r in rr.rows)  # result transfer is outside RR
    assert any("3911" in note for note in rr.notes)  # outside every section: named, not dropped


def test_missing_extracts_are_marked_not_delivered(small_year):
    budget = small_year["budgetavrakning"].find(row="Summa drift").values
    assert budget["budget_inkl_budgetjust"] == NOT_DELIVERED and budget["utfall"] == 30000 - 15000
    anl = small_year["anlaggning"]
    assert anl.find(row="Aktivering").values["c12_maskiner_och_inventarier"] == NOT_DELIVERED
    assert anl.find(row="IB Anskaffningsvärden").values["c12_maskiner_och_inventarier"] == 100000
    kapital = small_year["anl_rorelsekapital"]
    assert kapital.find(row="Externa inbetalningar").values["belopp"] == NOT_DELIVERED
    assert kapital.find(row="Ingående balans anläggnings- och rörelsekapital").values["belopp"] == 100000
    change = kapital.find(row="Årets förändring av anläggnings- och rörelsekapital").values["belopp"]
    assert change == -13000  # = change of eget kapital when stadskassan is not delivered
    assert any("inte levererat" in n for n in kapital.notes)


def test_unknown_period_is_a_swedish_error(engine):
    with pytest.raises(ValueError, match="Ogiltig period 202415"):
        build_reports(engine, "191", 202415)
