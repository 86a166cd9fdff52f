"""Account sets and selections: one definition for the Python check, the SQL and the Swedish text."""

from __future__ import annotations

import pytest

from bokslut.domain.accounts import AccountSet, next_prefix
from bokslut.lineage.selection import LedgerSelection

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("prefix", "expected"), [("78", "79"), ("79", "8"), ("852", "853"), ("4000", "4001"), ("99", "\uffff")])
def test_next_prefix(prefix: str, expected: str) -> None:
    assert next_prefix(prefix) == expected


def test_account_set_contains_and_describes() -> None:
    drift = AccountSet(AccountSet.groups("40", "78").include + AccountSet.prefixes("85").include, (("852", "853"),), "D")
    assert drift.contains("4022", "D") and drift.contains("7899", "D") and drift.contains("8510", "D")
    assert not drift.contains("7900", "D") and not drift.contains("8521", "D") and not drift.contains("4022", "I")
    assert drift.describe() == "konto 40–78, 85 utom 852; anslag D"


def test_selection_sql_uses_bound_parameters_only() -> None:
    selection = LedgerSelection("191", 202401, 202404, AccountSet.prefixes("4022", anslag="D"), ansvar=("2130",))
    compiled = selection.where().compile()
    assert "4022" not in str(compiled) and "2130" not in str(compiled) and "191" not in str(compiled)
    values = [tuple(v) if isinstance(v, list) else v for v in compiled.params.values()]
    assert "4022" in values and ("2130",) in values and "191" in values


def test_an_open_range_reads_as_the_highest_account_and_never_carries_the_sentinel() -> None:
    everything = AccountSet.prefixes("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
    assert "\uffff" not in everything.describe()
    assert AccountSet.prefixes("9", anslag="I").describe() == "konto 9–9999; anslag I"


def test_an_xlsx_cell_never_receives_a_character_xml_cannot_hold(tmp_path) -> None:
    from openpyxl import Workbook, load_workbook

    from bokslut.xlsxcell import put

    wb = Workbook()
    put(wb.active["A1"], "konto 0–(under \uffff)\ufffe\x01")
    wb.save(tmp_path / "x.xlsx")
    assert load_workbook(tmp_path / "x.xlsx").active["A1"].value == "konto 0–(under )"


def test_an_explanation_disagrees_when_any_figure_recomputed_with_it_does() -> None:
    from bokslut.lineage.model import Explanation

    base = dict(subject="KK05.6", value=100, unit="öre", source="x", recomputed=100)
    assert Explanation(**base).agrees is True
    assert Explanation(**base, checks={"förväntat": True, "differens": False}).agrees is False
    assert Explanation(**{**base, "recomputed": None}, checks={"förväntat": False}).agrees is False
