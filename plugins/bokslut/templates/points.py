"""Reporting points (rapporttillfällen): which periods a template covers and how it is labelled.

T1 covers periods 01-04, T2 01-08 and the year-end report (VB, verksamhetsberättelse och bokslut)
01-13 (domain.md §2). Balance-sheet figures include the IB period 00.
"""

from __future__ import annotations

from dataclasses import dataclass

MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")


@dataclass(frozen=True)
class ReportingPoint:
    code: str  # T1 | T2 | VB
    pp: int  # last period covered
    name_sv: str

    def period(self, year: int) -> int:
        return year * 100 + self.pp

    def label(self, year: int) -> str:
        """``T1-2024``, ``VB-2024``: folder and file names."""
        return f"{self.code}-{year}"

    @property
    def months_sv(self) -> str:
        """``januari–april``; the year-end report covers the whole year."""
        last = min(self.pp, 12)
        return f"{MONTHS_SV[0]}–{MONTHS_SV[last - 1]}"

    @property
    def last_month_sv(self) -> str:
        return MONTHS_SV[min(self.pp, 12) - 1]

    @property
    def is_tertial(self) -> bool:
        return self.code in ("T1", "T2")


POINTS = {
    "T1": ReportingPoint("T1", 4, "tertialrapport 1"),
    "T2": ReportingPoint("T2", 8, "tertialrapport 2"),
    "VB": ReportingPoint("VB", 13, "verksamhetsberättelse och bokslut"),
}


def get_point(code: str) -> ReportingPoint:
    try:
        return POINTS[code.upper()]
    except KeyError:
        raise ValueError(f"Okänt rapporttillfälle {code!r}: välj T1, T2 eller VB.") from None


def validate_year(year: int) -> int:
    if not 1990 <= int(year) <= 2999:
        raise ValueError(f"Ogiltigt år {year}: ange fyra siffror, t.ex. 2024.")
    return int(year)
