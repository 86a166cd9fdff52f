"""Synthetic personnummer for the HR and BER extracts: obviously test data, Luhn-valid, unique.

Every number uses a födelsenummer (the three digits after the date) from 980–999, the range of
Skatteverket's published test personnummer, so a generated number is recognisable as test data
(``docs/generator.md``). The third digit of the födelsenummer gives the sex as in a real number
(odd: man, even: kvinna). About one in a hundred is a samordningsnummer (day + 60). No names
are generated anywhere.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from bokslut.hr.pseudonym import luhn_digit

TEST_SERIALS = range(980, 1000)  # födelsenummer used; nothing outside it is ever generated
SAMORDNING_SHARE = 0.01


class PersonnummerPool:
    """Hands out unique synthetic numbers for (birth date, sex); moves a day on when a date is full."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, born: date, kon: str) -> str:
        """``YYYYMMDDNNNC`` (12 digits, normalised; day + 60 for a samordningsnummer)."""
        parity = 1 if kon == "M" else 0
        serials = [s for s in TEST_SERIALS if s % 2 == parity]
        samordning = self.rng.random() < SAMORDNING_SHARE
        day = date.fromordinal(born.toordinal())
        while True:
            dd = day.day + (60 if samordning else 0)
            stem = f"{day:%y%m}{dd:02d}"
            free = [s for s in serials if f"{day.year}{stem[2:]}{s}" not in self.used]
            if free:
                serial = free[int(self.rng.integers(len(free)))]
                number = f"{day.year:04d}{stem[2:]}{serial}{luhn_digit(stem + str(serial))}"
                self.used.add(number[:11])
                return number
            day = date.fromordinal(day.toordinal() + 1)


def spelled(number: str, style: str) -> str:
    """One accepted spelling of a normalised number: ``long`` YYYYMMDD-NNNN, ``digits``
    YYYYMMDDNNNN, ``short`` YYMMDD-NNNN."""
    if style == "long":
        return f"{number[:8]}-{number[8:]}"
    if style == "digits":
        return number
    if style == "short":
        return f"{number[2:8]}-{number[8:]}"
    raise ValueError(style)
