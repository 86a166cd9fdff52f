"""Account sets and selections: one definition for the Python check, the SQL and the Swedish text."""

from __future__ import annotations

import pytest

from bokslut.lineage.selection import AccountSet, LedgerSelection, next_prefix


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
