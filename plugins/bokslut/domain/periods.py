"""Ledger periods, HR/BER months and the reporting points (domain.md §2).

A **period** is the ledger's ``YYYYPP``: PP 00 is the opening balance (IB), 01–12 the months, 13
the year-end closing (bokslut) and 14 what is booked after it. A **month** is the ``YYYYMM`` of an
HR (LISA) or BER extract: a calendar month, never 00 or 13. A **reporting point**
(rapporttillfälle) is T1 (periods 01–04), T2 (01–08) or VB (verksamhetsberättelse och bokslut,
01–13); balance figures add the IB period 00.

The ``parse_*`` functions take user text (command line, DAG params, file names) and raise
``ValueError`` with a Swedish sentence that names the expected form.
"""

from __future__ import annotations

from dataclasses import dataclass

from bokslut.domain.invalid import InvalidValue

OPENING_PP = 0  # IB
CLOSING_PP = 13  # bokslut
LAST_PP = 14  # bookings after the closing

# The forms as patterns, for schemas that check text before Python sees it (DAG params); the
# ``parse_*`` functions below check the same and the ranges.
YEAR_PATTERN = r"\d{4}"
PERIOD_PATTERN = r"\d{4}(0\d|1[0-4])"  # YYYYPP, PP 00–14 (LAST_PP)

MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")


def period_of(year: int, pp: int) -> int:
    """``period_of(2024, 4)`` → 202404."""
    return year * 100 + pp


def year_of(period_or_month: int) -> int:
    return int(period_or_month) // 100


def pp_of(period_: int) -> int:
    return int(period_) % 100


def parse_period(text: str) -> int:
    """``"202413"`` (or 202413) → 202413; year 1900–2999, PP 00–14."""
    text = str(text).strip()
    if not (len(text) == 6 and text.isdigit() and 1900 <= int(text[:4]) <= 2999 and int(text[4:]) <= LAST_PP):
        raise InvalidValue("Ogiltig period", text, "ange ÅÅÅÅPP med PP 00–14, t.ex. 202413")
    return int(text)


def parse_month(text: str) -> int:
    """An HR/BER month ``"202404"`` → 202404; MM 01–12."""
    text = str(text).strip()
    if not (len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12):
        raise InvalidValue("Ogiltig månad", text, "ange ÅÅÅÅMM med MM 01–12, t.ex. 202404")
    return int(text)


def parse_year(text: str | int) -> int:
    """``"2024"`` → 2024: four digits, 1990–2999."""
    text = str(text).strip()
    if not (len(text) == 4 and text.isdigit() and 1990 <= int(text) <= 2999):
        raise InvalidValue("Ogiltigt år", text, "ange fyra siffror, t.ex. 2024")
    return int(text)


@dataclass(frozen=True)
class ReportingPoint:
    code: str  # T1 | T2 | VB
    pp: int  # last period covered
    name_sv: str

    def period(self, year: int) -> int:
        return period_of(year, self.pp)

    def label(self, year: int) -> str:
        """``T1-2024``, ``VB-2024``: folder and file names."""
        return f"{self.code}-{year}"

    @property
    def last_month(self) -> int:
        """The calendar month the point closes (HR key figures): 4, 8 or 12."""
        return min(self.pp, 12)

    @property
    def months_sv(self) -> str:
        """``januari–april``; the year-end report covers the whole year."""
        return f"{MONTHS_SV[0]}–{MONTHS_SV[self.last_month - 1]}"

    @property
    def last_month_sv(self) -> str:
        return MONTHS_SV[self.last_month - 1]

    @property
    def is_tertial(self) -> bool:
        return self.code in TERTIAL_CODES

    @property
    def previous(self) -> ReportingPoint | None:
        """The point before in the same year (T2 → T1, VB → T2), None for T1."""
        index = POINT_CODES.index(self.code)
        return POINTS[POINT_CODES[index - 1]] if index else None


POINTS = {
    "T1": ReportingPoint("T1", 4, "tertialrapport 1"),
    "T2": ReportingPoint("T2", 8, "tertialrapport 2"),
    "VB": ReportingPoint("VB", CLOSING_PP, "verksamhetsberättelse och bokslut"),
}
POINT_CODES = tuple(POINTS)
TERTIAL_CODES = ("T1", "T2")


def get_point(code: str) -> ReportingPoint:
    """``"t1"`` → T1; raises ValueError in Swedish for anything else."""
    try:
        return POINTS[str(code).strip().upper()]
    except KeyError:
        raise InvalidValue("Okänt rapporttillfälle", code, "välj T1, T2 eller VB", quote=True,
                           argument_label="ogiltigt rapporttillfälle") from None


def point_closed_by(period_: int) -> ReportingPoint | None:
    """The point whose last period is ``period_`` (202404 → T1, 202413 → VB), else None."""
    return next((p for p in POINTS.values() if p.pp == pp_of(period_)), None)


def point_covering(period_: int) -> ReportingPoint:
    """The first point whose periods include ``period_`` (202403 → T1, 202409 → VB)."""
    return next(p for p in POINTS.values() if pp_of(period_) <= p.pp or p.code == "VB")


def control_scope(period_: int) -> str:
    """Which Kontokontroller a period runs: ``T1``/``T2`` at a tertial, ``bokslut`` from 13, else ``manad``."""
    if pp_of(period_) >= CLOSING_PP:
        return "bokslut"
    closed = point_closed_by(period_)
    return closed.code if closed is not None and closed.is_tertial else "manad"
