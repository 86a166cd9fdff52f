"""Fill a template workbook for one förvaltning and reporting point.

Inputs are the template xlsx and its YAML mapping (``include/templates/``), the warehouse, the
reference files and the manual-input file; nothing else (the generator script that built the
2024 templates is not needed). Steps:

1. texts that follow the year (``texts:`` in the mapping);
2. per form sheet: single cells, then tables bottom-up (rows are inserted when there are more
   items than template rows, so the rows of a table further down are not disturbed);
3. ledger report sheets and Kontokontroller replaced by the reports built from the warehouse
   (``bokslut.reports.ledger.build_reports``, ``bokslut.controls``), in the template's position;
4. the template rules checked (``templates.rules``) and added as the sheet "Kontroller blankett".

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

from bokslut.reports.model import Report
from bokslut.settings import TEMPLATES_DIR
from bokslut.templates import reference
from bokslut.templates.manual import ManualInputs, default_manual_path, load_manual, to_date, to_decimal
from bokslut.templates.mapping import UNITS, CellSpec, MappingError, SheetSpec, TableSpec, TemplateMapping, check_against, load_mapping
from bokslut.templates.measures import MEASURES, ROW_SOURCES, FillContext, NotDelivered, Ore, RowItem, ore_in_unit
from bokslut.templates.points import ReportingPoint, get_point, validate_year
from bokslut.templates.xlsxops import insert_table_rows, put

log = logging.getLogger(__name__)
RULES_SHEET = "Kontroller blankett"


@dataclass
class FilledRow:
    code: str
    label: str
    row: int
    values: dict[str, object]  # column name (or letter) -> raw value (Ore, number, date, text, None)
    item: RowItem


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
    cells: dict[str, FilledCell] = field(default_factory=dict)
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

    def _shift(self, sheet: str, at: int, n: int) -> None:
        """Rows moved by an insertion above already filled cells and tables."""
        from openpyxl.utils.cell import coordinate_from_string

        for cell in self.cells.values():
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
) -> FillResult:
    """Fill the template of ``point`` for ``forvaltning`` and ``year`` and write it to ``out_path``."""
    from bokslut.templates.rules import check_rules, rules_report

    rp = get_point(point)
    year = validate_year(year)
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
    _replace_report_sheets(engine, ctx, wb, mapping, filled, generated_at)

    rules = check_rules(filled, wb)
    from bokslut.reports.xlsx import add_report_sheet

    if RULES_SHEET in wb.sheetnames:
        wb.remove(wb[RULES_SHEET])
    sheet = add_report_sheet(wb, rules_report(rules, filled), generated_at=generated_at)
    sheet.title = RULES_SHEET
    _wrap_messages(sheet)

    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # no cached formula values: calculate on open
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.worksheets[0]
    wb.properties.creator = "bokslut"
    wb.properties.title = f"Blanketter {rp.label(year)} förvaltning {forvaltning}"
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    wb.save(partial)
    partial.replace(out_path)
    log.info("Blanketter %s %s skrivna till %s (%d kontroller)", forvaltning, rp.label(year), out_path, len(rules))
    return FillResult(out_path, filled, rules)


# ----------------------------------------------------------------------------- form sheets


def _fill_form(ctx: FillContext, wb, spec: SheetSpec, filled: FilledWorkbook) -> None:  # noqa: ANN001
    ws = wb[spec.sheet]
    for coordinate, cell_spec in spec.cells.items():
        if cell_spec.keep:
            filled.cells[cell_spec.name] = FilledCell(spec.sheet, coordinate, cell_spec.name, None)
            continue
        value = _resolve(ctx, cell_spec, None, filled, spec.sheet, coordinate)
        _write(ws[coordinate], value, cell_spec)
        name = cell_spec.name or coordinate
        filled.cells[name] = FilledCell(spec.sheet, coordinate, name, value)
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
        values = {}
        for letter, cell_spec in table.columns.items():
            if cell_spec.keep:
                continue
            value = _resolve(ctx, cell_spec, item, filled, spec.sheet, f"{letter}{row}")
            _write(ws[f"{letter}{row}"], value, cell_spec)
            values[cell_spec.name or letter] = value
        record.rows.append(FilledRow(item.code, item.label, row, values, item))
    if not items and table.empty_text:
        label = next((letter for letter, s in table.columns.items() if s.field in ("etikett", "namn")), "A")
        put(ws[f"{label}{table.first_row}"], ctx.expand(table.empty_text))
    filled.tables.append(record)


def _resolve(ctx: FillContext, spec: CellSpec, item: RowItem | None, filled: FilledWorkbook, sheet: str, where: str) -> object:
    name = spec.name or where
    if spec.manual:
        path = ctx.expand(spec.manual, item)
        given = ctx.manual.get(path)
        if given is not None:
            return _manual_value(given, spec, path)
    value: object = None
    if spec.measure:
        params = {k: v for k, v in spec.params.items() if k != "values"}
        value = MEASURES[spec.measure](ctx, item, **params)
    elif spec.field:
        value = (item.fields if item else {}).get(spec.field)
    elif spec.text is not None:
        value = ctx.expand(spec.text, item)
    if isinstance(value, NotDelivered):
        filled.missing.append(Missing(sheet, where, name, value.reason))
        return value
    if value is None and spec.required:
        source = f"manuella uppgifter: {ctx.expand(spec.manual, item)}" if spec.manual else "källan"
        filled.missing.append(Missing(sheet, where, name, f"uppgift saknas ({source})"))
    return value


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
    if isinstance(value, NotDelivered) or value is None:
        put(cell, None)
        return
    if isinstance(value, Ore):
        put(cell, ore_in_unit(value, UNITS[spec.unit or "kr"]))
        return
    if isinstance(value, Decimal):
        value = float(value)
    put(cell, value)


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
                           filled: FilledWorkbook, generated_at: datetime | None) -> None:
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

        filled.control_run = run_controls(engine, ctx.forvaltning, ctx.period)
        filled.reports["kontokontroller"] = kontokontroller_report(filled.control_run)
    for spec in report_specs:
        report = filled.reports[spec.report if spec.kind == "ledger_report" else "kontokontroller"]
        index = wb.sheetnames.index(spec.sheet)
        wb.remove(wb[spec.sheet])
        ws = add_report_sheet(wb, report, generated_at=generated_at)
        ws.title = spec.sheet
        wb.move_sheet(ws, offset=index - wb.sheetnames.index(ws.title))
