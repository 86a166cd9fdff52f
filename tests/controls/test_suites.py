"""The suites in expectations/ and the SQL they name stay consistent (fast, no database)."""

from __future__ import annotations

import json
import re

import pytest

from bokslut.controls.suites import load_control_suites
from bokslut.settings import EXPECTATIONS_DIR, SQL_DIR

SUITES = load_control_suites()


def test_twelve_control_groups_load():
    assert [s.group for s in SUITES] == [f"KK{n:02d}" for n in range(1, 13)]


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.group)
def test_sql_exists_and_stays_portable_through_ge(suite):
    code = "\n".join(line for line in suite.sql.splitlines() if not line.lstrip().startswith("--"))
    assert "{batch}" in code
    # GE leaves the batch unaliased in queries containing JOIN (PostgreSQL rejects that), and
    # substitutes {batch} even inside comments.
    assert not re.search(r"\bJOIN\b", suite.sql, re.IGNORECASE)
    assert not any("{batch}" in line for line in suite.sql.splitlines() if line.lstrip().startswith("--"))


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.group)
def test_every_sql_line_is_described_and_covered(suite):
    ids_in_sql = set(re.findall(r"'(KK\d\d\.\d+)'", suite.sql))
    if suite.group == "KK11":  # lines are numbered at run time from the groups present
        assert set(suite.lines) == {"grupp", "summa:tillgangar", "konto:201", "konto:202", "summa:eget_kapital", "summa:skulder"}
        return
    assert ids_in_sql == set(suite.lines)
    for control_id in ids_in_sql:
        assert suite.expectation_for(control_id) is not None, control_id
        assert suite.lines[control_id]["name"] and suite.lines[control_id]["rule"]


def test_suite_files_are_valid_ge_suites():
    import great_expectations as gx

    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for expectation in raw["expectations"]:
            sql_file = expectation["meta"].get("sql_file")
            if sql_file:
                assert (SQL_DIR / f"{sql_file}.sql").exists()
            if expectation["type"] == "unexpected_rows_expectation":
                expectation["kwargs"]["unexpected_rows_query"] = "SELECT * FROM {batch}"
            assert expectation["meta"]["severity"] in ("blocking", "warning")
        assert gx.ExpectationSuite(**raw).name == raw["name"]
