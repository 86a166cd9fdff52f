"""Nyckeltal and KAA statistics as TSV (decimal point, no thousands separators, like
``tests/reference``) and as an xlsx sheet (numbers as numbers, text never a formula).

Only figures leave through here: no person-level value is ever written.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bokslut.hr.kaa import KaaStatistics
from bokslut.hr.keyfigures import KeyFigures
from bokslut.textsafety import neutralise_formula

NYCKELTAL_COLUMNS = ("nyckeltal_id", "numerator", "denominator", "value", "value_prior_year")
KAA_COLUMNS = ("metric", "group", "value")
TIMEZONE = ZoneInfo("Europe/Stockholm")


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def write_key_figures_tsv(figures: KeyFigures, out: TextIO) -> None:
    out.write("\t".join(NYCKELTAL_COLUMNS) + "\n")
    for f in figures.figures:
        out.write("\t".join((f.id, _plain(f.numerator), _plain(f.denominator), _plain(f.value),
                             _plain(f.value_prior_year))) + "\n")


def write_kaa_tsv(stats: KaaStatistics, out: TextIO) -> None:
    out.write("\t".join(KAA_COLUMNS) + "\n")
    for row in stats.rows:
        out.write("\t".join((row.metric, neutralise_formula(row.group), row.shown)) + "\n")


def _sheet(title: str, header: list[str], headings: list[str], rows: list[list], notes: list[str],
           formats: list[str | None], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    def text(cell, value: str):  # noqa: ANN001, ANN202 - openpyxl cell
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, whatever the first character
        return cell

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    text(ws.cell(1, 1), title).font = Font(bold=True, size=14)
    for i, line in enumerate(header, start=2):
        text(ws.cell(i, 1), line)
    top = len(header) + 3
    for col, heading in enumerate(headings, start=1):
        cell = text(ws.cell(top, col), heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            number_format = formats[c - 1]
            if isinstance(value, tuple):  # (value, number format of this cell)
                value, number_format = value
            if value is None or value == "":
                continue
            if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                cell.value = float(value) if isinstance(value, Decimal) else value
                if number_format:
                    cell.number_format = number_format
                cell.alignment = Alignment(horizontal="right")
            else:
                text(cell, str(value)).alignment = Alignment(horizontal="right" if formats[c - 1] else "left")
    line = top + len(rows) + 2
    for note in notes:
        text(ws.cell(line, 1), note).font = Font(italic=True)
        line += 1
    for col in range(1, len(headings) + 1):
        shown = [r[col - 1][0] if isinstance(r[col - 1], tuple) else r[col - 1] for r in rows]
        width = max([len(str(headings[col - 1]))] + [len(str(v)) for v in shown if v is not None])
        ws.column_dimensions[get_column_letter(col)].width = min(max(width, 8), 70) + 2
    ws.freeze_panes = ws.cell(top + 1, 1).coordinate
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    wb.save(partial)
    partial.replace(path)
    return path


def _decimals(value: Decimal | None) -> str:
    if value is None:
        return "0"
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


def write_key_figures_xlsx(figures: KeyFigures, path: Path, generated_at: datetime | None = None) -> Path:
    stamp = (generated_at or datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    rows = []
    for f in figures.figures:
        fmt = _decimals(f.value)
        rows.append([f.id, f.name, f.numerator, f.denominator, (f.value, fmt), (f.value_prior_year, fmt), f.unit])
    header = [f"Förvaltning {figures.forvaltning}", f"Period {figures.label}", f"Utskriven {stamp:%Y-%m-%d}"]
    notes = ["Källa: " + "; ".join(figures.sources)] if figures.sources else []
    notes += figures.notes
    notes.append("Värdet räknas från oavrundade underlag; täljare och nämnare visas avrundade som i stadens mall. "
                 "Nyckeltal 126 räknas från LISA:s uppgift om utrikes född (mallen anger Sweco som källa).")
    headings = ["Nyckeltal", "Namn", "Täljare", "Nämnare", f"Värde {figures.year}", f"Värde {figures.year - 1}", "Enhet"]
    return _sheet(f"Nyckeltal personal {figures.year}", header, headings, rows, notes,
                  [None, None, "#,##0", "#,##0", None, None, None], Path(path))


def write_kaa_xlsx(stats: KaaStatistics, path: Path, generated_at: datetime | None = None) -> Path:
    stamp = (generated_at or datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    rows = []
    for row in stats.rows:
        shown: int | str = int(row.shown) if row.shown.lstrip("-").isdigit() else row.shown
        rows.append([row.metric, row.group, shown])
    header = [f"Förvaltning {stats.forvaltning}",
              f"Statistikår {stats.year}: {stats.period_from.isoformat()} – {stats.period_to.isoformat()}",
              f"Utskriven {stamp:%Y-%m-%d}"]
    notes = ["Källa: " + "; ".join(stats.sources)] + stats.notes + [
        "Röjandeskydd: antal 1–4 visas som <5; '..' = dolt för att en annan dold uppgift inte ska kunna räknas fram, "
        "eller en andel vars underlag är dolt.",
    ]
    return _sheet(f"KAA {stats.year}", header, ["Mått", "Grupp", "Värde"], rows, notes, [None, None, "#,##0"],
                  Path(path))
