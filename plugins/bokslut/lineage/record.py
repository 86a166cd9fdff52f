"""The source record of one filled template cell: which measure, which published rows, which manual input.

A measure (``templates.measures``) notes, while it computes, each part its value is the sum of: a
``LedgerSelection`` or ``BudgetSelection`` (published rows, recomputable from the warehouse), a
``ManualInput`` (a dotted key of the manual-input file), an ``HrFigure`` (a key figure of
``bokslut.hr.keyfigures``), a ``Forecast`` (the suggested year-end forecast of ``domain.forecast``)
or a ``Constant`` (master data of a reference file, a text of the mapping). ``fill.py`` keeps one
``SourceRecord`` per filled cell; ``lineage.cells`` recomputes it.

Invariant (checked when the cell is filled): an amount cell's value in öre is exactly the sum of its
terms' values, each with its own sign (``ansvar.resultat`` = outturn + budget with sign −1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.domain import forecast
from bokslut.domain.accounts import AccountSet
from bokslut.lineage.selection import BudgetSelection, LedgerSelection, Selection, total
from bokslut.warehouse.schema import posting


@dataclass(frozen=True)
class ManualInput:
    key: str  # dotted key, e.g. "resultatenheter.2130.ack_resultatfond_ib"
    file: str | None  # the manual-input file's name (None: no file)
    sha256: str | None = None
    sign: int = 1

    def describe(self) -> str:
        where = f" i {self.file}" if self.file else ""
        sign = " med omvänt tecken" if self.sign < 0 else ""
        return f"manuell uppgift {self.key}{where}{sign}"


@dataclass(frozen=True)
class HrFigure:
    nr: str  # key figure id asked for by the mapping ("122")
    figure_id: str  # the KeyFigure id read ("125a" for a part of 125)
    attribute: str  # numerator | denominator | value
    year: int
    months: int
    percent_to_share: bool  # the value is divided by 100 (the cell shows a share in percent format)

    def describe(self) -> str:
        part = {"numerator": "täljare", "denominator": "nämnare", "value": "värde"}.get(self.attribute, self.attribute)
        return (f"HR-nyckeltal {self.figure_id} ({part}) ur LISA, {self.year} januari–månad {self.months} "
                f"(bokslut.hr.keyfigures)")


@dataclass(frozen=True)
class Forecast:
    """The suggested year-end forecast: ``ytd`` divided by the share the same periods made up of the
    years ``years`` on the line ``profile`` (``domain.forecast.suggest``); ``share`` only the share."""

    ytd: LedgerSelection
    profile: AccountSet
    years: tuple[int, ...]
    pp: int
    share_only: bool = False

    def describe(self) -> str:
        what = "andel av året" if self.share_only else "prognosförslag"
        years = ", ".join(map(str, self.years)) or "ingen (linjär uppräkning)"
        return (f"{what}: utfall ({self.ytd.describe()}) och säsongsprofil för {self.profile.describe()} "
                f"år {years}, period 01–{self.pp:02d}")


@dataclass(frozen=True)
class Constant:
    description: str  # Swedish: "projektregistret (referensfil), fält beslutad_kostnad för projekt 2404"

    def describe(self) -> str:
        return self.description


Part = LedgerSelection | BudgetSelection | ManualInput | HrFigure | Forecast | Constant
# An HR key figure is not recomputed: the only code that computes it is bokslut.hr.keyfigures, the
# function the fill called, so a second call could never disagree (its figures are proved against the
# city's reference files in tests/hr instead). "kan inte räknas om" is the honest answer.
RECOMPUTABLE = (LedgerSelection, BudgetSelection, Forecast)


@dataclass(frozen=True)
class Term:
    part: Part
    value: int | float | object  # öre for amounts (sign applied), else the number/text/date used


@dataclass
class SourceRecord:
    measure: str | None  # the mapping's measure, or None for a manual input, field or text
    params: dict  # the measure's parameters with placeholders expanded
    description: str  # Swedish one-liner of what the cell shows
    terms: list[Term] = field(default_factory=list)
    unit: str | None = None  # mnkr | tkr | kr for amounts, None otherwise
    note: str | None = None  # e.g. why the cell is empty

    @property
    def recomputable(self) -> bool:
        return any(isinstance(t.part, RECOMPUTABLE) for t in self.terms)

    @property
    def is_sum(self) -> bool:
        """Only ledger/budget rows: the top rows with N = count add up to the value."""
        return bool(self.terms) and all(isinstance(t.part, (LedgerSelection, BudgetSelection)) for t in self.terms)

    def source_text(self) -> str:
        """Swedish one line for the Källor sheet and ``bokslut explain``."""
        head = self.description
        if self.measure:
            head += f" [{self.measure}]"
        text = head
        for n, t in enumerate(self.terms):
            negative = getattr(t.part, "sign", 1) < 0
            what = t.part.describe().replace("; med omvänt tecken", "").replace(" med omvänt tecken", "")
            first = (": " if head else "") + ("−" if negative else "")
            text += (first if n == 0 else (" − " if negative else " + ")) + what
        if self.note:
            text += f" ({self.note})"
        return text

    def details(self) -> dict[str, str]:
        out = {"mått": self.measure or "–"}
        if self.params:
            out["parametrar"] = ", ".join(f"{k}={v}" for k, v in self.params.items())
        for n, t in enumerate(self.terms, start=1):
            out[f"del {n}"] = t.part.describe()
        if self.note:
            out["anmärkning"] = self.note
        return out


# ------------------------------------------------------------------------- recomputation


def _by_period(engine: Engine, selection: LedgerSelection) -> dict[int, int]:
    """PP -> öre of the selection's raw published postings (sign applied)."""
    query = (sa.select(posting.c.period, sa.func.sum(posting.c.amount_ore))
             .where(selection.where()).group_by(posting.c.period))
    with engine.connect() as connection:
        return {int(p) % 100: selection.sign * int(v) for p, v in connection.execute(query)}


def _forecast(engine: Engine, f: Forecast) -> int | float | None:
    ytd, _rows = total(engine, f.ytd)
    history = {y: _by_period(engine, LedgerSelection(f.ytd.forvaltning, y * 100, y * 100 + 14, f.profile))
               for y in f.years}
    suggestion = forecast.suggest(ytd, f.pp, history)
    return suggestion.share if f.share_only else suggestion.value_ore


def recompute_term(engine: Engine, forvaltning: str, term: Term) -> int | float | None:
    """The term's value from the warehouse (öre for amounts); the recorded value for a manual input
    or constant (nothing to recompute them from)."""
    part = term.part
    if isinstance(part, (LedgerSelection, BudgetSelection)):
        return total(engine, part)[0]
    if isinstance(part, Forecast):
        return _forecast(engine, part)
    return term.value if isinstance(term.value, (int, float)) else None


def recompute(engine: Engine, forvaltning: str, record: SourceRecord) -> int | float | None:
    """The record's value recomputed (öre for amounts); None when nothing in it comes from the warehouse."""
    if not record.recomputable:
        return None
    values = [recompute_term(engine, forvaltning, t) for t in record.terms]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    return sum(values)


def selections(record: SourceRecord) -> list[Selection]:
    return [t.part for t in record.terms if isinstance(t.part, (LedgerSelection, BudgetSelection))]
