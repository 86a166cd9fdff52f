"""Per-account figures fetched once from the warehouse and shared by every ledger report.

The heavy lifting (scanning postings) is one SQL aggregate per förvaltning and period; what is
left for Python is a few hundred account rows to arrange in the city's layouts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.sql import load_sql
from bokslut.warehouse.schema import account

REPORT_COLUMNS = ("externt", "stadens_bolag", "internt")


def validate_period(period: int) -> None:
    if not (190001 <= period <= 299914) or period % 100 > 14:
        raise ValueError(f"Ogiltig period {period}: ange ÅÅÅÅPP med PP 00–14, t.ex. 202413.")


@dataclass
class LedgerFigures:
    forvaltning: str
    period: int  # YYYYPP, the last period covered
    balances: dict[tuple[str, str, str], tuple[int, int]]  # (konto, anslag, column) -> (opening, movement)
    names: dict[str, str]  # account and group names
    fixed_accounts: set[str]  # printed even when zero

    @property
    def year(self) -> int:
        return self.period // 100

    def accounts(self) -> set[str]:
        return {k for k, _, _ in self.balances}

    def total(self, *, anslag: str | None = None, column: str | None = None,
              opening: bool = False, movement: bool = True, predicate=None) -> int:
        result = 0
        for (konto, a, c), (o, m) in self.balances.items():
            if predicate is not None and not predicate(konto):
                continue
            if anslag is not None and a != anslag:
                continue
            if column is not None and c != column:
                continue
            result += (o if opening else 0) + (m if movement else 0)
        return result

    def name(self, code: str) -> str:
        return self.names.get(code, f"(namn saknas i kontoplanen: {code})")


def fetch_ledger_figures(engine: Engine, forvaltning: str, period: int) -> LedgerFigures:
    validate_period(period)
    year = period // 100
    params = {"forvaltning": forvaltning, "period_from": year * 100, "period_to": period}
    balances: dict[tuple[str, str, str], tuple[int, int]] = {}
    with engine.connect() as connection:
        for row in connection.execute(load_sql("reports/account_balances"), params):
            balances[(row.konto, row.anslag, row.report_column)] = (int(row.opening_ore), int(row.movement_ore))
        accounts = connection.execute(
            sa.select(account.c.code, account.c.name, account.c.fixed_line,
                      account.c.valid_from_year, account.c.valid_to_year)
        ).all()
    names = {a.code: a.name for a in accounts}
    fixed = {
        a.code for a in accounts
        if a.fixed_line and len(a.code) == 4
        and (a.valid_from_year is None or a.valid_from_year <= year)
        and (a.valid_to_year is None or year <= a.valid_to_year)
    }
    return LedgerFigures(forvaltning, period, balances, names, fixed)


def fetch_budget(engine: Engine, forvaltning: str, period: int, version: str) -> dict[tuple[str, str], int] | None:
    """(konto, anslag) -> öre of a published budget version, or None when it was never loaded."""
    year = period // 100
    params = {"forvaltning": forvaltning, "year": year, "version": version,
              "period_to": period, "partition": f"{year}:{version}"}
    with engine.connect() as connection:
        rows = connection.execute(load_sql("reports/budget_by_account"), params).all()
        published = connection.execute(sa.text(
            "SELECT 1 FROM publication WHERE source = 'budget' AND forvaltning = :forvaltning AND partition = :partition"
        ), params).first()
    if published is None:
        return None
    return {(r.konto, r.anslag): int(r.amount_ore) for r in rows}


def fetch_extract(engine: Engine, sql_name: str, source: str, forvaltning: str, period: int) -> list[sa.Row] | None:
    """Rows of a supplementary extract for the year to ``period``, or None if none was delivered."""
    year = period // 100
    params = {"forvaltning": forvaltning, "period_from": year * 100, "period_to": period, "source": source}
    with engine.connect() as connection:
        delivered = connection.execute(sa.text(
            "SELECT 1 FROM publication WHERE source = :source AND forvaltning = :forvaltning "
            "AND partition BETWEEN :lo AND :hi"
        ), {**params, "lo": str(year * 100), "hi": str(period)}).first()
        if delivered is None:
            return None
        return connection.execute(load_sql(sql_name), params).all()
