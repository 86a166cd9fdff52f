"""Excel rendering in the city's layout: one sheet per report, amounts as real numbers in kronor.

Layout of a sheet (Swedish, as in the city's printed reports)::

    Balansräkning                      <- title, bold, larger
    Förvaltning 191
    Period 202400–202413
    Utskriven 2025-02-14
                                       <- blank
    Konto | Benämning | IB 202400 ...  <- column headings (bold, fill, bottom border, frozen)
    ...rows...
                                       <- blank
    notes (italic)
                                       <- blank
    Datum: ____________ / Underskrift: ____________ / Namnförtydligande: ____________

Renderers only format: figures come from ``Report`` as computed, never recomputed here.
Every string is written with ``data_type "s"`` so text from export files (account names) can
never become a formula or error value, whatever character it starts with.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bokslut.money import format_swedish, ore_to_decimal
from bokslut.reports.model import NOT_DELIVERED, Column, Report, ReportRow
from bokslut.xlsxcell import put

__all__ = [
    "AMOUNT_FORMAT",
    "SIGNATURE_LINES",
    "add_report_sheet",
    "sheet_title",
    "save_atomically",
]

AMOUNT_FORMAT = "#,##0.00;-#,##0.00"  # Excel shows the locale's separators: 1 234,50
INT_FORMAT = "0"
SIGNATURE_LINES = (
    "Datum: ____________",
    "Underskrift: ____________",
    "Namnförtydligande: ____________",
)
TIMEZONE = ZoneInfo("Europe/Stockholm")

HEADING_ROW = 6  # rows 1-4 header block, row 5 blank
FIRST_DATA_ROW = HEADING_ROW + 1

_THIN = Side(style="thin", color="000000")
_HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_ITALIC = Font(italic=True)
_INDENT = {4: 2, 3: 1}  # account rows indented most, 3-digit groups a little

_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_LANDSCAPE_WIDTH = 90  # total column width (characters) beyond which A4 portrait is too narrow


def save_atomically(wb: Workbook, path: Path) -> Path:
    """Save next to ``path`` and rename into place: a reader (finance, the mailer) never sees half a workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    wb.save(partial)
    partial.replace(path)
    return path


def add_report_sheet(
    wb: Workbook, report: Report, *, generated_at: datetime | None = None
) -> Worksheet:
    """Append one sheet holding ``report`` in the city's layout and return it.

    ``generated_at`` (default: now, Stockholm time) is printed as "Utskriven <datum>".
    """
    ws = wb.create_sheet(sheet_title(report.title, wb.sheetnames))
    columns = report.columns
    label = _label_column(columns)

    # Header block.
    put(ws.cell(1, 1), report.title).font = _TITLE_FONT
    put(ws.cell(2, 1), f"Förvaltning {report.forvaltning}")
    put(ws.cell(3, 1), f"Period {report.period_from}–{report.period_to}")
    put(ws.cell(4, 1), f"Utskriven {local_time(generated_at):%Y-%m-%d}")

    # Column headings.
    for col_no, column in enumerate(columns, start=1):
        cell = put(ws.cell(HEADING_ROW, col_no), column.heading)
        cell.font = _BOLD
        cell.fill = _HEADING_FILL
        cell.border = Border(bottom=_THIN)
        cell.alignment = Alignment(
            horizontal=_horizontal(column), vertical="bottom", wrap_text=True
        )

    # Rows.
    for row_no, row in enumerate(report.rows, start=FIRST_DATA_ROW):
        for col_no, column in enumerate(columns, start=1):
            cell = ws.cell(row_no, col_no)
            _put_value(cell, row.values.get(column.key), column)
            _style(cell, row, column, is_label=column is label)

    # Notes and signature lines under the table.
    line = FIRST_DATA_ROW + len(report.rows) + 1
    for note in report.notes:
        put(ws.cell(line, 1), note).font = _ITALIC
        line += 1
    if report.notes:
        line += 1
    for signature in SIGNATURE_LINES:
        put(ws.cell(line, 1), signature)
        line += 2  # room to sign

    _layout(ws, report)
    return ws


def sheet_title(title: str, existing: list[str] | tuple[str, ...] = ()) -> str:
    """An Excel-valid sheet name for ``title``.

    No []:*?/\\, no leading/trailing apostrophe, at most 31 characters, unique (ignoring case)
    among ``existing``: a repeated title gets " (2)", " (3)", ...
    """
    name = _SHEET_NAME_BAD.sub("-", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'").strip()
    name = name or "Rapport"
    if name.casefold() == "history":  # reserved by Excel
        name = "History-rapport"
    taken = {s.casefold() for s in existing}
    candidate, n = name[:_SHEET_NAME_MAX].rstrip().rstrip("'"), 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = name[: _SHEET_NAME_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    return candidate


def _put_value(cell: Cell, value: int | str | None, column: Column) -> None:
    if value is None or value == "":
        return  # a blank cell, not an empty inline string
    if isinstance(value, str):
        put(cell, value)
        if value == NOT_DELIVERED:
            cell.font = _ITALIC
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"kolumn {column.key}: {value!r} är varken öre (int), text eller tomt")
    if column.kind == "amount":
        cell.value = ore_to_decimal(value)  # exact kronor; Excel stores a double
        cell.number_format = AMOUNT_FORMAT
    else:
        cell.value = value
        cell.number_format = INT_FORMAT


def _style(cell: Cell, row: ReportRow, column: Column, *, is_label: bool) -> None:
    indented = is_label and row.kind in ("account", "group")
    indent = _INDENT.get(row.level or 0, 0) if indented else 0
    cell.alignment = Alignment(horizontal=_horizontal(column), indent=indent)
    if row.kind in ("section", "total", "heading"):
        cell.font = Font(bold=True, italic=cell.font.italic)
    elif row.kind == "group":
        cell.font = _ITALIC
    if row.kind == "total":
        cell.border = Border(top=_THIN)


def _horizontal(column: Column) -> str:
    return "left" if column.kind == "text" else "right"


def _label_column(columns: list[Column]) -> Column | None:
    """The column holding the row's name: the last text column before the first amount column."""
    label = None
    for column in columns:
        if column.kind == "amount":
            break
        if column.kind == "text":
            label = column
    return label


def _display_width(value: int | str | None, column: Column) -> int:
    if value is None:
        return 0
    if column.kind == "amount" and isinstance(value, int) and not isinstance(value, bool):
        return len(format_swedish(value))
    return len(str(value))


def _layout(ws: Worksheet, report: Report) -> None:
    total = 0
    for col_no, column in enumerate(report.columns, start=1):
        content = max(
            (_display_width(r.values.get(column.key), column) for r in report.rows), default=0
        )
        longest_word = max((len(w) for w in column.heading.split()), default=0)
        width = max(content, longest_word, 12 if column.kind == "amount" else 4)
        width = min(width, 60) + 2
        ws.column_dimensions[get_column_letter(col_no)].width = width
        total += width

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1).coordinate
    ws.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if total > _LANDSCAPE_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.left.text = "&A"  # sheet name
    ws.oddFooter.right.text = "Sida &P av &N"


def local_time(moment: datetime | None) -> datetime:
    """The print time in Stockholm (Airflow runs in UTC); naive datetimes are taken as given."""
    if moment is None:
        return datetime.now(TIMEZONE)
    return moment.astimezone(TIMEZONE) if moment.tzinfo else moment
