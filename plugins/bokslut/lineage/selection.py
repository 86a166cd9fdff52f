"""Which published rows a figure sums, stated so that it can be printed, re-run as SQL and shown row by row.

A ``LedgerSelection`` is an ``AccountSet`` (``bokslut.domain.accounts``) with
the förvaltning, the periods and the koddel filters; a ``BudgetSelection`` the budget year and
version. ``total``/``top_rows``/``loads`` run them against the warehouse with bound parameters
only, over the published loads and the raw rows (``posting``, ``budget``), never the aggregates
the reports read: a recomputed figure is an independent second path to the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.domain.accounts import AccountSet
from bokslut.domain.organisation import budget_partition
from bokslut.lineage.model import Contribution, LoadRef
from bokslut.warehouse.schema import budget, load_audit, posting, publication


@dataclass(frozen=True)
class LedgerSelection:
    forvaltning: str
    period_from: int | None  # None: from the first loaded period (accumulated)
    period_to: int
    accounts: AccountSet
    ansvar: tuple[str, ...] | None = None
    projekt: tuple[str, ...] | None = None
    sign: int = 1  # -1 when the cell shows income as a positive amount

    def describe(self) -> str:
        periods = f"period {self.period_from}–{self.period_to}" if self.period_from else f"t.o.m. period {self.period_to}"
        parts = [f"huvudbok förvaltning {self.forvaltning}", periods, self.accounts.describe()]
        if self.ansvar:
            parts.append("ansvar " + ", ".join(self.ansvar))
        if self.projekt:
            parts.append("projekt " + ", ".join(self.projekt))
        if self.sign < 0:
            parts.append("med omvänt tecken")
        return "; ".join(parts)

    def where(self) -> sa.ColumnElement[bool]:
        published = sa.select(publication.c.load_id).where(
            publication.c.source == "ledger", publication.c.forvaltning == self.forvaltning)
        parts = [posting.c.forvaltning == self.forvaltning, posting.c.period <= self.period_to,
                 posting.c.load_id.in_(published), self.accounts.clause(posting.c.konto, posting.c.anslag)]
        if self.period_from is not None:
            parts.append(posting.c.period >= self.period_from)
        if self.ansvar is not None:
            parts.append(posting.c.ansvar.in_(self.ansvar))
        if self.projekt is not None:
            parts.append(posting.c.projekt.in_(self.projekt))
        return sa.and_(*parts)


@dataclass(frozen=True)
class BudgetSelection:
    forvaltning: str
    year: int
    version: str
    period_to: int  # periodised rows up to this period plus the whole-year rows
    accounts: AccountSet
    ansvar: tuple[str, ...] | None = None
    projekt: tuple[str, ...] | None = None
    sign: int = 1

    def describe(self) -> str:
        parts = [f"budget {self.version} {self.year} förvaltning {self.forvaltning}", self.accounts.describe()]
        if self.period_to % 100 < 12:
            parts.append(f"periodiserad t.o.m. period {self.period_to}")
        if self.ansvar:
            parts.append("ansvar " + ", ".join(self.ansvar))
        if self.projekt:
            parts.append("projekt " + ", ".join(self.projekt))
        return "; ".join(parts)

    def where(self) -> sa.ColumnElement[bool]:
        published = sa.select(publication.c.load_id).where(
            publication.c.source == "budget", publication.c.forvaltning == self.forvaltning,
            publication.c.partition == budget_partition(self.year, self.version))
        parts = [budget.c.forvaltning == self.forvaltning, budget.c.year == self.year, budget.c.version == self.version,
                 sa.or_(budget.c.period.is_(None), budget.c.period <= self.period_to),
                 budget.c.load_id.in_(published), self.accounts.clause(budget.c.konto, budget.c.anslag)]
        if self.ansvar is not None:
            parts.append(budget.c.ansvar.in_(self.ansvar))
        if self.projekt is not None:
            parts.append(budget.c.projekt.in_(self.projekt))
        return sa.and_(*parts)


Selection = LedgerSelection | BudgetSelection


def _table(selection: Selection) -> sa.Table:
    return posting if isinstance(selection, LedgerSelection) else budget


def total(engine: Engine, selection: Selection) -> tuple[int, int]:
    """(sum in öre with the selection's sign, number of rows) over the raw published rows."""
    table = _table(selection)
    query = sa.select(sa.func.coalesce(sa.func.sum(table.c.amount_ore), 0), sa.func.count()).where(selection.where())
    with engine.connect() as connection:
        amount, rows = connection.execute(query).one()
    return selection.sign * int(amount), int(rows)


def top_rows(engine: Engine, selection: Selection, limit: int) -> list[Contribution]:
    """The ``limit`` rows adding most (by absolute amount), each with its load's file and SHA-256."""
    table = _table(selection)
    ledger = table is posting
    columns = [table.c.amount_ore, table.c.period, table.c.konto, table.c.anslag,
               table.c.ansvar, table.c.projekt, table.c.load_id, load_audit.c.file_name, load_audit.c.sha256]
    if ledger:
        columns.append((table.c.vertyp + sa.literal(" ") + table.c.vernr).label("verifikation"))
    query = (sa.select(*columns).join(load_audit, load_audit.c.load_id == table.c.load_id)
             .where(selection.where())
             .order_by(sa.func.abs(table.c.amount_ore).desc(), table.c.load_id, table.c.source_line).limit(limit))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [Contribution(selection.sign * int(r.amount_ore), int(r.period) if r.period is not None else selection_year_end(selection),
                         r.konto, r.anslag, r.ansvar or None, r.projekt or None,
                         getattr(r, "verifikation", None), LoadRef(int(r.load_id), r.file_name, r.sha256))
            for r in rows]


def selection_year_end(selection: Selection) -> int:
    """The period a whole-year budget row is shown with (YYYY12)."""
    return (selection.year if isinstance(selection, BudgetSelection) else selection.period_to // 100) * 100 + 12


def loads(engine: Engine, selection: Selection) -> list[LoadRef]:
    """The published loads whose rows the selection sums (file name, SHA-256, load id)."""
    table = _table(selection)
    query = (sa.select(load_audit.c.load_id, load_audit.c.file_name, load_audit.c.sha256)
             .where(load_audit.c.load_id.in_(sa.select(table.c.load_id).where(selection.where()).distinct()))
             .order_by(load_audit.c.load_id))
    with engine.connect() as connection:
        return [LoadRef(int(r.load_id), r.file_name, r.sha256) for r in connection.execute(query)]
