"""The domain vocabulary: periods, months, reporting points, förvaltning and the named account sets."""

from __future__ import annotations

import argparse
import re
from datetime import date

import pytest

from bokslut import arguments
from bokslut.domain import accounts as chart
from bokslut.domain.organisation import budget_partition, parse_forvaltning, parse_forvaltningar, partition_key
from bokslut.domain.periods import (
    PERIOD_PATTERN,
    POINT_CODES,
    YEAR_PATTERN,
    control_scope,
    get_point,
    parse_month,
    parse_period,
    parse_year,
    point_closed_by,
    point_covering,
)
from bokslut.flows.templates import default_point

pytestmark = pytest.mark.unit

FOUR_DIGIT_ACCOUNTS = [f"{n:04d}" for n in range(10000)]


@pytest.mark.parametrize("text", ["202400", "202413", "202414", " 202401 "])
def test_period_accepts_pp_00_to_14(text: str) -> None:
    assert parse_period(text) == int(text)


@pytest.mark.parametrize("text", ["202415", "20241", "2024-01", "", "abcdef", "089901"])
def test_period_refuses_in_swedish(text: str) -> None:
    with pytest.raises(ValueError, match=r"Ogiltig period .*ÅÅÅÅPP med PP 00–14"):
        parse_period(text)


def test_month_is_not_a_period() -> None:
    assert parse_month("202404") == 202404
    for text in ("202400", "202413"):  # IB and bokslut are ledger periods, never HR/BER months
        with pytest.raises(ValueError, match="Ogiltig månad .*ÅÅÅÅMM"):
            parse_month(text)


def test_year_and_forvaltning() -> None:
    assert parse_year("2024") == parse_year(2024) == 2024
    with pytest.raises(ValueError, match="Ogiltigt år 24:"):
        parse_year("24")
    assert parse_forvaltning("191") == "191"
    with pytest.raises(ValueError, match="Ogiltig förvaltning '19': ange tre siffror, t.ex. 191"):
        parse_forvaltning("19")
    assert parse_forvaltningar("191, 150,191") == ["191", "150"]
    assert budget_partition(2024, "BJ") == "2024:BJ" and partition_key("191", 202401) == "191:202401"


def test_reporting_points_and_their_periods() -> None:
    assert POINT_CODES == ("T1", "T2", "VB")
    assert [get_point(c).period(2024) for c in POINT_CODES] == [202404, 202408, 202413]
    assert [get_point(c).last_month for c in POINT_CODES] == [4, 8, 12]
    assert get_point("t2").previous == get_point("T1") and get_point("T1").previous is None
    assert get_point("VB").months_sv == "januari–december"
    with pytest.raises(ValueError, match="Okänt rapporttillfälle 'T3': välj T1, T2 eller VB"):
        get_point("T3")


@pytest.mark.parametrize(("period", "closed", "covering", "scope"), [
    (202401, None, "T1", "manad"), (202404, "T1", "T1", "T1"), (202405, None, "T2", "manad"),
    (202408, "T2", "T2", "T2"), (202412, None, "VB", "manad"), (202413, "VB", "VB", "bokslut"),
    (202414, None, "VB", "bokslut"),
])
def test_period_to_point(period: int, closed: str | None, covering: str, scope: str) -> None:
    assert (point_closed_by(period).code if point_closed_by(period) else None) == closed
    assert point_covering(period).code == covering
    assert control_scope(period) == scope


@pytest.mark.parametrize(("day", "expected"), [
    (date(2024, 4, 30), (2023, "T2")), (date(2024, 5, 15), (2024, "T1")), (date(2024, 8, 31), (2024, "T1")),
    (date(2024, 9, 15), (2024, "T2")), (date(2025, 1, 2), (2024, "T2")),
])
def test_scheduled_tertial_is_the_last_closed(day: date, expected: tuple[int, str]) -> None:
    assert default_point("tertial", day) == expected


def test_command_line_shows_the_domain_sentence() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"^ogiltig förvaltning '19': ange tre siffror, t\.ex\. 191$"):
        arguments.forvaltning("19")
    assert arguments.point("vb") == "VB" and arguments.period("202413") == 202413


def _members(accounts: chart.AccountSet, anslag: str) -> set[str]:
    return {k for k in FOUR_DIGIT_ACCOUNTS if accounts.contains(k, anslag)}


def test_arets_resultat_is_revenue_costs_and_financial_items_only() -> None:
    members = _members(chart.ARETS_RESULTAT, "D")
    assert "3000" in members and "8899" in members and "4000" in members
    assert not members & {"3900", "3999", "8900", "8999", "2999", "9000"}  # 39xx and 89xx are outside
    assert not _members(chart.ARETS_RESULTAT, "I")


def test_budgetavrakning_lines_add_up_by_construction() -> None:
    """Kostnader = Drift och underhåll + Avskrivningar + Internränta; Summa drift = Kostnader + Intäkter."""
    kostnader = _members(chart.DRIFT_KOSTNADER, "D")
    parts = [_members(s, "D") for s in (chart.DRIFT_OCH_UNDERHALL, chart.AVSKRIVNINGAR, chart.INTERNRANTA)]
    assert set().union(*parts) == kostnader and sum(map(len, parts)) == len(kostnader)  # a partition
    intakter = _members(chart.VERKSAMHETENS_INTAKTER, "D")
    assert _members(chart.SUMMA_DRIFT, "D") == kostnader | intakter and not kostnader & intakter
    # Summa drift is Årets resultat but for 80–83 and 86–88 (year-end postings), both drift only
    beyond = {k for k in FOUR_DIGIT_ACCOUNTS if k[:2] in {"80", "81", "82", "83", "86", "87", "88"}}
    assert _members(chart.ARETS_RESULTAT, "D") - _members(chart.SUMMA_DRIFT, "D") == beyond
    assert _members(chart.YEAR_END_POSTINGS, "D") == beyond and not _members(chart.YEAR_END_POSTINGS, "I")
    assert _members(chart.RESULT_CLASSES, "I") == {k for k in FOUR_DIGIT_ACCOUNTS if "3000" <= k <= "8999"}


@pytest.mark.parametrize("text", ["202400", "202413", "202414", "202415", "202420", "20241", "2024AB"])
def test_the_param_patterns_say_what_the_parsers_say(text: str) -> None:
    """DAG params check YEAR_PATTERN/PERIOD_PATTERN before Python sees the value: the same forms."""
    try:
        parse_period(text)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.fullmatch(PERIOD_PATTERN, text)) == parsed
    assert bool(re.fullmatch(YEAR_PATTERN, text[:4])) == text[:4].isdigit()
