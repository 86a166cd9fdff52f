"""The ``Källor`` sheet: one row per filled cell of a delivered workbook, saying where its value came from.

Every text is written as literal text (never a formula) without what XML cannot hold, as labels and
sources can hold strings from input files (account names, manual comments). Kept below templates and
reports (both write this sheet): it needs only openpyxl and ``xlsxcell``.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.styles import Alignment, Font, PatternFill

from bokslut.lineage.model import CellSource
from bokslut.xlsxcell import put

SHEET_TITLE = "Källor"
HEADINGS = ("Blad", "Cell", "Uppgift", "Värde", "Källa")
WIDTHS = (28, 8, 45, 18, 120)
INTRO = ("Varje ifylld cell i arbetsboken och var värdet kommer ifrån. Kör "
         "'bokslut explain --sheet BLAD --cell CELL' för att räkna om värdet från lagret och se de "
         "konteringar som bidrar mest.")


def add_sources_sheet(wb, sources: Iterable[CellSource], *, title: str = SHEET_TITLE):  # noqa: ANN001, ANN201 - openpyxl
    """Append (or replace) the ``Källor`` sheet of ``wb``; returns the worksheet."""
    if title in wb.sheetnames:
        wb.remove(wb[title])
    ws = wb.create_sheet(title)
    put(ws["A1"], "Källor")
    ws["A1"].font = Font(bold=True, size=14)
    put(ws["A2"], INTRO)
    for column, (heading, width) in enumerate(zip(HEADINGS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=4, column=column)
        put(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[cell.column_letter].width = width
    row = 5
    for source in sources:
        for column, value in enumerate((source.sheet, source.cell, source.label, source.value, source.source), start=1):
            put(ws.cell(row=row, column=column), value)
        ws.cell(row=row, column=5).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:E{max(row - 1, 4)}"
    return ws
