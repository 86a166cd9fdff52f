"""The city's Kontokontroller sheet (KK01–KK11) as a Report, for TSV and xlsx output."""

from __future__ import annotations

from bokslut.controls.model import ControlRun
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
]


def kontokontroller_report(run: ControlRun) -> Report:
    report = Report("kontokontroller", "Kontokontroller", run.forvaltning, run.period // 100 * 100 + 1, run.period, COLUMNS)
    for result in run.results:
        if result.group not in SHEET_GROUPS:
            continue
        report.rows.append(ReportRow("line", {
            "control_id": result.control_id, "swedish_name": result.name, "rule": result.rule,
            "accounts": result.accounts, "value_shown": result.value_ore, "expected": result.expected_ore,
        }))
    for result in run.results:
        if result.failed:
            difference = "okänd" if result.difference_ore is None else f"{format_swedish(result.difference_ore)} kr"
            report.notes.append(f"{result.control_id} {result.status.upper()}: differens {difference}. {result.where_to_look}")
    return report
