"""The Kontokontroller suites: Great Expectations 1.x JSON in ``expectations/``, SQL in ``include/sql/controls``.

A suite file holds one control group: its Swedish name, the text of each line (name, rule,
accounts, where to look, the filter that finds the postings behind a failure) and one
``unexpected_rows_expectation`` per severity/scope. The query is not copied into the JSON:
``meta.sql_file`` names the SQL that computes the group's lines, and loading fills it in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bokslut.settings import EXPECTATIONS_DIR, SQL_DIR

CONTROL_PATTERN = "kk*.json"


@dataclass(frozen=True)
class ControlExpectation:
    id: str
    severity: str  # blocking | warning
    scope: tuple[str, ...]  # manad, T1, T2, bokslut
    control_ids: tuple[str, ...] | None  # None: every line of the group
    description: str

    def covers(self, control_id: str) -> bool:
        return self.control_ids is None or control_id in self.control_ids


@dataclass(frozen=True)
class ControlSuite:
    path: Path
    name: str
    group: str
    sql_file: str
    lines: dict[str, dict[str, str]]
    expectations: tuple[ControlExpectation, ...]
    raw: dict

    @property
    def sql(self) -> str:
        return (SQL_DIR / f"{self.sql_file}.sql").read_text(encoding="utf-8")

    def expectation_for(self, control_id: str) -> ControlExpectation | None:
        return next((e for e in self.expectations if e.covers(control_id)), None)


@cache
def load_control_suites(folder: Path = EXPECTATIONS_DIR) -> tuple[ControlSuite, ...]:
    suites = []
    for path in sorted(folder.glob(CONTROL_PATTERN)):
        raw = json.loads(path.read_text(encoding="utf-8"))
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
        suites.append(ControlSuite(path, raw["name"], raw["meta"]["control_group"], raw["meta"]["sql_file"],
                                   raw["meta"]["lines"], expectations, raw))
    return tuple(suites)


def render_sql(sql: str, values: dict[str, object]) -> str:
    """Fill the ``{name}`` placeholders (validated integers and codes only); ``{batch}`` stays for GE."""
    for key, value in values.items():
        sql = sql.replace("{" + key + "}", str(value))
    return sql
