"""Which reporting point a period is, and the period bounds a control run uses."""

from __future__ import annotations

from dataclasses import dataclass


def reporting_point(period: int) -> str:
    pp = period % 100
    if pp >= 13:
        return "bokslut"
    return {4: "T1", 8: "T2"}.get(pp, "manad")


@dataclass(frozen=True)
class PeriodBounds:
    forvaltning: str
    period: int

    @property
    def year(self) -> int:
        return self.period // 100

    def sql_values(self) -> dict[str, object]:
        if not (len(self.forvaltning) == 3 and self.forvaltning.isdigit()):
            raise ValueError(f"Ogiltig förvaltning {self.forvaltning!r}: ange tre siffror.")
        return {
            "forvaltning": self.forvaltning,
            "year": self.year,
            "period": int(self.period),
            "year_start": self.year * 100,
            "first_month": self.year * 100 + 1,
            "prior_start": (self.year - 1) * 100,
            "prior_end": (self.year - 1) * 100 + 14,
        }
