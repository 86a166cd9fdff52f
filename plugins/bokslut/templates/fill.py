"""Fill a template workbook for one förvaltning and reporting point.

Inputs are the template xlsx and its YAML mapping (``include/templates/``), the warehouse, the
reference files and the manual-input file; nothing else (the generator script that built the
2024 templates is not needed). Steps:

1. texts that follow the year (``texts:`` in the mapping);
2. per form sheet: single cells, then tables bottom-up (rows are inserted when there are more
   items than template rows, so the rows of a table further down are not disturbed);
3. ledger report sheets and Kontokontroller replaced by the reports built from the warehouse
   (``bokslut.reports.ledger.build_reports``, ``bokslut.controls``), in the template's position;
4. the template rules checked (``templates.rules``) and added as the sheet "Kontroller blankett";
5. the sheet "Källor": one row per filled cell and where its value came from (``lineage``; every
   measure notes what it sums, kept per cell at its final coordinate after row insertions).

Numbers are written as numbers in the template's number format, dates as dates, text always as
literal text. Formulas of the template (sums, 5 %/10 % checks, avvikelser) stay live.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from openpyxl import load_workbook
from openpyxl.workbook.properties import CalcProperties
from sqlalchemy.engine import Engine

from bokslut.lineage.model import CellSource
from bokslut.lineage.record import Constant, ManualInput, SourceRecord, Term
from bokslut.reports.model import Report
from bokslut.reports.xlsx import save_atomically
from bokslut.settings import TEMPLATES_DIR
from bokslut.templates import reference
from bokslut.templates.manual import ManualInputs, default_manual_path, to_date, to_decimal
from bokslut.templates.manual_file import load_manual
from bokslut.templates.mapping import UNITS, CellSpec, MappingError, SheetSpec, TableSpec, TemplateMapping, check_against, load_mapping
from bokslut.templates.measures import MEASURES, ROW_SOURCES, FillContext, NotDelivered, Ore, RowItem, ore_in_unit
from bokslut.domain.periods import ReportingPoint, get_point, parse_year
from bokslut.templates.xlsxops import insert_table_rows
from bokslut.xlsxcell import put

log = logging.getLogger(__name__)
RULES_SHEET = "Kontroller blankett"


@dataclass
class FilledRow:
    code: str
    label: str
    row: int
    values: dict[str, object]  # column name (or letter) -> raw value (Ore, number, date, text, None)
    item: RowItem
    sources: dict[str, SourceRecord] = field(default_factory=dict)  # same keys as values


@dataclass
class FilledTable:
    name: str
    sheet: str
    source: str
    first_row: int
    template_rows: int
    sum_row: int | None
    columns: dict[str, str]  # column name -> letter
    rows: list[FilledRow] = field(default_factory=list)
    inserted: int = 0


@dataclass
class FilledCell:
    sheet: str
    coordinate: str
    name: str
    value: object
    source: SourceRecord | None = None  # None for a kept template formula
    label: str | None = None  # for the Källor sheet (default: name)


@dataclass(frozen=True)
class FormCell:
    """A filled form cell at its final coordinate, with the value as written and its source record."""

    sheet: str
    coordinate: str
    label: str  # Swedish: the mapping name, plus the row's label in a table
    value: object  # raw (Ore in öre, number, date, text, NotDelivered, None)
    written: object  # as written in the cell (in the cell's unit), None when left empty
    record: SourceRecord
    private: bool = False  # text from the manual-input file: not repeated in the Källor sheet


@dataclass(frozen=True)
class Missing:
    sheet: str
    where: str
    name: str
    reason: str


@dataclass
class FilledWorkbook:
    forvaltning: str
    year: int
    point: ReportingPoint
    mapping: TemplateMapping
    manual: ManualInputs
    tables: list[FilledTable] = field(default_factory=list)
    cells: dict[str, FilledCell] = field(default_factory=dict)  # by name (an unnamed cell: its coordinate)
    singles: list[FilledCell] = field(default_factory=list)  # every single cell filled, also unnamed ones of several sheets
    missing: list[Missing] = field(default_factory=list)
    reports: dict[str, Report] = field(default_factory=dict)
    control_run: object = None  # bokslut.controls.model.ControlRun when the Kontokontroller ran

    @property
    def period(self) -> int:
        return self.point.period(self.year)

    def table(self, name: str) -> FilledTable | None:
        return next((t for t in self.tables if t.name == name), None)

    def cell(self, name: str) -> FilledCell | None:
        return self.cells.get(name)

    def form_cells(self) -> list[FormCell]:
        """Every resolved form cell (single cells, then table cells) at its final coordinate."""
        out = []
        for cell in self.singles:
            if cell.source is not None:
                out.append(_form_cell(cell.sheet, cell.coordinate, cell.label or cell.name, cell.value, cell.source))
        for table in self.tables:
            for row in table.rows:
                for key, record in row.sources.items():
                    name = f"kolumn {key}" if key == table.columns[key] else key  # an unnamed column
                    label = f"{name} – {row.label}" if row.label else name
                    out.append(_form_cell(table.sheet, f"{table.columns[key]}{row.row}", label, row.values.get(key), record))
        return out

    def _shift(self, sheet: str, at: int, n: int) -> None:
        """Rows moved by an insertion above already filled cells and tables."""
        from openpyxl.utils.cell import coordinate_from_string

        for cell in self.singles:
            if cell.sheet == sheet:
                letter, row = coordinate_from_string(cell.coordinate)
                if row >= at:
                    cell.coordinate = f"{letter}{row + n}"
        for table in self.tables:
            if table.sheet != sheet:
                continue
            for filled in table.rows:
                if filled.row >= at:
                    filled.row += n
            if table.first_row >= at:
                table.first_row += n
            if table.sum_row and table.sum_row >= at:
                table.sum_row += n


@dataclass
class FillResult:
    path: Path
    filled: FilledWorkbook
    rules: list  # templates.rules.RuleResult


def template_versions(point: str, folder: Path | None = None) -> dict[int, Path]:
    """Template year -> mapping of ``point``: ``<point>.yaml`` is the newest layout (its own
    ``template_year``), ``<point>-<YYYY>.yaml`` an earlier year's (docs/templates.md "Years")."""
    folder = folder or TEMPLATES_DIR
    name = point.lower()
    versions: dict[int, Path] = {}
    for path in folder.glob(f"{name}-*.yaml"):
        suffix = path.stem[len(name) + 1:]
        if re.fullmatch(r"\d{4}", suffix):
            versions[int(suffix)] = path
    base = folder / f"{name}.yaml"
    if base.exists():
        head = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
        versions[int(head.get("template_year", 0))] = base
    return versions


