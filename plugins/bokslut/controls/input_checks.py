"""Checks on a staged load before it is published (the "audit" of write-audit-publish).

Each ``include/sql/input_checks/<source>/<check>.sql`` returns the offending rows of the load;
any row fails the check. The file's first comment line is the Swedish explanation.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.ingest.formats import SourceFormat
from bokslut.settings import SQL_DIR
from bokslut.sql import load_sql


def _explanation(sql_text: str) -> str:
    first = sql_text.splitlines()[0]
    return first.removeprefix("--").strip()


def run_input_checks(engine: Engine, fmt: SourceFormat, load_id: int) -> list[str]:
    """Swedish failure messages; an empty list means the load may be published."""
    failures = []
    folder = SQL_DIR / "input_checks" / fmt.name
    for path in sorted(folder.glob("*.sql")) if folder.exists() else []:
        statement = load_sql(f"input_checks/{fmt.name}/{path.stem}")
        with engine.connect() as connection:
            rows = connection.execute(statement, {"load_id": load_id}).fetchmany(5)
        if rows:
            lines = ", ".join(str(r.source_line) for r in rows)
            failures.append(f"{_explanation(path.read_text(encoding='utf-8'))} (t.ex. rad {lines})")
    return failures
