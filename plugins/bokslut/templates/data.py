"""Warehouse reads for the templates (SQL in ``include/sql/templates/``), published data only.

Each query runs once per fill and is cached here; the measures then pick what they need in
Python from a few thousand aggregated rows. Amounts are öre (int).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.domain import accounts as chart  # the named account sets
from bokslut.domain.accounts import AccountSet
from bokslut.reports.figures import fetch_budget_by_dimension
from bokslut.sql import load_sql

HISTORY_YEARS = 3  # earlier years read for the seasonal profile of the suggested forecast


# Template lines: the account sets of the Budgetavräkning (bokslut.domain.accounts, domain.md §6),
# so a template line and the report agree by construction. One definition serves the fill
# (``AccountSet.contains`` over the cached aggregates) and the recomputation (``AccountSet.clause``
# over the raw published postings, ``bokslut explain``).
LINES: dict[str, AccountSet] = {
    "drift_och_underhall": chart.DRIFT_OCH_UNDERHALL,
    "avskrivningar": chart.AVSKRIVNINGAR,
    "internranta": chart.INTERNRANTA,
    "kostnader": chart.DRIFT_KOSTNADER,
    "verksamhetens_intakter": chart.VERKSAMHETENS_INTAKTER,
    "summa_drift": chart.SUMMA_DRIFT,
    "arets_resultat": chart.ARETS_RESULTAT,
    "investering_utgifter": chart.INVESTERING_UTGIFTER,
    "investering_inkomster": chart.INVESTERING_INKOMSTER,
}
LINE_NAMES_SV = {
    "drift_och_underhall": "Drift och underhåll",
    "avskrivningar": "Avskrivningar",
    "internranta": "Internränta",
    "kostnader": "Kostnader",
    "verksamhetens_intakter": "Verksamhetens intäkter",
    "summa_drift": "Summa drift",
    "arets_resultat": "Årets resultat",
    "investering_utgifter": "Investering, utgifter",
    "investering_inkomster": "Investering, inkomster (-)",
}


def line_accounts(name: str) -> AccountSet:
    try:
        return LINES[name]
    except KeyError:
        raise ValueError(f"Okänd rad {name!r}: välj bland {', '.join(LINES)}.") from None


def line_predicate(name: str) -> Callable[[str, str], bool]:
    return line_accounts(name).contains


def accounts_set(konton: list[str], anslag: str | None) -> AccountSet:
    """Accounts given as codes or prefixes (``"4022"``, ``"40"``) and optionally one Anslag."""
    return AccountSet.prefixes(*(str(k) for k in konton), anslag=anslag)


def accounts_predicate(konton: list[str], anslag: str | None) -> Callable[[str, str], bool]:
    return accounts_set(konton, anslag).contains


class Warehouse:
    """Cached reads for one förvaltning and reporting year."""

    def __init__(self, engine: Engine, forvaltning: str, year: int):
        self.engine, self.forvaltning, self.year = engine, forvaltning, year
        self.first_year = year - HISTORY_YEARS

    def _rows(self, sql: str, **params: object) -> list[sa.Row]:
        with self.engine.connect() as connection:
            # source: the published loads the ledger reads go through (fragments/published_loads)
            return connection.execute(load_sql(sql), {"forvaltning": self.forvaltning, "source": "ledger",
                                                      **params}).all()

    @cache  # noqa: B019 - one Warehouse per fill
    def by_account_period(self) -> dict[tuple[int, str, str], int]:
        """(period, konto, anslag) -> öre, from the first history year to the reporting year's end."""
        rows = self._rows("templates/gl_by_account_period", period_from=self.first_year * 100,
                          period_to=self.year * 100 + 14)
        return {(int(r.period), r.konto, r.anslag): int(r.amount_ore) for r in rows}

    def line(self, predicate: Callable[[str, str], bool], period_from: int, period_to: int) -> int:
        return sum(v for (p, k, a), v in self.by_account_period().items()
                   if period_from <= p <= period_to and predicate(k, a))

    def line_by_period(self, predicate: Callable[[str, str], bool], year: int) -> dict[int, int]:
        """PP (00-14) -> öre of one year."""
        out: dict[int, int] = defaultdict(int)
        for (p, k, a), v in self.by_account_period().items():
            if p // 100 == year and predicate(k, a):
                out[p % 100] += v
        return dict(out)

    @cache  # noqa: B019
    def published_ledger_periods(self) -> frozenset[int]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT partition FROM publication WHERE source = 'ledger' AND forvaltning = :f"
            ), {"f": self.forvaltning}).scalars().all()
        return frozenset(int(p) for p in rows)

    @cache  # noqa: B019
    def by_project(self, period_to: int) -> dict[str, dict[tuple[int, str, str], int]]:
        """projekt -> (period, kontoklass, anslag) -> öre, all periods up to ``period_to``."""
        out: dict[str, dict[tuple[int, str, str], int]] = defaultdict(dict)
        for r in self._rows("templates/gl_by_projekt", period_to=period_to):
            out[r.projekt][(int(r.period), r.kontoklass, r.anslag)] = int(r.amount_ore)
        return dict(out)

    @cache  # noqa: B019
    def by_ansvar(self, period_from: int, period_to: int) -> dict[tuple[str, str, str], int]:
        rows = self._rows("templates/gl_by_ansvar", period_from=period_from, period_to=period_to)
        return {(r.ansvar, r.konto, r.anslag): int(r.amount_ore) for r in rows}

    @cache  # noqa: B019
    def budget(self, year: int, version: str, period_to: int) -> dict[tuple[str, str, str, str], int] | None:
        """(ansvar, projekt, konto, anslag) -> öre of a published budget version; None if never loaded."""
        return fetch_budget_by_dimension(self.engine, self.forvaltning, year, version, period_to)