def mapping_path_for(point: str, year: int | None = None, folder: Path | None = None) -> Path:
    """The mapping to fill ``point`` of ``year`` with: the newest template year not after ``year``
    (as report layouts are chosen), the earliest one for a year before every template, the newest
    layout when no year is given."""
    versions = template_versions(point, folder)
    if not versions:
        return (folder or TEMPLATES_DIR) / f"{point.lower()}.yaml"  # load_mapping names what is missing
    if year is None:
        return versions[max(versions)]
    earlier = [y for y in versions if y <= year]
    return versions[max(earlier) if earlier else min(versions)]


def fill_workbook(
    engine: Engine,
    forvaltning: str,
    year: int,
    point: str,
    out_path: Path,
    *,
    mapping_path: Path | None = None,
    manual_path: Path | None = None,
    reference_dir: Path | None = None,
    generated_at: datetime | None = None,
    control_verdict: bool = True,
) -> FillResult:
    """Fill the template of ``point`` for ``forvaltning`` and ``year`` and write it to ``out_path``.

    ``control_verdict=False`` for fills that only explain or preview (``bokslut explain``, the input
    workbook): their Kontokontroller run is not the verdict the template readiness gate takes."""
    from bokslut.lineage.sources_sheet import add_sources_sheet
    from bokslut.templates.rules import check_rules, rules_report

    rp = get_point(point)
    year = parse_year(year)
    mapping = load_mapping(mapping_path or mapping_path_for(rp.code, year))
    if mapping.point != rp.code:
        raise MappingError(f"Mappningen {mapping.path.name} gäller {mapping.point}, inte {rp.code}.")
    wb = load_workbook(mapping.template)
    problems = check_against(mapping, wb)
    if problems:
        raise MappingError(f"Mappningen {mapping.path.name} passar inte mallen {mapping.template.name}: " + "; ".join(problems))

    manual = load_manual(manual_path or default_manual_path(forvaltning, year, rp.code), forvaltning, year, rp.code)
    ctx = FillContext(
        engine=engine, forvaltning=forvaltning, year=year, point=rp, manual=manual,
        projects=reference.load_projects(forvaltning, reference_dir),
        result_units=reference.load_result_units(forvaltning, reference_dir, year),
        forv=reference.load_forvaltning(forvaltning, reference_dir), rules=mapping.rules,
    )
    filled = FilledWorkbook(forvaltning, year, rp, mapping, manual)

    for sheet, cells in mapping.texts.items():
        for coordinate, text in cells.items():
            put(wb[sheet][coordinate], ctx.expand(text))

    for spec in mapping.sheets:
        if spec.kind == "form":
            _fill_form(ctx, wb, spec, filled)
    _replace_report_sheets(engine, ctx, wb, mapping, filled, generated_at, control_verdict)

    rules = check_rules(filled, wb)
    from bokslut.reports.xlsx import add_report_sheet

    if RULES_SHEET in wb.sheetnames:
        wb.remove(wb[RULES_SHEET])
    sheet = add_report_sheet(wb, rules_report(rules, filled), generated_at=generated_at)
    sheet.title = RULES_SHEET
    _wrap_messages(sheet)
    add_sources_sheet(wb, cell_sources(filled))

    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # no cached formula values: calculate on open
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.worksheets[0]
    wb.properties.creator = "bokslut"
    wb.properties.title = f"Blanketter {rp.label(year)} förvaltning {forvaltning}"
    out_path = save_atomically(wb, out_path)
    log.info("Blanketter %s %s skrivna till %s (%d kontroller)", forvaltning, rp.label(year), out_path, len(rules))
    return FillResult(out_path, filled, rules)


