"""Suggested year-end forecast (prognos) at T1 and T2 from the year-to-date outturn.

Method (docs/templates.md, "Prognos"): for each line, the share of the full year that the same
periods usually make up is taken from the earlier years in the warehouse (up to three, only
years whose periods 01-12 are all published):

    andel  = Σ_k utfall_k(01..PP) / Σ_k utfall_k(01..13)       (pooled over the years k)
    förslag = utfall(01..PP) / andel

Pooling weights each year by its size, so one odd small year does not dominate. When there is no
usable history (no earlier year, a share outside 0,2-1,2, or of the other sign) the suggestion
falls back to a straight-line projection ``utfall × 12 / PP``. The suggestion is shown next to
the forecast column; finance overrides it in the manual-input file (section ``prognos``).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_SHARE, MAX_SHARE = 0.2, 1.2


@dataclass(frozen=True)
class Suggestion:
    value_ore: int
    share: float | None  # the share of the year reached at PP, None for the straight line
    method: str  # Swedish, for the rule report and the sheet's note
    years: tuple[int, ...]


def complete_years(published_periods: frozenset[int] | set[int], years: range) -> list[int]:
    """Earlier years whose months 01-12 are all published."""
    return [y for y in years if all(y * 100 + m in published_periods for m in range(1, 13))]


def suggest(ytd_ore: int, pp: int, history: dict[int, dict[int, int]]) -> Suggestion:
    """Forecast the full year (periods 01-13) from ``ytd_ore`` (periods 01..pp).

    ``history``: year -> {PP: öre} of complete earlier years.
    """
    months = min(pp, 12)
    ytd_hist = sum(sum(v for p, v in by_pp.items() if 1 <= p <= pp) for by_pp in history.values())
    full_hist = sum(sum(v for p, v in by_pp.items() if 1 <= p <= 13) for by_pp in history.values())
    if history and full_hist != 0:
        share = ytd_hist / full_hist
        same_sign = ytd_ore == 0 or (ytd_hist >= 0) == (ytd_ore >= 0)
        if MIN_SHARE <= share <= MAX_SHARE and same_sign:
            years = tuple(sorted(history))
            return Suggestion(round(ytd_ore / share), share, f"säsongsprofil {', '.join(map(str, years))}", years)
    return Suggestion(round(ytd_ore * 12 / months), None, f"linjär uppräkning ×12/{months} (ingen användbar historik)", ())
