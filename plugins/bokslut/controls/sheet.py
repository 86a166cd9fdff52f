"""The city's Kontokontroller sheet (KK01–KK11) as a Report, for TSV and xlsx output.

The first six columns are those of the city's sheet (``tests/reference/2024/kontokontroller.tsv``);
``difference`` and ``status`` follow, so information lines show their difference and a line that
could not be checked says so ("ej kontrollerbar – saknar indata: …") instead of an empty cell.
"""

from __future__ import annotations

from bokslut.controls.model import NOT_CHECKABLE, ControlResult, ControlRun
from bokslut.money import format_swedish
from bokslut.reports.model import Column, Report, ReportRow

# The city's sheet; KK12 (further checks the seeds imply) appears in the validation report only.
SHEET_GROUPS = tuple(f"KK{n:02d}" for n in range(1, 12))
COLUMNS = [
    Column("control_id", "Kontroll", "text"),
    Column("swedish_name", "Benämning", "text"),
    Column("rule", "Regel", "text"),
    Column("accounts", "Konton", "text"),
    Column("value_shown", "Värde"),
    Column("expected", "Förväntat"),
    Column("difference", "Differens"),
    Column("status", "Status", "text"),
]


def shown_amount(result: ControlResult, ore: int | None) -> int | str | None:
    """An amount of the line; where a line that could not be checked has none, the words say why."""
    if ore is None and result.not_checkable:
        return NOT_CHECKABLE
    return ore


def shown_difference(result: ControlResult) -> int | str | None:
    """A line that could not be checked has no difference, whatever part of it could be computed."""
    return NOT_CHECKABLE if result.not_checkable else result.difference_ore


def note(result: ControlResult) -> str:
    """The line under the table for a line that needs attention."""
    if result.not_checkable:
        return f"{result.control_id} {result.status_text}. {result.where_to_look}".strip()
    difference = "okänd" if result.difference_ore is None else f"{format_swedish(result.difference_ore)} kr"
    return f"{result.control_id} {result.status.upper()}: differens {difference}. {result.where_to_look}".strip()


def kontokontroller_report(run: ControlRun) -> Report:
    report = Report("kontokontroller", "Kontokontroller", run.forvaltning, run.period // 100 * 100 + 1, run.period, COLUMNS)
    for result in run.results:
        if result.group not in SHEET_GROUPS:
            continue
        report.rows.append(ReportRow("line", {
            "control_id": result.control_id, "swedish_name": result.name, "rule": result.rule,
            "accounts": result.accounts, "value_shown": shown_amount(result, result.value_ore),
            "expected": shown_amount(result, result.expected_ore),
            "difference": shown_difference(result), "status": result.status_text,
        }))
    report.notes.extend(note(r) for r in run.results if r.needs_attention)
    return report
