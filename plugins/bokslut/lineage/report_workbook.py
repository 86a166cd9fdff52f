"""The ledger reports as one workbook: a sheet per report in the city's layout (``reports.xlsx``) and
the ``Källor`` sheet saying, for every amount, which published rows it sums (``lineage.reports``).

Above both: the report layout knows nothing of lineage, the records know nothing of workbooks.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bokslut.lineage.reports import report_sheet_sources
from bokslut.lineage.sources_sheet import add_sources_sheet
from bokslut.reports.model import Report
from bokslut.reports.xlsx import add_report_sheet, local_time, save_atomically
from bokslut.xlsxcell import put


def write_workbook(
    reports: list[Report], path: Path, *, generated_at: datetime | None = None
) -> Path:
    """Write ``reports`` to ``path`` (one sheet each, in order) and return ``path``.

    The file is written next to its target and renamed into place, so a reader never sees half
    a workbook.
    """
    if not reports:
        raise ValueError("inga rapporter att skriva: en arbetsbok måste ha minst ett blad")
    path = Path(path)
    stamp = local_time(generated_at)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "bokslut"
    sheets = [add_report_sheet(wb, report, generated_at=stamp) for report in reports]
    add_sources(wb, [(ws.title, report) for ws, report in zip(sheets, reports, strict=True)])
    return save_atomically(wb, path)


SOURCES_INTRO = ("Varje belopp i arbetsboken och vilka publicerade rader det summerar. Kör "
                 "'bokslut explain --forvaltning FFF --year ÅÅÅÅ --point T1|T2|VB --report RAPPORT --line KONTO/RAD' "
                 "för att räkna om beloppet från lagret och se de konteringar som bidrar mest.")


def add_sources(wb: Workbook, sheets: list[tuple[str, Report]]) -> Worksheet:
    """Append the ``Källor`` sheet: one row per amount cell of the given (sheet title, report) pairs.

    Only the records the reports carry are written (no query): see ``bokslut.lineage.reports``.
    """
    ws = add_sources_sheet(wb, [source for title, report in sheets for source in report_sheet_sources(title, report)])
    put(ws["A2"], SOURCES_INTRO)  # the sheet's default names the template cell command
    return ws
