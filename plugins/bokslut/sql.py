"""SQL lives in ``include/sql`` (one file per purpose); this loads it as SQLAlchemy text."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa

from bokslut.settings import SQL_DIR


@cache
def load_sql(name: str) -> sa.TextClause:
    """``load_sql("reports/account_balances")`` → the statement in ``include/sql/reports/account_balances.sql``."""
    return sa.text((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
