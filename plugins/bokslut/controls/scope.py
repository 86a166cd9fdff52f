"""The period bounds a control run uses, as the SQL parameters of the Kontokontroller."""

from __future__ import annotations

from dataclasses import dataclass

from bokslut.domain.organisation import parse_forvaltning
from bokslut.domain.periods import LAST_PP, OPENING_PP, period_of, year_of


@dataclass(frozen=True)
class PeriodBounds:
    forvaltning: str
    period: int

    @property
    def year(self) -> int:
        return year_of(self.period)

    def sql_values(self) -> dict[str, object]:
        parse_forvaltning(self.forvaltning)
        return {
            "forvaltning": self.forvaltning,
            "year": self.year,
            "period": int(self.period),
            "year_start": period_of(self.year, OPENING_PP),
            "first_month": period_of(self.year, 1),
            "prior_start": period_of(self.year - 1, OPENING_PP),
            "prior_end": period_of(self.year - 1, LAST_PP),
        }