# ----------------------------------------------------------------------------- form sheets


def _fill_form(ctx: FillContext, wb, spec: SheetSpec, filled: FilledWorkbook) -> None:  # noqa: ANN001
    ws = wb[spec.sheet]
    for coordinate, cell_spec in spec.cells.items():
        if cell_spec.keep:
            filled.cells[cell_spec.name] = FilledCell(spec.sheet, coordinate, cell_spec.name, None)
            filled.singles.append(filled.cells[cell_spec.name])
            continue
        value, record = _resolve(ctx, cell_spec, None, filled, spec.sheet, coordinate)
        _write(ws[coordinate], value, cell_spec)
        name = cell_spec.name or coordinate
        label = cell_spec.name or (ctx.expand(cell_spec.manual) if cell_spec.manual else coordinate)
        filled.cells[name] = FilledCell(spec.sheet, coordinate, name, value, record, label)
        filled.singles.append(filled.cells[name])
    for table in sorted(spec.tables, key=lambda t: t.first_row, reverse=True):
        _fill_table(ctx, wb, ws, spec, table, filled)


def _fill_table(ctx: FillContext, wb, ws, spec: SheetSpec, table: TableSpec, filled: FilledWorkbook) -> None:  # noqa: ANN001
    items = ROW_SOURCES[table.rows](ctx, **table.params)
    extra = max(0, len(items) - table.template_rows)
    if extra:
        at = table.last_template_row
        filled._shift(spec.sheet, at, extra)
        insert_table_rows(wb, ws, at, extra, table.first_row)
    record = FilledTable(table.name, spec.sheet, table.rows, table.first_row, table.template_rows,
                         table.sum_row + extra if table.sum_row else None,
                         {(s.name or letter): letter for letter, s in table.columns.items()}, inserted=extra)
    for i, item in enumerate(items):
        row = table.first_row + i
        values, sources = {}, {}
        for letter, cell_spec in table.columns.items():
            if cell_spec.keep:
                continue
            value, source = _resolve(ctx, cell_spec, item, filled, spec.sheet, f"{letter}{row}")
            _write(ws[f"{letter}{row}"], value, cell_spec)
            values[cell_spec.name or letter] = value
            sources[cell_spec.name or letter] = source
        record.rows.append(FilledRow(item.code, item.label, row, values, item, sources))
    if not items and table.empty_text:
        label = next((letter for letter, s in table.columns.items() if s.field in ("etikett", "namn")), "A")
        put(ws[f"{label}{table.first_row}"], ctx.expand(table.empty_text))
    filled.tables.append(record)


