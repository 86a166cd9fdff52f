"""The suites in expectations/ and the SQL they name stay consistent (fast, no database)."""

from __future__ import annotations

import json
import re

import pytest

from bokslut.controls.suites import load_control_suites
from bokslut.settings import EXPECTATIONS_DIR, SQL_DIR

pytestmark = pytest.mark.unit

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
    sheet_lines = {k for k in suite.lines if k.startswith("KK")}
    assert ids_in_sql == sheet_lines
    for control_id in ids_in_sql | set(suite.line_ids.values()):
        assert suite.expectation_for(control_id) is not None, control_id
    for texts in suite.lines.values():
        assert texts["name"] and texts["rule"]
    # lines the data decides: every key kind the SQL yields has a template
    for kind in re.findall(r"'([a-z]+):' \|\|", suite.sql):
        assert kind in suite.lines, kind


def test_kk11_keeps_the_2024_sheet_numbering():
    kk11 = next(s for s in SUITES if s.group == "KK11")
    assert sorted(kk11.line_ids.values(), key=lambda i: int(i.split(".")[1])) == [f"KK11.{n}" for n in range(1, 16)]
    assert kk11.line("grupp:16", {"16": "Diverse kortfristiga fordringar"})[0] == "KK11.4"
    control_id, texts = kk11.line("grupp:13", {"13": "Finansiella anläggningstillgångar"})
    assert control_id == "KK11:13"  # a group the 2024 sheet does not show: keyed, never renumbering the others
    assert texts["name"] == "Kontroll UB kontra IB / 13 Finansiella anläggningstillgångar"


@pytest.mark.parametrize("group", ["KK05", "KK02"])
def test_the_sheets_account_lines_are_not_repeated_as_data_lines(group):
    """The accounts the SQL leaves out of the data-decided lines are exactly those of the sheet's account lines."""
    suite = next(s for s in SUITES if s.group == group)
    listed = {t["accounts"].split(";")[0] for k, t in suite.lines.items() if k.startswith("KK")
              and re.fullmatch(r"\d{4}", t["accounts"].split(";")[0])}
    excluded = set(re.findall(r"'(\d{4})'", re.search(r"NOT IN \(([^)]*)\)", suite.sql).group(1)))
    assert excluded == listed


def test_severity_as_the_city_means_it():
    """The lines the city's sheet marks informational (reference rule "informational") never block."""
    from tests.conftest import REFERENCE_DIR
    from tests.golden.compare import read_tsv

    informational = {r["control_id"] for r in read_tsv(REFERENCE_DIR / "2024" / "kontokontroller.tsv")
                     if r["rule"].startswith("informational")}
    assert informational == {f"KK05.{n}" for n in range(1, 8)}
    severity = {cid: s.expectation_for(cid).severity for s in SUITES for cid in s.lines if cid.startswith("KK")}
    assert {cid for cid, sev in severity.items() if sev == "info"} == informational
    kk05 = next(s for s in SUITES if s.group == "KK05")
    assert kk05.expectation_for("KK05:9045").severity == "info"  # 904x/905x the sheet does not list
    assert kk05.expectation_for("KK05:9132").severity == "blocking"  # 91xx must be 0 as on the sheet
    assert kk05.expectation_for("KK05:9201").severity == "warning"  # 92xx: no range on the sheet


def test_lines_needing_a_delivered_input_name_it():
    from bokslut.controls.inputs import INPUTS

    requires = {cid: t["requires"] for s in SUITES for cid, t in s.lines.items() if "requires" in t}
    assert {cid for cid in requires if cid.startswith("KK09")} == {"KK09.4", "KK09.5", "KK09.6"}
    assert requires["KK12.10"] == ["anlaggningsreskontra"]
    assert all(set(r) <= set(INPUTS) for r in requires.values())


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
            assert expectation["meta"]["severity"] in ("blocking", "warning", "info")
        assert gx.ExpectationSuite(**raw).name == raw["name"]


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.group)
def test_values_are_bound_and_only_the_batch_is_pasted(suite):
    """The runner binds :period, :forvaltning, the candidate pairs, …; GE gets the same values as
    SQLAlchemy-rendered literals."""
    from sqlalchemy.dialects import postgresql

    from bokslut.controls.scope import PeriodBounds
    from bokslut.controls.suites import bind_values, inline_binds

    assert set(re.findall(r"\{(\w+)\}", suite.sql)) <= {"batch"}
    assert "'{" not in suite.sql  # no value pasted into a string literal
    values = {**PeriodBounds("191", 202413).sql_values(), "treasury_candidates": [(202401, 7), (202402, 8)],
              "register_candidates": []}
    assert set(bind_values(suite.sql, values)) <= set(values)
    inlined = inline_binds(suite.sql, values, postgresql.psycopg.dialect())
    assert bind_values(inlined, {}) == {}  # nothing left for a driver to bind
    assert "'191'" in inlined or ":forvaltning" not in suite.sql


def test_inline_binds_quotes_what_it_inlines():
    from sqlalchemy.dialects import sqlite

    from bokslut.controls.suites import inline_binds

    sql = "SELECT 'summa:skulder' AS k FROM t WHERE f = :forvaltning AND p <= :period"
    assert inline_binds(sql, {"forvaltning": "1'9", "period": 202413}, sqlite.dialect()) == \
        "SELECT 'summa:skulder' AS k FROM t WHERE f = '1''9' AND p <= 202413"
    with pytest.raises(KeyError):
        inline_binds(sql, {"period": 202413}, sqlite.dialect())


def test_candidate_pairs_bind_as_one_list_and_inline_the_same_rows():
    """``(period, load_id) IN :candidates``: bound as an expanding list for the runner, the same row
    values inlined for GE; an empty list selects nothing either way."""
    import sqlalchemy as sa

    from bokslut.controls.suites import bound_statement, inline_binds

    engine = sa.create_engine("sqlite://")
    sql = "SELECT period, load_id FROM t WHERE (period, load_id) IN :candidates ORDER BY period"
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (period INTEGER, load_id INTEGER)"))
        connection.execute(sa.text("INSERT INTO t VALUES (202401, 1), (202401, 2), (202402, 2), (202403, 3)"))
        for pairs in ([(202401, 2), (202402, 2)], []):
            bound = connection.execute(*bound_statement(sql, {"candidates": pairs})).all()
            inlined = connection.execute(sa.text(inline_binds(sql, {"candidates": pairs}, engine.dialect))).all()
            assert [tuple(r) for r in bound] == [tuple(r) for r in inlined] == pairs
    with pytest.raises(TypeError):
        inline_binds(sql, {"candidates": [(202401, 1.5)]}, engine.dialect)
    engine.dispose()
