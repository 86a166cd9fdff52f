"""The shape every ledger report has once computed: columns and rows, amounts in öre.

Reports are computed once (``reports.ledger``) and rendered many ways (``reports.tsv``,
``reports.xlsx``), so renderers never recompute figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["text", "int", "amount"]
RowKind = Literal["account", "group", "section", "total", "line", "heading"]

# Printed in an amount cell whose source extract was not delivered (never a copied figure).
NOT_DELIVERED = "ej levererad"


@dataclass(frozen=True)
class Column:
    key: str  # TSV header, identical to the reference files
    heading: str  # Swedish heading in the xlsx layout
    kind: ColumnKind = "amount"


@dataclass(frozen=True)
class ReportRow:
    kind: RowKind
    values: dict[str, int | str | None]  # amount columns hold öre (int), NOT_DELIVERED or None
    level: int | None = None  # account hierarchy depth (4, 3, 2 digits; 1 section; 0 total)
    # column key -> source record of the amount (``reports.sources.FigureSource``, issue 11). Not a
    # figure: renderers print it only in the Källor sheet, equality and repr ignore it.
    sources: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Report:
    key: str  # e.g. "balansrakning"
    title: str  # e.g. "Balansräkning"
    forvaltning: str
    period_from: int  # YYYYPP, inclusive
    period_to: int  # YYYYPP, inclusive
    columns: list[Column]
    rows: list[ReportRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Swedish remarks printed under the table

    def find(self, **criteria: object) -> ReportRow:
        """The single row whose values match ``criteria`` (tests and cross-report checks)."""
        hits = [r for r in self.rows if all(r.values.get(k) == v for k, v in criteria.items())]
        if len(hits) != 1:
            raise KeyError(f"{self.key}: {len(hits)} rows match {criteria}")
        return hits[0]