def _resolve(ctx: FillContext, spec: CellSpec, item: RowItem | None, filled: FilledWorkbook, sheet: str,
             where: str) -> tuple[object, SourceRecord]:
    """The cell's value and its source record (what the value is the sum of)."""
    name = spec.name or where
    if spec.manual:
        path = ctx.expand(spec.manual, item)
        given = ctx.manual.get(path)
        if given is not None:
            value = _manual_value(given, spec, path)
            return value, SourceRecord(None, {}, "", [Term(_manual_ref(ctx, path), value)], spec.unit)
    value: object = None
    record = SourceRecord(None, {}, "ingen källa", [], spec.unit)
    if spec.measure:
        params = {k: v for k, v in spec.params.items() if k != "values"}
        ctx.trace = []
        try:
            value = MEASURES[spec.measure](ctx, item, **params)
        finally:
            terms, ctx.trace = ctx.trace, None
        record = SourceRecord(spec.measure, _expanded(ctx, params, item), _measure_text(spec.measure), terms, spec.unit)
        _check_terms(record, value, sheet, where)
    elif spec.field:
        value = (item.fields if item else {}).get(spec.field)
        record = SourceRecord(None, {}, "uppgift om raden", [Term(_field_ref(ctx, item, spec.field), value)], spec.unit)
    elif spec.text is not None:
        value = ctx.expand(spec.text, item)
        record = SourceRecord(None, {}, "", [Term(Constant("text i mappningen"), value)], spec.unit)
    if spec.manual and value is None or isinstance(value, NotDelivered):
        record.note = (value.reason if isinstance(value, NotDelivered)
                       else f"manuell uppgift {ctx.expand(spec.manual, item)} saknas")
    if isinstance(value, NotDelivered):
        filled.missing.append(Missing(sheet, where, name, value.reason))
        return value, record
    if value is None and spec.required:
        source = f"manuella uppgifter: {ctx.expand(spec.manual, item)}" if spec.manual else "källan"
        filled.missing.append(Missing(sheet, where, name, f"uppgift saknas ({source})"))
    return value, record


# ------------------------------------------------------------------------- source records

MEASURE_TEXTS = {
    "gl.linje": "utfall", "budget.linje": "budget", "prognos.forslag": "prognosförslag", "prognos.andel": "andel av året",
    "gl.projekt": "projektets utfall", "gl.projekt_ib": "projektets ingående balans (oförbrukade medel)",
    "budget.projekt": "projektets budget", "prognos.projekt": "projektets prognosförslag",
    "projekt.prognos_total": "prognos för hela projektet", "ansvar.bruttobudget": "resultatenhetens bruttobudget",
    "ansvar.resultat": "resultatenhetens resultat (utfall − budget)",
    "ansvar.ack_overforing": "ackumulerad resultatöverföring", "hr.nyckeltal": "HR-nyckeltal",
}


def _measure_text(measure: str) -> str:
    return MEASURE_TEXTS.get(measure, measure)


def _expanded(ctx: FillContext, params: dict, item: RowItem | None) -> dict:
    out = {k: (ctx.expand(str(v), item) if isinstance(v, str) else v) for k, v in params.items()}
    if item is not None:
        out["kod"] = item.code
    return out


def _manual_ref(ctx: FillContext, key: str) -> ManualInput:
    path = ctx.manual.path
    return ManualInput(key, Path(path).name if path else None, ctx.manual.sha256)


def _field_ref(ctx: FillContext, item: RowItem | None, name: str) -> Constant | ManualInput:
    if item is not None and isinstance(item.source, dict):  # a row of a manual-input list
        return _manual_ref(ctx, f"innovationssatsningar[{item.code}].{name}")
    what = {"Project": f"projektregistret (referensfil), projekt {item.code if item else ''}",
            "ResultUnit": f"resultatenheter (referensfil), enhet {item.code if item else ''}"}
    return Constant(f"{what.get(type(item.source).__name__, 'referensfil') if item else 'referensfil'}, fält {name}")


def _check_terms(record: SourceRecord, value: object, sheet: str, where: str) -> None:
    """An amount must be exactly the sum of its noted terms: a record that does not add up would
    explain a figure wrongly, so it stops the fill (a programming error, not bad input)."""
    if not isinstance(value, Ore):
        return
    parts = [t.value for t in record.terms]
    if not all(isinstance(v, int) for v in parts) or sum(parts) != int(value):
        raise RuntimeError(f"Källan till {sheet}!{where} ({record.measure}) summerar inte till värdet {int(value)} öre: "
                           f"{parts}")


def _written(value: object, unit: str | None) -> object:
    """The value as ``_write`` puts it in the cell (None when the cell stays empty)."""
    if isinstance(value, NotDelivered) or value is None:
        return None
    if isinstance(value, Ore):
        return ore_in_unit(value, UNITS[unit or "kr"])
    if isinstance(value, Decimal):
        return float(value)
    return value


def _form_cell(sheet: str, coordinate: str, label: str, value: object, record: SourceRecord) -> FormCell:
    written = _written(value, record.unit)
    private = isinstance(written, str) and any(isinstance(t.part, ManualInput) for t in record.terms)
    return FormCell(sheet, coordinate, label, value, written, record, private)


