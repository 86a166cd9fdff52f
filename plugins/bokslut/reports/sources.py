"""The source record of every amount a ledger report holds (issue 11): which published rows it sums.

A ``FigureSource`` is a signed sum of selections of raw published rows: ledger postings
(``LedgerSelection``, or ``CounterpartySelection`` for the UB columns split by the motpart's report
column), budget rows (``BudgetSelection``) or rows of a supplementary extract (``ExtractSelection``:
anläggningsreskontran, stadskassan). Reports attach one per amount cell while they build their rows
(``ReportRow.sources``) without changing a figure; the ``Källor`` sheet prints ``describe()`` (no
query), ``bokslut.lineage.reports`` re-runs the selections against the raw rows to recompute the
figure. Identical selections are merged (their signs added), so "A + B − B" is stated as "A".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from bokslut.domain.accounts import AccountSet
from bokslut.lineage.selection import BudgetSelection, LedgerSelection
from bokslut.warehouse.schema import asset_register, counterparty_class, posting, publication, treasury

COLUMN_NAMES = {"externt": "Externt", "stadens_bolag": "Stadens bolag", "internt": "Internt"}
EXTRACT_NAMES = {"anlaggningsreskontra": "anläggningsreskontran", "stadskassan": "stadskassans underlag"}


@dataclass(frozen=True)
class CounterpartySelection(LedgerSelection):
    """Postings whose motpart falls in one report column of ``counterparty_class`` (as the reports
    classify them: a 4-character motpart inside a range of the column; none matching is externt)."""

    report_column: str = "externt"

    def describe(self) -> str:
        return f"{super().describe()}; motpart i rapportkolumnen {COLUMN_NAMES.get(self.report_column, self.report_column)}"

    def where(self) -> sa.ColumnElement[bool]:
        def in_ranges(column_filter: sa.ColumnElement[bool]) -> sa.Exists:
            return sa.exists().where(
                column_filter, sa.func.length(posting.c.motpart) == 4,
                posting.c.motpart >= counterparty_class.c.range_from, posting.c.motpart <= counterparty_class.c.range_to)

        inside = in_ranges(counterparty_class.c.report_column == self.report_column)
        if self.report_column == "externt":  # no range at all is externt too
            inside = sa.or_(inside, sa.not_(in_ranges(sa.true())))
        return sa.and_(super().where(), inside)


@dataclass(frozen=True)
class ExtractSelection:
    """Rows of a supplementary extract (not postings) published for the förvaltning."""

    source: str  # publication source: anlaggningsreskontra | stadskassan
    forvaltning: str
    period_from: int
    period_to: int
    accounts: AccountSet | None = None  # the asset register has accounts, the treasury extract none
    types: tuple[str, ...] | None = None  # transaktionstyp; None = every type
    sign: int = 1

    @property
    def table(self) -> sa.Table:
        return asset_register if self.source == "anlaggningsreskontra" else treasury

    def describe(self) -> str:
        parts = [f"{EXTRACT_NAMES.get(self.source, self.source)} förvaltning {self.forvaltning}",
                 f"period {self.period_from}–{self.period_to}"]
        if self.accounts is not None:
            parts.append(self.accounts.describe())
        parts.append("transaktionstyp " + ", ".join(self.types) if self.types is not None else "alla transaktionstyper")
        return "; ".join(parts)

    def where(self) -> sa.ColumnElement[bool]:
        table = self.table
        published = sa.select(publication.c.load_id).where(
            publication.c.source == self.source, publication.c.forvaltning == self.forvaltning)
        parts = [table.c.forvaltning == self.forvaltning, table.c.period >= self.period_from,
                 table.c.period <= self.period_to, table.c.load_id.in_(published)]
        if self.accounts is not None:
            parts.append(self.accounts.clause(table.c.konto, sa.null()))
        if self.types is not None:
            parts.append(table.c.transaktionstyp.in_(self.types))
        return sa.and_(*parts)


Term = LedgerSelection | BudgetSelection | ExtractSelection


def _sign_text(sign: int, first: bool) -> str:
    if sign == 1:
        return "" if first else "+ "
    if sign == -1:
        return "− "
    return f"{'' if first and sign > 0 else ('+ ' if sign > 0 else '− ')}{abs(sign)} × "


@dataclass(frozen=True)
class FigureSource:
    """One amount: ``measure`` (Swedish: what the column means) and the signed selections it sums.

    ``terms`` empty and ``note`` None: the figure is 0 by definition. ``delivered`` False: the
    figure is "ej levererad" (its extract is missing); the terms say what it would have summed.
    """

    measure: str
    terms: tuple[Term, ...] = ()
    note: str | None = None
    delivered: bool = True
    budget_version: str | None = field(default=None, compare=False)

    def __add__(self, other: FigureSource) -> FigureSource:
        return self.combined(other, 1)

    def __sub__(self, other: FigureSource) -> FigureSource:
        return self.combined(other, -1)

    def combined(self, other: FigureSource, sign: int, measure: str | None = None) -> FigureSource:
        return FigureSource(measure or self.measure, merge_terms(self.terms + tuple(replace(t, sign=sign * t.sign) for t in other.terms)),
                            self.note or other.note, self.delivered and other.delivered,
                            self.budget_version or other.budget_version)

    def named(self, measure: str) -> FigureSource:
        return replace(self, measure=measure)

    def negated(self) -> FigureSource:
        return FigureSource(self.measure, tuple(replace(t, sign=-t.sign) for t in self.terms), self.note,
                            self.delivered, self.budget_version)

    def describe(self) -> str:
        """Swedish one-line source record: "UB Externt: huvudbok förvaltning 191; period ...; konto 1210"."""
        if not self.delivered:
            text = f"{self.measure}: ej levererad ({self.note or 'underlaget saknas'}); skulle ha summerat " + self._terms_text()
        elif not self.terms:
            text = f"{self.measure}: {self.note or 'alltid 0 (inga rader summeras)'}"
        else:
            text = f"{self.measure}: {self._terms_text()}"
            if self.note:
                text += f" ({self.note})"
        return text

    def _terms_text(self) -> str:
        if not self.terms:
            return "inga rader"
        if len(self.terms) == 1 and self.terms[0].sign == 1:
            return self.terms[0].describe()
        return " ".join(f"{_sign_text(t.sign, i == 0)}[{replace(t, sign=1).describe()}]" for i, t in enumerate(self.terms))


def merge_terms(terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Identical selections summed into one (signs added); those that cancel are dropped."""
    signs: dict[Term, int] = {}
    for term in terms:
        key = replace(term, sign=1)
        signs[key] = signs.get(key, 0) + term.sign
    return tuple(replace(key, sign=sign) for key, sign in signs.items() if sign != 0)


def source(measure: str, *terms: Term, note: str | None = None, budget_version: str | None = None) -> FigureSource:
    return FigureSource(measure, merge_terms(tuple(terms)), note, True, budget_version)


def missing(measure: str, note: str, *terms: Term) -> FigureSource:
    """The record of an amount printed "ej levererad": what is missing and what it would sum."""
    return FigureSource(measure, tuple(terms), note, False)


def total_of(measure: str, parts: list[FigureSource]) -> FigureSource:
    """The sum of ``parts`` (a section, a total, a composite line)."""
    result = FigureSource(measure)
    for part in parts:
        result = result.combined(part, 1, measure)
    return result
