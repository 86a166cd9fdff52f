"""The inputs a control line needs besides the year's ledger, and which of them a run has.

A suite line names them in ``requires`` (``expectations/kk*.json``). A line whose input was not
delivered cannot be checked: it is shown as "ej kontrollerbar – saknar indata: <what>", never
as a pass, an empty difference or a figure derived from the data it is meant to check.

"Delivered" is what the reports use (``reports.figures.fetch_extract``): the candidate data of the
run holds a partition of the source in the year up to the period (for the prior year's closing: a
ledger period of the prior year). The candidate data is the published data with the run's staged
loads in place of the partitions they replace, so an extract staged in the same batch as the
ledger counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bokslut.controls.scope import PeriodBounds


@dataclass(frozen=True)
class Input:
    source: str  # load_audit / publication source whose partitions deliver it
    prior_year: bool  # True: a partition of the prior year; False: of the year up to the period
    described: str  # Swedish, {forvaltning} {year} filled in


INPUTS = {
    "stadskassan": Input("stadskassan", False,
                         "stadskassans extrakt för {forvaltning} {year} (externa in- och utbetalningar)"),
    "anlaggningsreskontra": Input("anlaggningsreskontra", False, "anläggningsreskontrans extrakt för {forvaltning} {year}"),
    "foregaende_ar": Input("ledger", True, "huvudboken för {forvaltning} {year} (föregående års utgående balans)"),
}


def delivered(name: str, bounds: PeriodBounds, partitions: dict[str, dict[int, int]]) -> bool:
    """Whether the run's candidate partitions (source -> period -> load id) hold the input."""
    spec = INPUTS[name]
    values = bounds.sql_values()
    low, high = ((values["prior_start"], values["prior_end"]) if spec.prior_year
                 else (values["year_start"], values["period"]))
    return any(low <= period <= high for period in partitions.get(spec.source, {}))


def missing(required: list[str] | tuple[str, ...], bounds: PeriodBounds,
            partitions: dict[str, dict[int, int]]) -> list[str]:
    """The Swedish names of the inputs in ``required`` that the run does not have."""
    unknown = [n for n in required if n not in INPUTS]
    if unknown:
        raise ValueError(f"okänd indata i kontrollsviten: {', '.join(unknown)}")
    return [INPUTS[n].described.format(forvaltning=bounds.forvaltning,
                                       year=bounds.year - 1 if INPUTS[n].prior_year else bounds.year)
            for n in required if not delivered(n, bounds, partitions)]
