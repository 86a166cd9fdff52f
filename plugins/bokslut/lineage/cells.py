"""``bokslut explain --sheet S --cell C``: where one cell of a filled template comes from.

The workbook is filled exactly as ``bokslut templates`` fills it (``templates.fill.fill_workbook``,
into a temporary file), which gives every form cell its source record (``lineage.record``) at its
final coordinate. The record is then recomputed from the raw published rows (``lineage.selection``,
not the aggregates the fill read) and compared with the value in the cell, in the cell's unit as
written. Cells of ledger report sheets and Kontokontroller are explained by ``lineage.reports`` and
``lineage.controls``.

Note: filling runs the Kontokontroller of the period, as ``bokslut templates`` does, so explaining a
cell records a control run in the warehouse.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from bokslut.lineage.model import Contribution, Explanation, LoadRef
from bokslut.lineage.record import Forecast, HrFigure, SourceRecord, recompute
from bokslut.lineage.selection import BudgetSelection, LedgerSelection, Selection, loads, top_rows, total
from bokslut.templates.mapping import UNITS

CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")  # one cell ("E8"), as explain takes it


def explain_cell(engine: Engine, forvaltning: str, year: int, point: str, sheet: str, cell: str, *, postings: int = 10,
                 manual_path: Path | None = None, mapping_path: Path | None = None) -> Explanation:
    """Fill the template of ``point`` in memory and explain ``sheet``!``cell``."""
    from bokslut.templates.fill import fill_workbook

    with tempfile.TemporaryDirectory(prefix="bokslut_explain_") as tmp:
        result = fill_workbook(engine, forvaltning, year, point, Path(tmp) / "blanketter.xlsx",
                               manual_path=manual_path, mapping_path=mapping_path, control_verdict=False)
        return explain_filled(engine, result.filled, sheet, cell, postings=postings, workbook=result.path)


def explain_filled(engine: Engine, filled, sheet: str, cell: str, *, postings: int = 10,  # noqa: ANN001 - FilledWorkbook
                   workbook: object = None) -> Explanation:
    """Explain ``sheet``!``cell`` of an already filled workbook (``templates.fill.FilledWorkbook``).

    ``workbook``: the written xlsx (path or openpyxl workbook) to read the value as delivered; without
    it the value is the one the fill wrote.
    """
    coordinate = cell.strip().upper().replace("$", "")
    if not CELL.fullmatch(coordinate):  # a range or a bare column reached openpyxl: AttributeError, "Oväntat fel"
        raise ValueError(f"Ogiltig cell '{cell}': ange en cell, t.ex. E8.")
    specs = {s.sheet: s for s in filled.mapping.sheets}
    spec = specs.get(sheet)
    if spec is None:
        raise ValueError(f"Bladet '{sheet}' finns inte i blanketten {filled.point.label(filled.year)}; "
                         f"välj bland: {', '.join(specs)}.")
    if spec.kind == "ledger_report":
        from bokslut.lineage.reports import explain_report_cell

        return explain_report_cell(engine, filled.reports[spec.report], coordinate, postings=postings)
    if spec.kind == "kontokontroller":
        from bokslut.lineage.controls import explain_kontokontroller_cell

        return explain_kontokontroller_cell(engine, filled.control_run, filled.reports["kontokontroller"], coordinate,
                                            postings=postings)
    cells = [c for c in filled.form_cells() if c.sheet == sheet]
    found = next((c for c in cells if c.coordinate == coordinate), None)
    wb = None
    if workbook is not None:
        wb = workbook if hasattr(workbook, "sheetnames") else load_workbook(workbook)
    subject = f"{filled.point.code} {filled.year}, förvaltning {filled.forvaltning}, blad {sheet}, cell {coordinate}"
    if found is None and wb is not None and _is_formula(wb, sheet, coordinate):
        formula = wb[sheet][coordinate].value
        return Explanation(subject, formula, None, f"formel i mallen, räknas när arbetsboken öppnas: {formula}",
                           {"formel": formula})
    if found is None:
        shown = ", ".join(c.coordinate for c in cells if c.written is not None) or "inga"
        raise ValueError(f"Cell {coordinate} på bladet '{sheet}' fylls inte i från lagret eller de manuella uppgifterna; "
                         f"ifyllda celler: {shown}.")
    value = found.written if wb is None else wb[sheet][coordinate].value
    return explain_record(engine, filled.forvaltning, f"{subject} ({found.label})", found.record, value, found.value,
                          postings=postings, private=found.private)


def _is_formula(wb, sheet: str, coordinate: str) -> bool:  # noqa: ANN001 - openpyxl
    try:
        value = wb[sheet][coordinate].value
    except (KeyError, ValueError):
        return False
    return isinstance(value, str) and value.startswith("=")


def unit_of(record: SourceRecord, raw: object) -> str | None:
    from bokslut.templates.measures import Ore

    if isinstance(raw, Ore):
        return record.unit or "kr"
    if record.measure == "prognos.andel" or any(isinstance(t.part, HrFigure) and t.part.percent_to_share
                                                for t in record.terms):
        return "andel"
    return None


def explain_record(engine: Engine, forvaltning: str, subject: str, record: SourceRecord, value: object, raw: object, *,
                   postings: int = 10, private: bool = False) -> Explanation:
    """The explanation of a cell showing ``value`` (as written) from ``record`` (``raw``: the fill's value)."""
    unit = unit_of(record, raw)
    if isinstance(value, (date, datetime)):
        value = value.isoformat()[:10]
    if private and isinstance(value, str):
        value = "(text från manuella uppgifter)"  # what finance typed may name persons
    explanation = Explanation(subject, value, unit, record.source_text(), record.details())
    if value is None or isinstance(value, str) or not record.recomputable:
        return explanation
    recomputed = recompute(engine, forvaltning, record)
    if recomputed is not None and unit in UNITS:
        from bokslut.templates.measures import ore_in_unit

        recomputed = ore_in_unit(int(recomputed), UNITS[unit])  # compared in the cell's unit, as written
    explanation.recomputed = recomputed
    if unit is not None:  # the text shows mnkr rounded as finance reads it; the comparison is exact
        explanation.details["exakt"] = f"i cellen {value}, omräknat {recomputed} ({unit})"
    rows = _selections(record)
    contributions: list[Contribution] = []
    found: dict[int, LoadRef] = {}
    amount = count = 0
    for selection in rows:
        contributions += top_rows(engine, selection, postings)
        part_total, part_count = total(engine, selection)
        amount, count = amount + part_total, count + part_count
        found.update({load.load_id: load for load in loads(engine, selection)})
    contributions.sort(key=lambda c: -abs(c.amount_ore))
    explanation.contributions = contributions[:postings]
    explanation.loads = [found[k] for k in sorted(found)]
    if rows:
        explanation.contributions_total_ore, explanation.contributions_count = amount, count
    return explanation


def _selections(record: SourceRecord) -> list[Selection]:
    """The published rows behind the record: its ledger and budget terms, and the year-to-date
    outturn a forecast is made from."""
    out: list[Selection] = []
    for term in record.terms:
        if isinstance(term.part, (LedgerSelection, BudgetSelection)):
            out.append(term.part)
        elif isinstance(term.part, Forecast):
            out.append(term.part.ytd)
    return out

