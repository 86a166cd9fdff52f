"""Per-account figures fetched once from the warehouse and shared by every ledger report.

The heavy lifting (scanning postings) is one SQL aggregate per förvaltning and period; what is
left for Python is a few hundred account rows to arrange in the city's layouts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.domain.organisation import budget_partition
from bokslut.domain.periods import parse_period
from bokslut.sql import load_sql
from bokslut.warehouse.schema import account, load_audit, publication

REPORT_COLUMNS = ("externt", "stadens_bolag", "internt")


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
    parse_period(str(period))  # a Swedish error for 202415, not an empty report
    year = period // 100
    params = {"forvaltning": forvaltning, "period_from": year * 100, "period_to": period, "source": "ledger"}
    balances: dict[tuple[str, str, str], tuple[int, int]] = {}
    with engine.connect() as connection:
        for row in connection.execute(load_sql("reports/account_balances"), params):
            balances[(row.konto, row.anslag, row.report_column)] = (int(row.opening_ore), int(row.movement_ore))
        accounts = connection.execute(
            sa.select(account.c.code, account.c.name, account.c.fixed_line,
                      account.c.valid_from_year, account.c.valid_to_year)
        ).all()
        year_names = _year_export_names(connection, forvaltning, year)
    # The kontoplan (and the newest export) names every code; the names the year's own exports
    # carried win, so a 2024 report printed after 2025 was loaded keeps 2024's account names.
    names = {a.code: a.name for a in accounts} | year_names
    fixed = {
        a.code for a in accounts
        if a.fixed_line and len(a.code) == 4
        and (a.valid_from_year is None or a.valid_from_year <= year)
        and (a.valid_to_year is None or year <= a.valid_to_year)
    }
    return LedgerFigures(forvaltning, period, balances, names, fixed)


def _year_export_names(connection: sa.Connection, forvaltning: str, year: int) -> dict[str, str]:
    """Account names (Kontonamn) in the published ledger exports of ``year``: the newest period wins.

    Each load records, per account, the newest period and name its file carried (``load_audit.details``,
    applied to ``account`` at publication). A name from a period outside the year is not the year's.
    """
    loads = (sa.select(publication.c.load_id).distinct()
             .where(publication.c.source == "ledger", publication.c.forvaltning == forvaltning,
                    publication.c.partition.between(str(year * 100), str(year * 100 + 99))))
    newest: dict[str, tuple[int, str]] = {}
    for (details,) in connection.execute(sa.select(load_audit.c.details).where(load_audit.c.load_id.in_(loads))):
        for konto, (period, name) in json.loads(details or "{}").get("kontonamn", {}).items():
            if year * 100 <= int(period) <= year * 100 + 99 and (konto not in newest or newest[konto][0] <= int(period)):
                newest[konto] = (int(period), name)
    return {konto: name for konto, (_period, name) in newest.items()}


def fetch_budget_by_dimension(engine: Engine, forvaltning: str, year: int, version: str,
                              period_to: int) -> dict[tuple[str, str, str, str], int] | None:
    """(ansvar, projekt, konto, anslag) -> öre of a published budget version up to ``period_to``
    (periodised rows up to it plus the whole-year rows), or None when it was never loaded. The one
    read of a budget: the reports sum it per account, the templates use it per ansvar and projekt."""
    params = {"source": "budget", "forvaltning": forvaltning, "year": year, "version": version,
              "period_to": period_to, "partition": budget_partition(year, version)}
    with engine.connect() as connection:
        published = connection.execute(sa.text(
            "SELECT 1 FROM publication WHERE source = 'budget' AND forvaltning = :forvaltning AND partition = :partition"
        ), params).first()
        if published is None:
            return None
        rows = connection.execute(load_sql("reports/budget_by_dimension"), params).all()
    return {(r.ansvar, r.projekt, r.konto, r.anslag): int(r.amount_ore) for r in rows}


def fetch_budget(engine: Engine, forvaltning: str, period: int, version: str) -> dict[tuple[str, str], int] | None:
    """(konto, anslag) -> öre of a published budget version, or None when it was never loaded."""
    by_dimension = fetch_budget_by_dimension(engine, forvaltning, period // 100, version, period)
    if by_dimension is None:
        return None
    out: dict[tuple[str, str], int] = {}
    for (_ansvar, _projekt, konto, anslag), amount in by_dimension.items():
        out[(konto, anslag)] = out.get((konto, anslag), 0) + amount
    return out


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
