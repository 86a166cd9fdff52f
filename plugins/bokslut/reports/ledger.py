"""The five ledger reports for one förvaltning and period, computed from the warehouse."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bokslut.names import REPORT_NAMES  # one list, also read by the command line
from bokslut.reports import hierarchy, statements
from bokslut.reports.figures import LedgerFigures, fetch_budget, fetch_extract, fetch_ledger_figures
from bokslut.reports.model import Report

__all__ = ["REPORT_NAMES", "build_report", "build_reports"]

_BUILDERS: dict[str, Callable[[Engine, LedgerFigures], Report]] = {
    "balansrakning": lambda engine, fig: hierarchy.balansrakning(fig),
    "resultatrakning": lambda engine, fig: hierarchy.resultatrakning(fig),
    "budgetavrakning": lambda engine, fig: statements.budgetavrakning(
        fig, fetch_budget(engine, fig.forvaltning, fig.period, statements.budget_version(fig.year))),
    "anlaggning": lambda engine, fig: statements.anlaggning(
        fig, fetch_extract(engine, "reports/asset_register_by_type", "anlaggningsreskontra", fig.forvaltning, fig.period)),
    "anl_rorelsekapital": lambda engine, fig: statements.anl_rorelsekapital(
        fig, fetch_extract(engine, "reports/treasury_by_type", "stadskassan", fig.forvaltning, fig.period)),
}


def build_reports(engine: Engine, forvaltning: str, period: int, names: tuple[str, ...] = REPORT_NAMES) -> dict[str, Report]:
    """Build the named reports from one pass over the postings."""
    unknown = set(names) - set(REPORT_NAMES)
    if unknown:
        raise ValueError(f"Okänd rapport: {', '.join(sorted(unknown))}. Välj bland {', '.join(REPORT_NAMES)}.")
    figures = fetch_ledger_figures(engine, forvaltning, period)
    return {name: _BUILDERS[name](engine, figures) for name in names}


def build_report(engine: Engine, name: str, forvaltning: str, period: int) -> Report:
    return build_reports(engine, forvaltning, period, (name,))[name]