def cell_sources(filled: FilledWorkbook) -> list[CellSource]:
    """The rows of the ``Källor`` sheet: every filled form cell, then the report sheets' figures."""
    out = []
    for cell in filled.form_cells():
        if cell.written is None:
            continue
        # texts finance typed (names of contacts, comments) are not repeated here
        shown = "(text från manuella uppgifter)" if cell.private else cell.written
        if isinstance(shown, (date, datetime)):
            shown = shown.isoformat()[:10]
        out.append(CellSource(cell.sheet, cell.coordinate, cell.label, shown, cell.record.source_text()))
    return out + report_sheet_sources(filled)


def report_sheet_sources(filled: FilledWorkbook) -> list[CellSource]:
    """The figures of the ledger report and Kontokontroller sheets, as their own modules state them."""
    from bokslut.lineage.controls import kontokontroller_sources
    from bokslut.lineage.reports import report_sheet_sources as ledger_report_sources

    out: list[CellSource] = []
    for spec in filled.mapping.sheets:
        if spec.kind == "ledger_report" and spec.report in filled.reports:
            out += ledger_report_sources(spec.sheet, filled.reports[spec.report])
        elif spec.kind == "kontokontroller" and filled.control_run is not None:
            out += kontokontroller_sources(spec.sheet, filled.reports["kontokontroller"], filled.control_run)
    return out


def _manual_value(given: object, spec: CellSpec, path: str) -> object:
    allowed = spec.params.get("values")
    if allowed:
        text = str(given).strip().upper()
        return text if text in [str(a).upper() for a in allowed] else str(given)
    if isinstance(given, str) and given.strip().endswith("%"):
        number = to_decimal(given.strip()[:-1], path)
        return float(number / 100)
    if spec.unit:
        number = to_decimal(given, path)
        return Ore(int(number.scaleb(UNITS[spec.unit]).to_integral_value()))
    if isinstance(given, (date, datetime)):
        return to_date(given, path)
    if isinstance(given, bool):
        return "JA" if given else "NEJ"
    if isinstance(given, (int, float, Decimal)):
        number = to_decimal(given, path)
        return int(number) if number == number.to_integral_value() else float(number)
    return str(given)


def _write(cell, value: object, spec: CellSpec) -> None:  # noqa: ANN001
    put(cell, _written(value, spec.unit))


def _wrap_messages(ws) -> None:  # noqa: ANN001
    """Long Swedish messages wrap inside a wide last column instead of running off the page."""
    from openpyxl.styles import Alignment

    from bokslut.reports.xlsx import FIRST_DATA_ROW

    ws.column_dimensions["E"].width = 110
    ws.page_setup.orientation = "landscape"
    for row in ws.iter_rows(min_row=FIRST_DATA_ROW, min_col=1, max_col=5):
        for cell in row:
            if cell.value is not None:
                cell.alignment = Alignment(wrap_text=cell.column == 5, vertical="top",
                                           horizontal=cell.alignment.horizontal)
        message = row[4].value
        if isinstance(message, str) and len(message) > 120:
            # spreadsheet programs do not grow a row for wrapped text written by openpyxl
            ws.row_dimensions[row[0].row].height = 12.5 * (len(message) // 120 + 1)


# ----------------------------------------------------------------------- report sheets


def _replace_report_sheets(engine: Engine, ctx: FillContext, wb, mapping: TemplateMapping,  # noqa: ANN001
                           filled: FilledWorkbook, generated_at: datetime | None, control_verdict: bool = True) -> None:
    from bokslut.reports.xlsx import add_report_sheet

    report_specs = [s for s in mapping.sheets if s.kind in ("ledger_report", "kontokontroller")]
    if not report_specs:
        return
    names = tuple(s.report for s in report_specs if s.kind == "ledger_report")
    if names:
        from bokslut.reports.ledger import build_reports

        filled.reports.update(build_reports(engine, ctx.forvaltning, ctx.period, names))
    if any(s.kind == "kontokontroller" for s in report_specs):
        from bokslut.controls.runner import run_controls
        from bokslut.controls.sheet import kontokontroller_report

        filled.control_run = run_controls(engine, ctx.forvaltning, ctx.period, verdict=control_verdict)
        filled.reports["kontokontroller"] = kontokontroller_report(filled.control_run)
    for spec in report_specs:
        report = filled.reports[spec.report if spec.kind == "ledger_report" else "kontokontroller"]
        index = wb.sheetnames.index(spec.sheet)
        wb.remove(wb[spec.sheet])
        ws = add_report_sheet(wb, report, generated_at=generated_at)
        ws.title = spec.sheet
        wb.move_sheet(ws, offset=index - wb.sheetnames.index(ws.title))
