"""The Kontokontroller suites: Great Expectations 1.x JSON in ``expectations/``, SQL in ``include/sql/controls``.

A suite file holds one control group: its Swedish name, the text of each line (name, rule,
accounts, where to look, the filter that finds the postings behind a failure, the inputs it needs
besides the ledger) and one ``unexpected_rows_expectation`` per severity/scope. The query is not
copied into the JSON: ``meta.sql_file`` names the SQL that computes the group's lines, and loading
fills it in.

Lines the data decides (an account or account group the year holds that the city's 2024 sheet does
not list) come from the SQL as a key ``kind:code`` (``konto:9045``, ``grupp:13``). Their control id
is ``meta.line_ids[key]`` when the 2024 sheet has the line (so KK11.1 stays group 11 every year),
otherwise ``<group>:<code>`` (``KK05:9045``): keyed by account, stable from month to month and year
to year. Their texts come from ``meta.lines[<key>]`` or the template ``meta.lines[<kind>]``, with
``{code}`` and ``{account_name}`` filled in.

An expectation's ``meta.control_ids`` may hold shell-style patterns (``KK05:904?``); a line belongs
to the first expectation that covers it, so a catch-all (``control_ids: null``) comes last.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from bokslut.settings import EXPECTATIONS_DIR
from bokslut.sql import render_account_sets, sql_text

CONTROL_PATTERN = "kk*.json"
SEVERITIES = ("blocking", "warning", "info")
CODE = re.compile(r"^[0-9]{1,4}$")  # an account or account group, the only text filled into a filter


@dataclass(frozen=True)
class ControlExpectation:
    id: str
    severity: str  # blocking | warning | info
    scope: tuple[str, ...]  # manad, T1, T2, bokslut
    control_ids: tuple[str, ...] | None  # None: every line of the group
    description: str

    def covers(self, control_id: str) -> bool:
        return self.control_ids is None or any(fnmatchcase(control_id, p) for p in self.control_ids)


@dataclass(frozen=True)
class ControlSuite:
    path: Path
    name: str
    group: str
    sql_file: str
    lines: dict[str, dict]
    expectations: tuple[ControlExpectation, ...]
    raw: dict
    line_ids: dict[str, str]  # SQL key -> the 2024 sheet's control id (KK11)

    @property
    def sql(self) -> str:
        return sql_text(self.sql_file)

    def expectation_for(self, control_id: str) -> ControlExpectation | None:
        return next((e for e in self.expectations if e.covers(control_id)), None)

    def line(self, key: str, account_names: dict[str, str]) -> tuple[str, dict]:
        """(control id, texts) of a line the SQL yields as ``key``."""
        kind, keyed, code = key.partition(":")
        if not keyed:  # a sheet line the SQL names by its id (KK05.1)
            return key, self.lines[key]
        template = self.lines.get(key) or self.lines.get(kind)
        if template is None or not (key in self.line_ids or CODE.match(code)):
            raise ValueError(f"{self.group}: raden {key!r} saknar beskrivning i {self.path.name}")
        control_id = self.line_ids.get(key) or f"{self.group}:{code}"
        name = account_names.get(code, "")
        # an account the account table does not name shows its number only (no trailing blank)
        return control_id, {k: v.replace("{code}", code).replace("{account_name}", name).strip() if isinstance(v, str)
                            else v for k, v in template.items()}


@cache
def load_control_suites(folder: Path = EXPECTATIONS_DIR) -> tuple[ControlSuite, ...]:
    suites = []
    for path in sorted(folder.glob(CONTROL_PATTERN)):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for e in raw["expectations"]:
            if e["meta"]["severity"] not in SEVERITIES:
                raise ValueError(f"{path.name}: okänd allvarlighetsgrad {e['meta']['severity']!r}")
        expectations = tuple(
            ControlExpectation(
                id=e["id"],
                severity=e["meta"]["severity"],
                scope=tuple(e["meta"]["scope"]),
                control_ids=tuple(e["meta"]["control_ids"]) if e["meta"].get("control_ids") else None,
                description=e["kwargs"]["description"],
            )
            for e in raw["expectations"]
        )
        lines = {key: _named_account_sets(texts) for key, texts in raw["meta"]["lines"].items()}
        suites.append(ControlSuite(path, raw["name"], raw["meta"]["control_group"], raw["meta"]["sql_file"],
                                   lines, expectations, raw, raw["meta"].get("line_ids", {})))
    return tuple(suites)


def _named_account_sets(texts: dict) -> dict:
    """A line's ``offending_filter`` with its ``{BALANCE}``-style account sets filled in, as the control
    SQL has them (``bokslut.sql.render_account_sets``): the drill-down selects the same accounts."""
    if isinstance(texts, dict) and isinstance(texts.get("offending_filter"), str):
        return {**texts, "offending_filter": render_account_sets(texts["offending_filter"])}
    return texts


# The bind syntax of SQLAlchemy's text(): ":name", not "::" casts, not inside a word ('summa:skulder').
BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


def bind_values(sql: str, values: dict[str, object]) -> dict[str, object]:
    """The parameters a statement binds, taken from ``values`` (a missing one is an error, not NULL)."""
    names = set(BIND.findall(sql))
    missing = names - set(values)
    if missing:
        raise KeyError(f"SQL-parametrar saknas: {', '.join(sorted(missing))}")
    return {name: values[name] for name in names}


# A list of (period, load_id) pairs, bound as one expanding parameter: ``(period, load_id) IN :candidates``
# (a row-value IN list, SQLite 3.15+ and PostgreSQL; an empty list selects nothing).
CANDIDATE_PAIRS = sa.types.TupleType(sa.Integer(), sa.Integer())


def bound_statement(sql: str, values: dict[str, object]) -> tuple[sa.TextClause, dict[str, object]]:
    """The statement and the parameters it binds; a list value (candidate pairs) binds as an expanding
    parameter of (integer, integer) rows."""
    params = bind_values(sql, values)
    statement = sa.text(sql)
    lists = [name for name, value in params.items() if isinstance(value, list)]
    if lists:
        statement = statement.bindparams(*(sa.bindparam(n, expanding=True, type_=CANDIDATE_PAIRS) for n in lists))
    return statement, params


def inline_binds(sql: str, values: dict[str, object], dialect: sa.Dialect) -> str:
    """The statement with each ``:name`` replaced by its value as a literal SQLAlchemy renders for the
    dialect. Only for Great Expectations: an ``UnexpectedRowsExpectation`` takes a query string and no
    parameters; the runner's own queries bind the same values."""
    params = bind_values(sql, values)

    def scalar(name: str, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"SQL-parametern {name} är varken heltal eller text: {value!r}")
        return str(sa.literal(value).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    def literal(match: re.Match) -> str:
        name = match.group(1)
        value = params[name]
        if isinstance(value, list):  # candidate pairs: the row-value list; nothing matches (NULL, NULL)
            rows = [f"({scalar(name, p)}, {scalar(name, q)})" for p, q in value] or ["(NULL, NULL)"]
            return "(" + ", ".join(rows) + ")"
        return scalar(name, value)

    return BIND.sub(literal, sql)
