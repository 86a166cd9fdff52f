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

from bokslut.sql import load_sql

HISTORY_YEARS = 3  # earlier years read for the seasonal profile of the suggested forecast


def _groups(first: int, last: int) -> set[str]:
    return {f"{g:02d}" for g in range(first, last + 1)}


_COSTS = _groups(40, 78)
_REVENUE = _groups(30, 38) | {"84"}

# Template lines as predicates over (konto, anslag): the same definitions as the Budgetavräkning
# (reports.statements, domain.md §6), so a template line and the report agree by construction.
LINES: dict[str, Callable[[str, str], bool]] = {
    "drift_och_underhall": lambda k, a: a == "D" and (k[:2] in _COSTS or (k[:2] == "85" and not k.startswith("852"))),
    "avskrivningar": lambda k, a: a == "D" and k[:2] == "79",
    "internranta": lambda k, a: a == "D" and k.startswith("852"),
    "kostnader": lambda k, a: a == "D" and (k[:2] in _COSTS or k[:2] in ("79", "85")),
    "verksamhetens_intakter": lambda k, a: a == "D" and k[:2] in _REVENUE,
    "summa_drift": lambda k, a: a == "D" and (k[:2] in _COSTS or k[:2] in ("79", "85") or k[:2] in _REVENUE),
    "arets_resultat": lambda k, a: a == "D" and k[0] in "345678" and not k.startswith("89"),
    "investering_utgifter": lambda k, a: a == "I" and "4000" <= k <= "8999" and not k.startswith("789"),
    "investering_inkomster": lambda k, a: a == "I" and k.startswith("3"),
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


def line_predicate(name: str) -> Callable[[str, str], bool]:
    try:
        return LINES[name]
    except KeyError:
        raise ValueError(f"Okänd rad {name!r}: välj bland {', '.join(LINES)}.") from None


def accounts_predicate(konton: list[str], anslag: str | None) -> Callable[[str, str], bool]:
    """Accounts given as codes or prefixes (``"4022"``, ``"40"``) and optionally one Anslag."""
    prefixes = tuple(str(k) for k in konton)
    return lambda k, a: k.startswith(prefixes) and (anslag is None or a == anslag)


class Warehouse:
    """Cached reads for one förvaltning and reporting year."""

    def __init__(self, engine: Engine, forvaltning: str, year: int):
        self.engine, self.forvaltning, self.year = engine, forvaltning, year
        self.first_year = year - HISTORY_YEARS

    def _rows(self, sql: str, **params: object) -> list[sa.Row]:
        with self.engine.connect() as connection:
            return connection.execute(load_sql(sql), {"forvaltning": self.forvaltning, **params}).all()

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
        partition = f"{year}:{version}"
        with self.engine.connect() as connection:
            published = connection.execute(sa.text(
                "SELECT 1 FROM publication WHERE source = 'budget' AND forvaltning = :f AND partition = :p"
            ), {"f": self.forvaltning, "p": partition}).first()
        if published is None:
            return None
        rows = self._rows("templates/budget_by_dimension", year=year, version=version, period_to=period_to,
                          partition=partition)
        return {(r.ansvar, r.projekt, r.konto, r.anslag): int(r.amount_ore) for r in rows}
