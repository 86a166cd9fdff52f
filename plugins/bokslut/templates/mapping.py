"""The declarative mapping next to each template (``include/templates/<point>.yaml``).

It says, per sheet of the template workbook, which cells and which table columns show which
named measure (``templates.measures``), master-data field, manual input or text. When the city
sends next year's template, the xlsx is swapped and this file edited; no code changes
(docs/templates.md). Structure::

    template: vb.xlsx              # the workbook next to this file
    point: VB                      # T1 | T2 | VB
    template_year: 2024            # the year the template's own texts were written for
    texts:                         # texts that follow the year, rewritten before filling
      Verksamhetsprojekt:
        B6: "Ack. t.o.m. {ar-1}"
    sheets:
      - sheet: Invent o maskin     # a form: single cells and/or tables
        cells:
          B8: {name: utfall_fg_ar, measure: gl.linje, linje: investering_utgifter, ar: "{ar-1}", unit: mnkr}
        tables:
          - rows: verksamhetsprojekt   # a row source (one table row per project, unit, ...)
            first_row: 11              # first of the template's empty rows
            template_rows: 5           # rows are inserted when there are more items
            sum_row: 17                # optional; its formulas follow inserted rows
            columns:
              A: {field: etikett}
              B: {name: ack_kostnad, measure: gl.projekt, klass: kostnad, till: "{ar-1}14", unit: mnkr}
      - sheet: Budgetavräkning
        kind: ledger_report            # replaced by the ledger report (bokslut.reports)
        report: budgetavrakning
      - sheet: Kontokontroller
        kind: kontokontroller
    rules: {...}                       # thresholds of the template rules (templates.rules)

A point's file may ``extends: <shared>.yaml`` (a file next to it): the shared mapping with the
point's own keys laid over it, tables (texts, rules, ...) key by key, anything else replaced. T1 and
T2 share one layout, so ``t1.yaml``/``t2.yaml`` hold only their workbook, point and template year
and ``tertial.yaml`` holds the cells; the loaded mapping is the same as one file with everything.

A cell or column spec: ``measure`` (+ its parameters), ``field`` (an attribute of the table's
row item), ``manual`` (a dotted path in the manual-input file, ``{kod}`` = the row's code; a
value given there wins over the measure), ``text``, ``unit`` (``mnkr``, ``tkr``, ``kr``: amounts
are converted from öre), ``name`` (how the template rules refer to it), ``required`` (a
missing value is reported) and ``keep: true`` (a formula cell of the template, left as it is and
only named for the rules). Placeholders: ``{ar}``, ``{ar-1}``, ``{ar+1}``, ``{period}``,
``{period_fran}``, ``{punkt}``, ``{rapport}``, ``{manader}``, ``{manad}``, ``{namnd}``,
``{forvaltning}``, ``{forvaltningsnamn}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from openpyxl.utils import column_index_from_string, coordinate_to_tuple

from bokslut.money import UNIT_EXPONENTS
from bokslut.domain.periods import get_point

SHEET_KINDS = ("form", "ledger_report", "kontokontroller")
UNITS = UNIT_EXPONENTS  # öre -> unit: divide by 10**n (bokslut.money)
SPEC_KEYS = {"measure", "unit", "manual", "field", "text", "name", "required", "keep"}
_COLUMN = re.compile(r"^[A-Z]{1,3}$")


class MappingError(ValueError):
    """The mapping does not fit the template or names something unknown (Swedish message)."""


@dataclass(frozen=True)
class CellSpec:
    measure: str | None = None
    params: dict = field(default_factory=dict)
    unit: str | None = None
    manual: str | None = None
    field: str | None = None
    text: str | None = None
    name: str | None = None
    required: bool = False
    keep: bool = False  # a template formula cell, not written, named for the rules

    @classmethod
    def parse(cls, raw: object, where: str) -> CellSpec:
        if isinstance(raw, str):
            return cls(text=raw)
        if not isinstance(raw, dict):
            raise MappingError(f"{where}: väntade en tabell med t.ex. measure/field/text, fick {raw!r}")
        if raw.get("keep"):
            if not raw.get("name"):
                raise MappingError(f"{where}: keep kräver ett name")
            return cls(name=str(raw["name"]), keep=True, unit=raw.get("unit"))
        unit = raw.get("unit")
        if unit is not None and unit not in UNITS:
            raise MappingError(f"{where}: okänd enhet {unit!r} (välj {', '.join(UNITS)})")
        sources = [k for k in ("measure", "field", "text") if raw.get(k) is not None]
        if len(sources) > 1:
            raise MappingError(f"{where}: ange bara en av measure, field och text")
        if not sources and raw.get("manual") is None:
            raise MappingError(f"{where}: ange measure, field, text eller manual")
        return cls(
            measure=raw.get("measure"), params={k: v for k, v in raw.items() if k not in SPEC_KEYS},
            unit=unit, manual=raw.get("manual"), field=raw.get("field"), text=raw.get("text"),
            name=raw.get("name"), required=bool(raw.get("required", False)),
        )


@dataclass(frozen=True)
class TableSpec:
    rows: str  # row source name (templates.measures.ROW_SOURCES)
    params: dict
    first_row: int
    template_rows: int
    sum_row: int | None
    empty_text: str | None  # written in the first row's label column when there are no items
    columns: dict[str, CellSpec]
    name: str  # identifies the table in the rule report (default: the row source)

    @property
    def last_template_row(self) -> int:
        return self.first_row + self.template_rows - 1


@dataclass(frozen=True)
class SheetSpec:
    sheet: str
    kind: str = "form"
    report: str | None = None
    cells: dict[str, CellSpec] = field(default_factory=dict)
    tables: tuple[TableSpec, ...] = ()


@dataclass(frozen=True)
class TemplateMapping:
    path: Path
    template: Path
    point: str
    template_year: int
    texts: dict[str, dict[str, str]]
    sheets: tuple[SheetSpec, ...]
    rules: dict

    def sheet(self, name: str) -> SheetSpec:
        for spec in self.sheets:
            if spec.sheet == name:
                return spec
        raise KeyError(name)


def _table(raw: dict, where: str) -> TableSpec:
    for key in ("rows", "first_row", "template_rows", "columns"):
        if key not in raw:
            raise MappingError(f"{where}: nyckeln {key!r} saknas")
    if int(raw["template_rows"]) < 2:
        raise MappingError(f"{where}: template_rows måste vara minst 2 (summaformler växer bara när rader "
                           "infogas inne i området)")
    columns = {}
    for letter, spec in raw["columns"].items():
        if not _COLUMN.match(str(letter)):
            raise MappingError(f"{where}: {letter!r} är ingen kolumnbokstav")
        columns[str(letter)] = CellSpec.parse(spec, f"{where} kolumn {letter}")
    sum_row = raw.get("sum_row")
    first, count = int(raw["first_row"]), int(raw["template_rows"])
    if sum_row is not None and int(sum_row) < first + count:
        raise MappingError(f"{where}: sum_row {sum_row} ligger inte under tabellens rader")
    params = {k: v for k, v in raw.items()
              if k not in ("rows", "first_row", "template_rows", "sum_row", "columns", "empty_text", "name")}
    return TableSpec(str(raw["rows"]), params, first, count, int(sum_row) if sum_row else None,
                     raw.get("empty_text"), columns, str(raw.get("name") or raw["rows"]))


def _sheet(raw: dict) -> SheetSpec:
    name = raw.get("sheet")
    if not name:
        raise MappingError("ett blad i mappningen saknar 'sheet'")
    kind = raw.get("kind", "form")
    if kind not in SHEET_KINDS:
        raise MappingError(f"blad {name}: okänd kind {kind!r} (välj {', '.join(SHEET_KINDS)})")
    if kind == "ledger_report" and not raw.get("report"):
        raise MappingError(f"blad {name}: kind ledger_report kräver 'report'")
    cells = {}
    for coordinate, spec in (raw.get("cells") or {}).items():
        try:
            coordinate_to_tuple(str(coordinate))
        except ValueError:
            raise MappingError(f"blad {name}: {coordinate!r} är ingen cell") from None
        cells[str(coordinate)] = CellSpec.parse(spec, f"blad {name} cell {coordinate}")
    tables = tuple(_table(t, f"blad {name} tabell {i + 1}") for i, t in enumerate(raw.get("tables") or []))
    return SheetSpec(str(name), kind, raw.get("report"), cells, tables)


def _read(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"Mappningen {path} finns inte.") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"Mappningen {path} är inte giltig YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise MappingError(f"Mappningen {path} ska vara en YAML-tabell.")
    return raw


def _overlay(base: dict, own: dict) -> dict:
    """``base`` with ``own`` laid over it: tables merged key by key, anything else replaced."""
    merged = dict(base)
    for key, value in own.items():
        merged[key] = _overlay(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def mapping_document(path: Path) -> dict:
    """The YAML document a mapping file stands for: the file itself, or, when it ``extends`` a
    shared mapping next to it (t1.yaml/t2.yaml -> tertial.yaml), that one with the file's keys over it."""
    path = Path(path)
    raw = _read(path)
    if "extends" not in raw:
        return raw
    own = {k: v for k, v in raw.items() if k != "extends"}
    shared_path = path.parent / str(raw["extends"])
    if not shared_path.exists():
        raise MappingError(f"Mappningen {path}: den gemensamma mappningen {shared_path} (extends) finns inte.")
    shared = _read(shared_path)
    if "extends" in shared:
        raise MappingError(f"Mappningen {shared_path}: en gemensam mappning kan inte själv ha extends.")
    return _overlay(shared, own)


