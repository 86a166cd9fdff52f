"""Input suites compiled to SQL: the whole suite in one aggregate pass over a staged load.

The suite JSON (``expectations/input_<source>.json``) stays the contract; this module reads it and
turns every expectation into a SQL condition that is true on an unexpected row of the load. One
query counts them all (``SUM(CASE WHEN <unexpected> THEN 1 ELSE 0 END)`` per expectation); only a
failing expectation costs a second, small query for its sample. Great Expectations is not
imported: ``input_checks.run_input_checks_ge`` runs the same suite through GE, and
``tests/controls/test_input_sql_parity.py`` holds the two to the same verdicts.

GE semantics kept here: column map expectations ignore NULLs (except ``not_null``), ``mostly`` is
GE's float ratio over the rows considered (vacuously true on none), ``unexpected_rows_expectation``
fails on any row its query returns. An expectation type, argument or SQL shape this compiler does
not know raises :class:`InputSuiteError`: a check is never skipped silently.

The SQL file of an ``unexpected_rows_expectation`` (``meta.sql_file``) must be one of two shapes,
both valid GE queries (comment lines are dropped first, as for GE):

- ``SELECT <columns> FROM {batch} [batch] WHERE <predicate>``: the predicate is a row condition.
  GE names the batch itself (``AS subselect``) unless the query holds a JOIN, so the alias
  ``batch`` is required exactly when it does. The predicate may read ``{batch}`` again in an
  uncorrelated subquery (``batch.source_line NOT IN (SELECT a.source_line FROM {batch} a JOIN …)``):
  evaluated once per query, where a correlated lookup would run once per row.
- ``SELECT <columns> FROM (SELECT *, <expr> AS <name>, … FROM {batch}) batch WHERE <predicate>``:
  window columns over the load (duplicates, overlaps), computed once for the whole suite.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.settings import EXPECTATIONS_DIR, SQL_DIR

SAMPLE = 5  # sample lines / values named in a message

ROW_COUNT = "expect_table_row_count_to_be_between"
NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
LENGTH_EQUAL = "expect_column_value_lengths_to_equal"
BETWEEN = "expect_column_values_to_be_between"
ROWS = "unexpected_rows_expectation"

# The kwargs each type may carry; any other (row_condition, parse_strings_as_datetimes, …) raises.
KWARGS = {
    ROW_COUNT: {"min_value", "max_value", "strict_min", "strict_max"},
    NOT_NULL: {"column", "mostly"},
    IN_SET: {"column", "value_set", "mostly"},
    LENGTH_EQUAL: {"column", "value", "mostly"},
    BETWEEN: {"column", "min_value", "max_value", "strict_min", "strict_max", "mostly"},
    ROWS: {"unexpected_rows_query", "description"},
}

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_FORM_PLAIN = re.compile(
    r"SELECT\s+(?P<columns>.+?)\s+FROM\s+\{batch\}(?:\s+(?P<alias>\w+))??\s+WHERE\s+(?P<predicate>.+)",
    re.IGNORECASE | re.DOTALL)
_FORM_WINDOW = re.compile(
    r"SELECT\s+(?P<columns>.+?)\s+FROM\s*\(\s*SELECT\s+\*\s*,\s*(?P<derived>.+?)\s+FROM\s+\{batch\}\s*\)"
    r"\s*(?P<alias>\w+)\s+WHERE\s+(?P<predicate>.+)",
    re.IGNORECASE | re.DOTALL)
_DERIVED = re.compile(r"(?P<expr>.+)\s+AS\s+(?P<name>\w+)", re.IGNORECASE | re.DOTALL)
# Clauses that would end a WHERE predicate: the predicate is pasted into a CASE, so none may follow it.
_CLAUSE = re.compile(r"\b(GROUP\s+BY|ORDER\s+BY|HAVING|LIMIT|OFFSET|FETCH|UNION|EXCEPT|INTERSECT|WINDOW)\b|;",
                     re.IGNORECASE)
_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)


_OVER = re.compile(r"\bOVER\s*\(", re.IGNORECASE)
_COLUMN = re.compile(r"(?:\w+\.)?(?:\w+|\*)")


def _plain_columns(columns: str, where: str) -> None:
    """The query's columns are plain (qualified) names: an aggregate (COUNT(*)) would make GE see one
    row whatever matched, while the compiled predicate counts the matching rows."""
    for column in columns.split(","):
        if not _COLUMN.fullmatch(column.strip()):
            raise InputSuiteError(f"{where}: the query may select plain columns only: {column.strip()!r}")


class InputSuiteError(ValueError):
    """The suite cannot be compiled faithfully (unknown type or argument, unknown column, SQL file
    of another shape). A contract error: raised, never reported as a passing check."""


@dataclass(frozen=True)
class Check:
    """One expectation of the suite as SQL over the load's rows (aliased ``batch``)."""

    position: int
    type: str
    id: str | None
    severity: str
    description: str
    unexpected: str | None  # condition true on an unexpected row; None for the row count
    considered: str | None = None  # rows the `mostly` ratio counts (None: every row, or no `mostly`)
    mostly: float | None = None
    sample_column: str | None = None  # map expectations show values; row expectations show lines
    bounds: tuple[Any, Any, bool, bool] = (None, None, False, False)  # row count: min, max, strict_min, strict_max
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompiledSuite:
    name: str
    table: str
    checks: tuple[Check, ...]
    derived: tuple[str, ...] = ()  # "<expr> AS <name>" window columns over the load

    def batch(self) -> str:
        """FROM … WHERE that yields the load's rows as ``batch`` (with the window columns, if any)."""
        if self.derived:
            return (f"(SELECT *, {', '.join(self.derived)} FROM {self.table} WHERE load_id = :load_id) batch "
                    "WHERE 1 = 1")
        return f"{self.table} batch WHERE batch.load_id = :load_id"

    def count_query(self, checks: tuple[Check, ...] | None = None) -> tuple[str, dict[str, Any]]:
        """One aggregate over the load: the row count and, per check, its unexpected (and considered) rows."""
        checks = self.checks if checks is None else checks
        terms = ["COUNT(*) AS row_count"]
        params: dict[str, Any] = {}
        for check in checks:
            params.update(check.params)
            if check.unexpected is not None:
                terms.append(f"SUM(CASE WHEN {check.unexpected} THEN 1 ELSE 0 END) AS unexpected_{check.position}")
            if check.considered is not None:
                terms.append(f"SUM(CASE WHEN {check.considered} THEN 1 ELSE 0 END) AS considered_{check.position}")
        return f"SELECT {', '.join(terms)}\nFROM {self.batch()}", params

    def sample_query(self, check: Check) -> tuple[str, dict[str, Any]]:
        shown = f"batch.{check.sample_column}" if check.sample_column else "batch.source_line"
        # Ordered by line so the message is the same on every run and database (GE takes the first
        # rows in whatever order the database returns them: on a fresh table, the load's order).
        return (f"SELECT {shown} FROM {self.batch()} AND ({check.unexpected})\n"
                f"ORDER BY batch.source_line LIMIT {SAMPLE}"), dict(check.params)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one expectation, from the compiled SQL or from GE (same fields, same message)."""

    position: int
    type: str
    severity: str
    success: bool
    count: int | None  # unexpected rows (map, rows) or the observed row count (row count)
    sample: tuple = ()  # lines (rows) or values (map): the first in line order
    message: str | None = None  # Swedish, None when it passed
    error: str | None = None  # the check could not run


def describe(check_type: str, description: str, count: int | None, sample: tuple) -> str:
    """The Swedish message of a failing expectation (the same words GE's results gave)."""
    if check_type == ROWS and sample:
        return f"{description} ({count} rader, t.ex. rad {', '.join(str(line) for line in sample[:SAMPLE])})"
    if check_type != ROW_COUNT and count:
        return f"{description} ({count} rader, t.ex. {', '.join(map(str, sample[:SAMPLE]))})"
    return description


# --- compiling --------------------------------------------------------------------------------

def suite_path(source: str) -> Path:
    return EXPECTATIONS_DIR / f"input_{source}.json"


def load_suite(source: str) -> dict | None:
    path = suite_path(source)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def sql_file_text(name: str) -> str:
    """The query of ``include/sql/<name>.sql`` without its comment lines (as GE is given it)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("--"))


def _mask(text: str) -> str:
    """The text with string literals, quoted identifiers and comments blanked (same length), for scanning."""
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", lambda m: " " * len(m.group()), text,
                  flags=re.DOTALL)


def _top_level(text: str) -> str:
    """The masked text with everything inside parentheses blanked: what a clause scan may look at."""
    out, depth = [], 0
    for char in _mask(text):
        if char == "(":
            depth += 1
        if depth < 0:
            break
        out.append(char if depth == 0 else " ")
        if char == ")":
            depth -= 1
    if depth != 0:
        raise InputSuiteError("unbalanced parentheses")
    return "".join(out)


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    top, parts, start = _top_level(text), [], 0
    for i, char in enumerate(top):
        if char == sep:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _predicate(text: str, where: str, table: str, has_join: bool) -> str:
    if "{" in text.replace("{batch}", "") or "}" in text.replace("{batch}", ""):
        raise InputSuiteError(f"{where}: no placeholder but {{batch}}")
    if _CLAUSE.search(_top_level(text)):
        raise InputSuiteError(f"{where}: the WHERE predicate must be the end of the query "
                              "(no GROUP BY, ORDER BY, LIMIT, UNION or ';' after it)")
    # {batch} inside the predicate (an uncorrelated subquery over the load, e.g. the lines that
    # match another table) is what GE puts there: the load's rows, aliased by GE unless there is a JOIN.
    rows = f"(SELECT * FROM {table} WHERE load_id = :load_id)" + ("" if has_join else " AS subselect")
    return f"({text.strip().replace('{batch}', rows)}\n)"  # newline: a trailing `-- comment` must not swallow `)`


def compile_rows_query(query: str, where: str, table: str = "posting") -> tuple[str, tuple[tuple[str, str], ...]]:
    """(predicate, derived columns) of an unexpected-rows query of one of the two shapes over ``table``."""
    query = query.strip()
    has_join = bool(_JOIN.search(_mask(query)))
    match = _FORM_WINDOW.fullmatch(query)
    if match:
        if match["alias"] != "batch" or has_join:
            raise InputSuiteError(f"{where}: the window form is `SELECT … FROM (SELECT *, … FROM {{batch}}) batch "
                                  "WHERE …` without a JOIN")
        _plain_columns(match["columns"], where)
        derived = []
        for part in _split_top_level(match["derived"]):
            item = _DERIVED.fullmatch(part)
            if not item or not IDENTIFIER.fullmatch(item["name"]):
                raise InputSuiteError(f"{where}: every window column is `<expression> AS <name>`: {part!r}")
            if not _OVER.search(_mask(item["expr"])):  # an aggregate without OVER would collapse the shared batch
                raise InputSuiteError(f"{where}: a window column needs OVER (…): {part!r}")
            derived.append((item["name"], f"{item['expr'].strip()} AS {item['name']}"))
        return _predicate(match["predicate"], where, table, has_join), tuple(derived)
    match = _FORM_PLAIN.fullmatch(query)
    if not match:
        raise InputSuiteError(f"{where}: the query must be `SELECT … FROM {{batch}} [batch] WHERE <predicate>` "
                              "or `SELECT … FROM (SELECT *, <expr> AS <name> FROM {batch}) batch WHERE <predicate>`")
    _top_level(match["columns"])  # balanced: the {batch} matched is the query's own FROM, not a subquery's
    _plain_columns(match["columns"], where)
    # GE aliases the batch itself (`AS subselect`) unless the query holds a JOIN: then it is ours.
    if has_join and match["alias"] != "batch":
        raise InputSuiteError(f"{where}: a query with a JOIN must name the batch `{{batch}} batch`")
    if not has_join and match["alias"] is not None:
        raise InputSuiteError(f"{where}: without a JOIN, GE names the batch itself: write `FROM {{batch}} WHERE …`")
    return _predicate(match["predicate"], where, table, has_join), ()


def _number(value: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputSuiteError(f"{where}: {value!r} is not a number")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputSuiteError(f"{where}: {value!r} is not true/false")
    return value


def compile_suite(raw: dict, table: sa.Table) -> CompiledSuite:
    """The suite as SQL over ``table``; raises :class:`InputSuiteError` on anything it cannot honour."""
    columns = {c.name for c in table.columns}
    checks, derived, names = [], [], set(columns)
    for position, expectation in enumerate(raw["expectations"]):
        kind = expectation.get("type")
        where = f"{raw.get('name')}: expectation {position + 1} ({kind})"
        if kind not in KWARGS:
            raise InputSuiteError(f"{where}: unknown expectation type; the input suites know "
                                  f"{', '.join(sorted(KWARGS))}")
        kwargs, meta = expectation.get("kwargs") or {}, expectation.get("meta") or {}
        unknown = set(kwargs) - KWARGS[kind]
        if unknown:
            raise InputSuiteError(f"{where}: argument(s) {', '.join(sorted(unknown))} not supported")
        if "description" not in meta:
            raise InputSuiteError(f"{where}: meta.description (the Swedish message) is missing")
        base = {"position": position, "type": kind, "id": expectation.get("id"),
                "severity": meta.get("severity", "blocking"), "description": meta["description"]}
        p = f"p{position}_"
        if kind == ROW_COUNT:
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            if low is None and high is None:
                raise InputSuiteError(f"{where}: min_value or max_value is required")
            bounds = (None if low is None else _number(low, where), None if high is None else _number(high, where),
                      _flag(kwargs.get("strict_min", False), where), _flag(kwargs.get("strict_max", False), where))
            checks.append(Check(**base, unexpected=None, bounds=bounds))
            continue
        if kind == ROWS:
            sql_file = meta.get("sql_file")
            if not sql_file:
                raise InputSuiteError(f"{where}: meta.sql_file (include/sql/<name>.sql) is missing")
            predicate, window = compile_rows_query(sql_file_text(sql_file), f"{where} {sql_file}", table.name)
            for name, definition in window:
                if name in names:
                    raise InputSuiteError(f"{where} {sql_file}: window column {name!r} is already a column of the batch")
                names.add(name)
                derived.append(definition)
            checks.append(Check(**base, unexpected=predicate))
            continue
        column = kwargs.get("column")
        if not isinstance(column, str) or column not in columns:
            raise InputSuiteError(f"{where}: column {column!r} is not a column of {table.name}")
        col = f"batch.{column}"
        params: dict[str, Any] = {}
        if kind == NOT_NULL:
            unexpected, considered = f"{col} IS NULL", None
        else:
            considered = f"{col} IS NOT NULL"  # GE: NULLs are neither expected nor unexpected
            if kind == IN_SET:
                values = kwargs.get("value_set")
                if not isinstance(values, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                           for v in values):
                    raise InputSuiteError(f"{where}: value_set must be a list of texts or integers")
                params = {f"{p}{i}": v for i, v in enumerate(values)}
                # GE: an empty set makes every non-NULL value unexpected
                bad = f"{col} NOT IN ({', '.join(':' + k for k in params)})" if params else "1 = 1"
            elif kind == LENGTH_EQUAL:
                value = kwargs.get("value")
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InputSuiteError(f"{where}: value must be an integer length")
                params = {f"{p}length": value}
                bad = f"LENGTH({col}) <> :{p}length"
            else:  # BETWEEN
                low, high = kwargs.get("min_value"), kwargs.get("max_value")
                if low is None and high is None:
                    raise InputSuiteError(f"{where}: min_value or max_value is required")
                strict_min, strict_max = (_flag(kwargs.get("strict_min", False), where),
                                          _flag(kwargs.get("strict_max", False), where))
                inside = []
                if low is not None:
                    params[f"{p}min"] = _number(low, where)
                    inside.append(f"{col} {'>' if strict_min else '>='} :{p}min")
                if high is not None:
                    params[f"{p}max"] = _number(high, where)
                    inside.append(f"{col} {'<' if strict_max else '<='} :{p}max")
                bad = f"NOT ({' AND '.join(inside)})"
            unexpected = f"{col} IS NOT NULL AND {bad}"
        mostly = kwargs.get("mostly")
        if mostly is not None and not 0 <= _number(mostly, where) <= 1:
            raise InputSuiteError(f"{where}: mostly must lie between 0 and 1")
        # Without `mostly`, no rows considered means no unexpected row: the count is only needed for the ratio.
        checks.append(Check(**base, unexpected=unexpected, considered=considered if mostly is not None else None,
                            mostly=mostly,
                            sample_column=column, params=params))
    return CompiledSuite(name=raw["name"], table=table.name, checks=tuple(checks), derived=tuple(derived))


# --- running ----------------------------------------------------------------------------------

def _success(check: Check, row_count: int, unexpected: int | None, considered: int | None) -> bool:
    if check.type == ROW_COUNT:
        low, high, strict_min, strict_max = check.bounds
        above = low is None or (row_count > low if strict_min else row_count >= low)
        below = high is None or (row_count < high if strict_max else row_count <= high)
        return above and below
    if check.type == ROWS:
        return unexpected == 0
    if check.mostly is None:
        return unexpected == 0  # on no rows considered there is no unexpected one either (GE: vacuously true)
    rows = row_count if check.considered is None else considered  # not_null counts every row (GE)
    if not rows:
        return True
    return (float(rows) - float(unexpected)) / float(rows) >= check.mostly  # GE's float ratio


def _error_text(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or ["okänt fel"])[0]


def _evaluate(connection: sa.Connection, suite: CompiledSuite, load_id: int,
              checks: tuple[Check, ...]) -> list[Outcome]:
    query, params = suite.count_query(checks)
    counts = connection.execute(sa.text(query), {**params, "load_id": int(load_id)}).mappings().one()
    row_count = counts["row_count"]
    outcomes = []
    for check in checks:
        unexpected = None if check.unexpected is None else int(counts[f"unexpected_{check.position}"] or 0)
        considered = None if check.considered is None else int(counts[f"considered_{check.position}"] or 0)
        success = _success(check, row_count, unexpected, considered)
        count = row_count if check.type == ROW_COUNT else unexpected
        sample: tuple = ()
        if not success and check.unexpected is not None:
            sample_sql, sample_params = suite.sample_query(check)
            sample = tuple(connection.execute(sa.text(sample_sql), {**sample_params, "load_id": int(load_id)}).scalars())
        outcomes.append(Outcome(check.position, check.type, check.severity, success, count, sample,
                                None if success else describe(check.type, check.description, count, sample)))
    return outcomes


def evaluate(engine: Engine, suite: CompiledSuite, load_id: int) -> list[Outcome]:
    """Every expectation of the suite on the load: one aggregate query, plus one per failing expectation.

    Should the single pass fail (a predicate the database cannot evaluate on these rows), each
    expectation is run alone so the failure is pinned on the one that could not run, as GE does.
    """
    try:
        with engine.connect() as connection:
            return _evaluate(connection, suite, load_id, suite.checks)
    except sa.exc.DBAPIError:
        pass
    outcomes = []
    for check in suite.checks:
        try:
            with engine.connect() as connection:  # a fresh transaction: PostgreSQL aborts one after an error
                outcomes.extend(_evaluate(connection, suite, load_id, (check,)))
        except sa.exc.DBAPIError as exc:
            outcomes.append(Outcome(check.position, check.type, check.severity, False, None,
                                    error=_error_text(exc)))
    return outcomes
