"""The explanation of one delivered figure, whatever produced it (template cell, report line, control).

An ``Explanation`` is what ``bokslut explain`` prints, what the ``Källor`` sheet summarises in one row
and what the HTML validation report shows for a failing control. Amounts are öre (int).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bokslut.money import UNIT_EXPONENTS


@dataclass(frozen=True)
class LoadRef:
    """A published load whose rows a figure sums."""

    load_id: int
    file_name: str
    sha256: str


@dataclass(frozen=True)
class Contribution:
    """One posting, voucher or budget row adding to a figure (no texts: they may hold names)."""

    amount_ore: int
    period: int
    konto: str | None = None
    anslag: str | None = None
    ansvar: str | None = None
    projekt: str | None = None
    verifikation: str | None = None
    load: LoadRef | None = None


@dataclass
class Explanation:
    subject: str  # Swedish, e.g. "VB 2024, blad Invent o maskin, cell E8"
    value: int | float | str | None  # as delivered (öre for amounts)
    unit: str | None  # "öre", "mnkr", "tkr", "andel", None for text
    source: str  # Swedish one-line source record
    details: dict[str, str] = field(default_factory=dict)  # measure, konton, koddelar, perioder, budgetversion, manuell cell
    recomputed: int | float | None = None  # independently recomputed from the warehouse, same unit as value
    loads: list[LoadRef] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)  # the top N by |amount|
    contributions_total_ore: int | None = None  # the sum over every contributing row, not only the top N
    contributions_count: int | None = None
    checks: dict[str, bool] = field(default_factory=dict)  # further figures recomputed with it (a control's expected value)

    @property
    def agrees(self) -> bool | None:
        """None when nothing can be recomputed (text, manual input without a warehouse figure);
        False when the value or any further recomputed figure disagrees."""
        if any(ok is False for ok in self.checks.values()):
            return False
        if self.recomputed is None or self.value is None or isinstance(self.value, str):
            return None
        if self.unit in UNIT_EXPONENTS:  # an amount in mnkr/tkr/kr: compared in whole öre, exactly (a relative
            # tolerance said "stämmer" for 4 kr off a 5 000 mnkr figure, 1 öre off 20 mnkr)
            return _ore(self.value, UNIT_EXPONENTS[self.unit]) == _ore(self.recomputed, UNIT_EXPONENTS[self.unit])
        if isinstance(self.value, float) or isinstance(self.recomputed, float):
            return abs(float(self.value) - float(self.recomputed)) < 1e-9 * max(1.0, abs(float(self.value)))
        return int(self.value) == int(self.recomputed)


def _ore(value: int | float, exponent: int) -> Decimal:
    """An amount shown in a unit (10**exponent öre) back in öre; a float through its shortest repr, as
    the fill wrote it (``templates.measures.ore_in_unit``); fractions of an öre are kept, not rounded."""
    return Decimal(repr(value) if isinstance(value, float) else int(value)).scaleb(exponent)


@dataclass(frozen=True)
class CellSource:
    """One row of a delivered workbook's ``Källor`` sheet: a filled cell and where its value came from."""

    sheet: str
    cell: str  # coordinate, e.g. "E8"
    label: str  # Swedish: what the cell shows (the template's row/column headings or the mapping name)
    value: int | float | str | None  # as written in the cell (already in the sheet's unit)
    source: str  # Swedish one-line source record (Explanation.source)