def load_mapping(path: Path) -> TemplateMapping:
    """Read and check a mapping file (structure only; ``check_against`` checks it against the xlsx)."""
    path = Path(path)
    raw = mapping_document(path)
    for key in ("template", "point", "sheets"):
        if key not in raw:
            raise MappingError(f"Mappningen {path}: nyckeln {key!r} saknas.")
    point = get_point(str(raw["point"])).code
    texts = {str(sheet): {str(c): str(t) for c, t in cells.items()} for sheet, cells in (raw.get("texts") or {}).items()}
    sheets = tuple(_sheet(s) for s in raw["sheets"])
    names = [s.sheet for s in sheets]
    if len(set(names)) != len(names):
        raise MappingError(f"Mappningen {path}: ett blad förekommer två gånger.")
    return TemplateMapping(path, path.parent / str(raw["template"]), point, int(raw.get("template_year") or 0),
                           texts, sheets, dict(raw.get("rules") or {}))


def check_against(mapping: TemplateMapping, wb) -> list[str]:  # noqa: ANN001 - openpyxl Workbook
    """Problems (Swedish) between the mapping and the workbook; empty when they fit."""
    from bokslut.templates.measures import MEASURES, ROW_SOURCES

    problems = []
    for sheet, cells in mapping.texts.items():
        if sheet not in wb.sheetnames:
            problems.append(f"texts: bladet {sheet!r} finns inte i mallen")
    for spec in mapping.sheets:
        if spec.sheet not in wb.sheetnames:
            problems.append(f"bladet {spec.sheet!r} finns inte i mallen (blad: {', '.join(wb.sheetnames)})")
            continue
        all_specs = list(spec.cells.items())
        for table in spec.tables:
            if table.rows not in ROW_SOURCES:
                problems.append(f"{spec.sheet}: okänd radkälla {table.rows!r}")
            all_specs += [(f"{c}{table.first_row}", s) for c, s in table.columns.items()]
            if table.sum_row:
                ws = wb[spec.sheet]
                sums = [c for c in ws[table.sum_row] if isinstance(c.value, str) and c.value.upper().startswith("=SUM(")]
                if not sums:
                    problems.append(f"{spec.sheet}: rad {table.sum_row} (sum_row) har ingen SUM-formel")
        for where, cell_spec in all_specs:
            if cell_spec.measure and cell_spec.measure not in MEASURES:
                problems.append(f"{spec.sheet}!{where}: okänt mått {cell_spec.measure!r}")
            ws = wb[spec.sheet]
            cell = ws[where]
            if cell_spec.keep:
                continue
            if isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type == "f":
                problems.append(f"{spec.sheet}!{where}: cellen har en formel i mallen och kan inte fyllas")
        tables = sorted(spec.tables, key=lambda t: t.first_row)
        for upper, lower in zip(tables, tables[1:], strict=False):
            if upper.sum_row and upper.sum_row >= lower.first_row or upper.last_template_row >= lower.first_row:
                problems.append(f"{spec.sheet}: tabellerna {upper.name} och {lower.name} överlappar")
    return problems


def column_index(letter: str) -> int:
    return column_index_from_string(letter)
