"""Canonical CSV output: UTF-8 without BOM, ``;`` separator, header row, csv-module quoting.

Amounts are written from integer öre with a decimal comma and no thousands separator
(``-1234567,89``); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import calendar
import csv
from pathlib import Path
from typing import IO, Iterable

import numpy as np

LEDGER_HEADER = (
    "Förvaltning", "Period", "Konto", "Kontonamn", "Ansvar", "Verksamhet", "Projekt", "Motpart",
    "Anslag", "Vertyp", "Vernr", "Datum", "Text", "Belopp",
)
BUDGET_HEADER = (
    "Förvaltning", "År", "Version", "Period", "Konto", "Ansvar", "Verksamhet", "Projekt", "Anslag",
    "Belopp",
)
ASSET_REGISTER_HEADER = ("Förvaltning", "Period", "Konto", "Transaktionstyp", "Belopp")
TREASURY_HEADER = ("Förvaltning", "Period", "Transaktionstyp", "Belopp")

_CENTS = np.array([f",{i:02d}" for i in range(100)])


def format_amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor},{rest:02d}"


def format_amounts(ore: np.ndarray) -> list[str]:
    """Vectorised :func:`format_amount`."""
    a = np.abs(ore)
    kronor = (a // 100).astype(str)
    sign = np.where(ore < 0, "-", "")
    return np.strings.add(np.strings.add(sign, kronor), _CENTS[a % 100]).tolist()


def open_csv(path: Path, header: Iterable[str]) -> tuple[IO[str], "csv._writer"]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("w", encoding="utf-8", newline="")
    writer = csv.writer(fh, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    return fh, writer


class Calendar:
    """Accounting dates of one year by period (00 → 1 January, 13 → 31 December)."""

    def __init__(self, year: int):
        self.year = year
        self._business: dict[int, list[str]] = {}
        for month in range(1, 13):
            days = calendar.monthrange(year, month)[1]
            self._business[month] = [
                f"{year}-{month:02d}-{d:02d}"
                for d in range(1, days + 1)
                if calendar.weekday(year, month, d) < 5
            ]

    def first(self, period: int) -> str:
        if period == 0:
            return f"{self.year}-01-01"
        month = min(period, 12)
        return f"{self.year}-{month:02d}-01"

    def last(self, period: int) -> str:
        if period == 0:
            return f"{self.year}-01-01"
        month = min(period, 12)
        return f"{self.year}-{month:02d}-{calendar.monthrange(self.year, month)[1]:02d}"

    def payday(self, period: int) -> str:
        """The 25th, or the business day before it."""
        if period in (0, 13):
            return self.last(period) if period == 13 else self.first(0)
        days = [d for d in self._business[period] if int(d[-2:]) <= 25]
        return days[-1]

    def random(self, rng: np.random.Generator, period: int, n: int) -> np.ndarray:
        if period == 0:
            return np.full(n, self.first(0))
        if period == 13:
            return np.full(n, self.last(13))
        days = np.array(self._business[period])
        return days[rng.integers(0, days.size, n)]

    def by_rule(self, rule: str, rng: np.random.Generator, period: int, n: int) -> np.ndarray:
        if rule == "random":
            return self.random(rng, period, n)
        if period == 0:
            return np.full(n, self.first(0))
        if period == 13:
            return np.full(n, self.last(13))
        value = {"last": self.last, "first": self.first, "payday": self.payday}[rule](period)
        return np.full(n, value)
