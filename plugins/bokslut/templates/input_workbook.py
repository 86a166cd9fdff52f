"""The input workbook: one xlsx in which finance gives the manual inputs of a reporting point.

``bokslut manual-input --forvaltning 191 --year 2024 --point VB -o FIL.xlsx`` writes, in Swedish,
an instruction sheet and one sheet per section of the catalogue (``input_catalogue``) that the
point needs: a row per project, unit, nyckeltal, ... (the rows of a dry fill of the template),
the system's figures grey and read-only beside yellow input cells with Excel data validation,
prefilled from the point's own manual file if there is one, else from what carries over from the
previous point of the year (T1 → T2 → VB). An input cell whose value a template rule asks for
(a comment on a deviation, a date explanation, JA/NEJ, a decision) is orange with the rule's
message as an Excel comment. Hidden keys (row 1, column A, the sheet ``_bokslut``) let
``input_reader`` read it back into exactly what the YAML file would give.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.engine import Engine

from bokslut.reports.xlsx import save_atomically
from bokslut.templates.input_catalogue import (
    CONTEXT_PREFIX, FIELD_PREFIX, FIRST_DATE, FIRST_ROW, HEADER_ROW, HELP_ROW, INSTRUCTIONS, KEY_ROW, LABEL_COLUMN, LAST_DATE,
    META_KIND, META_SHEET, NUMBER_FORMATS, NUMBER_LIMIT, TITLE_ROW, WHOLE_LIMIT, Catalogue, Field, Section,
    load_catalogue,
)
from bokslut.templates.input_reader import returned_workbook
from bokslut.templates.manual import ManualInputError, ManualInputs, default_manual_path
from bokslut.templates.manual_file import load_manual
from bokslut.templates.mapping import UNITS
from bokslut.domain.periods import get_point, parse_year
from bokslut.xlsxcell import put

log = logging.getLogger(__name__)

INPUT_FILL = PatternFill("solid", fgColor="FFF2A8")  # yellow: finance types here
CONTEXT_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: the system's figures, read-only
MARKED_FILL = PatternFill("solid", fgColor="F4B183")  # orange: a template rule asks for this value
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SINGLE_ROW = "_"  # row key of a single-row section
CONTEXT_FORMATS = {"mnkr": "#,##0.0", "tkr": "#,##0"}  # as the templates show them


@dataclass
class InputWorkbook:
    path: Path
    prefill: str  # Swedish: where the prefilled values came from
    sheets: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)  # "Blad!C7: message" of the cells a rule asks for
    written: set[str] = field(default_factory=set)  # manual paths prefilled into a cell
    dropped: list[str] = field(default_factory=list)  # prefill paths with no cell (rows the template does not show)


# ------------------------------------------------------------------------------- prefill


def _get(data: dict, dotted: str) -> object | None:
    return ManualInputs(None, data).get(dotted)


def _put_path(data: dict, dotted: str, value: object) -> None:
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def carry_over(previous: dict, point: str, catalogue: Catalogue) -> dict:
    """The values of ``previous`` (the previous point's inputs) that hold at ``point``: the
    catalogue's ``carry_over`` fields that apply there. Comments never carry over."""
    out: dict = {}
    for section in catalogue.for_point(point):
        fields = [f for f in section.fields_for(point) if f.carry_over]
        if not fields or section.is_list:
            continue
        rows = [None] if section.single else [str(k) for k in (previous.get(section.key) or {})]
        for row in rows:
            for f in fields:
                if not f.applies(point, row):
                    continue
                value = _get(previous, section.path(row, f))
                if value is not None:
                    _put_path(out, section.path(row, f), value)
    return out


def prefill_inputs(forvaltning: str, year: int, point: str, manual_path: Path | None,
                   catalogue: Catalogue, settings=None) -> tuple[dict, str]:  # noqa: ANN001 - bokslut.settings.Settings
    """(inputs, Swedish description): ``manual_path`` or the point's own manual file when there is
    one (YAML or a returned workbook), else what carries over from the previous point's inputs, taken
    as its build takes them (with ``settings``: a workbook returned to ``<landing>/manual/`` before the YAML)."""
    if manual_path is not None and not Path(manual_path).exists():
        raise ManualInputError(f"Filen att förifylla från, {manual_path}, finns inte.")
    own = Path(manual_path) if manual_path else default_manual_path(forvaltning, year, point)
    if own.exists():
        inputs = load_manual(own, forvaltning, year, point, required=True)
        return _strip(inputs.data), f"förifyllt från {own.name}"
    previous = get_point(point).previous
    if previous:
        previous = previous.code
        path = default_manual_path(forvaltning, year, previous)
        if settings is not None:  # what the previous point's templates were filled from, not an older YAML
            path = returned_workbook(settings, forvaltning, year, previous) or path
        if path.exists():
            earlier = load_manual(path, forvaltning, year, previous, required=True)
            # a returned workbook is not named by its file (finance's name may name a person)
            name = "den återlämnade arbetsboken" if path.suffix.lower() == ".xlsx" else path.name
            return carry_over(earlier.data, point, catalogue), f"förifyllt med det som gäller från {previous} ({name})"
    return {}, "inget förifyllt (ingen tidigare fil för året)"


def _leaves(data: object, prefix: str = "") -> set[str]:
    if isinstance(data, dict):
        return set().union(set(), *(_leaves(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in data.items()))
    if isinstance(data, list):
        return set().union(set(), *(_leaves(v, f"{prefix}.{i}") for i, v in enumerate(data)))
    return {prefix} if data is not None and data != "" else set()


def _strip(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("forvaltning", "ar", "rapporttillfalle")}


# ---------------------------------------------------------------------------------- write


def write_input_workbook(engine: Engine, forvaltning: str, year: int, point: str, out_path: Path, *,
                         manual_path: Path | None = None, mapping_path: Path | None = None,
                         reference_dir: Path | None = None, catalogue: Catalogue | None = None,
                         settings=None) -> InputWorkbook:  # noqa: ANN001 - bokslut.settings.Settings
    """Write the input workbook of ``point`` to ``out_path`` (see the module docstring)."""
    from bokslut.templates.fill import fill_workbook

    rp = get_point(point)
    year = parse_year(year)
    catalogue = catalogue or load_catalogue()
    data, described = prefill_inputs(forvaltning, year, rp.code, manual_path, catalogue, settings)
    with tempfile.TemporaryDirectory(prefix="bokslut_indata_") as tmp:
        seed = Path(tmp) / f"{rp.code}-{year}.yaml"
        seed.write_text(yaml.safe_dump({"forvaltning": forvaltning, "ar": year, "rapporttillfalle": rp.code, **data},
                                       allow_unicode=True, sort_keys=False), encoding="utf-8")
        # a dry fill gives the rows, the system's figures and the rules' findings on the prefilled inputs
        dry = fill_workbook(engine, forvaltning, year, rp.code, Path(tmp) / "dry.xlsx", manual_path=seed,
                            mapping_path=mapping_path, reference_dir=reference_dir, control_verdict=False)
    asks: dict[str, list[str]] = {}
    for r in dry.rules:
        if r.manual_key and r.failed:
            asks.setdefault(r.manual_key, []).append(f"{r.rule_id}: {r.message}")

    wb = Workbook()
    intro = wb.active
    intro.title = INSTRUCTIONS
    result = InputWorkbook(Path(out_path), described)
    for section in catalogue.for_point(rp.code):
        ws = wb.create_sheet(section.title)
        _write_section(ws, section, rp.code, _rows(section, dry.filled, data), dry.filled, data, asks, result)
        result.sheets.append(section.title)
    result.dropped = sorted(_leaves(data) - result.written)
    _write_instructions(intro, forvaltning, year, rp, described, result)
    meta = wb.create_sheet(META_SHEET)
    for key, value in (("typ", META_KIND), ("forvaltning", forvaltning), ("ar", str(year)), ("rapporttillfalle", rp.code),
                       ("katalogversion", str(catalogue.version)), ("skapad", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
                       ("forifyllt", described), ("blad", ",".join(s.key for s in catalogue.for_point(rp.code)))):
        meta.append([key, None])
        put(meta.cell(meta.max_row, 2), value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be renamed, removed or unhidden
    wb.active = 0
    wb.properties.creator = "bokslut"
    wb.properties.title = f"Manuella uppgifter {rp.label(year)} förvaltning {forvaltning}"
    out_path = save_atomically(wb, out_path)
    log.info("Indataarbetsbok %s %s skriven till %s (%d celler markerade)", forvaltning, rp.label(year), out_path,
             len(result.marked))
    return result


@dataclass
class _Row:
    code: str
    label: str
    values: dict  # template column name -> raw value (table rows)
    inputs: dict  # field key -> prefilled value (list rows)


def _rows(section: Section, filled, data: dict) -> list[_Row]:  # noqa: ANN001 - fill.FilledWorkbook
    if section.single:
        return [_Row(SINGLE_ROW, section.title, {}, {})]
    if section.fixed:
        return [_Row(code, label, {}, {}) for code, label in section.fixed.items()]
    if section.is_list:
        given = [r for r in (data.get(section.key) or []) if isinstance(r, dict)]
        return [_Row(str(i), f"Rad {i}", {}, row) for i, row in enumerate(given + [{}] * section.spare_rows, start=1)]
    rows, seen = [], set()
    for name in section.tables:
        table = filled.table(name)
        for r in table.rows if table else []:
            if r.code not in seen:
                seen.add(r.code)
                rows.append(_Row(r.code, f"{r.code} {r.label}", r.values, {}))
    return rows


def _context_value(ctx, row: _Row, filled) -> object | None:  # noqa: ANN001
    from bokslut.templates.measures import NotDelivered, Ore, ore_in_unit

    name = ctx.name.replace("{kod}", row.code)
    if name in row.values:
        value = row.values[name]
    else:
        cell = filled.cell(name)
        value = cell.value if cell is not None else None
    if isinstance(value, NotDelivered):
        return None
    if isinstance(value, Ore):
        return ore_in_unit(value, UNITS[ctx.unit or "kr"])
    return value


def _has_context(ctx, rows: list[_Row], filled) -> bool:  # noqa: ANN001
    return any(ctx.name.replace("{kod}", r.code) in r.values or filled.cell(ctx.name.replace("{kod}", r.code)) is not None
               for r in rows)


def _serial(day: date) -> str:
    """Excel's day number of ``day`` (1900 date system), as a validation formula."""
    return str((day - date(1899, 12, 30)).days)


def _validation(f: Field) -> DataValidation:
    label = f.label + (f" ({f.unit})" if f.unit else "")
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "Ogiltigt värde", "showInputMessage": True,
              "promptTitle": label[:32]}
    if f.type in ("belopp", "tal", "andel"):
        dv = DataValidation(type="decimal", operator="between", formula1=str(-NUMBER_LIMIT), formula2=str(NUMBER_LIMIT),
                            error=f"{label}: skriv ett tal, t.ex. 12,5.", prompt="Ett tal" + (f" i {f.unit}" if f.unit else "") + ".",
                            **common)
    elif f.type == "heltal":
        dv = DataValidation(type="whole", operator="between", formula1=str(-WHOLE_LIMIT), formula2=str(WHOLE_LIMIT),
                            error=f"{label}: skriv ett heltal.", prompt="Ett heltal.", **common)
    elif f.type == "datum":
        dv = DataValidation(type="date", operator="between", formula1=_serial(FIRST_DATE), formula2=_serial(LAST_DATE),
                            error=f"{label}: skriv ett datum ÅÅÅÅ-MM-DD.", prompt="Datum ÅÅÅÅ-MM-DD.", **common)
    elif f.type == "ja_nej":
        dv = DataValidation(type="list", formula1='"JA,NEJ"', error=f"{label}: välj JA eller NEJ.", prompt="JA eller NEJ.",
                            **common)
    else:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(f.max_length or 32000),
                            error=f"{label}: högst {f.max_length or 32000} tecken.",
                            prompt=f"Text, högst {f.max_length or 32000} tecken.", **common)
    return dv


def _write_section(ws, section: Section, point: str, rows: list[_Row], filled, data: dict,  # noqa: ANN001, PLR0913
                   asks: dict[str, list[str]], result: InputWorkbook) -> None:
    fields = section.fields_for(point)
    contexts = [c for c in section.context if _has_context(c, rows, filled)]
    ws.cell(KEY_ROW, 1).value = section.key
    ws.cell(KEY_ROW, LABEL_COLUMN).value = "etikett"
    put(ws.cell(TITLE_ROW, LABEL_COLUMN), section.title).font = Font(bold=True, size=14)
    put(ws.cell(HELP_ROW, LABEL_COLUMN), section.help + " Gula celler fylls i; grå visar systemets siffror. Orange: "
        "en regel i blanketten kräver uppgiften (se cellens kommentar).").alignment = Alignment(wrap_text=False)
    header = ws.cell(HEADER_ROW, LABEL_COLUMN)
    put(header, "Rad" if section.is_list else ("Avsnitt" if section.single else "Kod och namn"))
    columns: list[tuple[int, object]] = []
    column = LABEL_COLUMN + 1
    for ctx in contexts:
        ws.cell(KEY_ROW, column).value = CONTEXT_PREFIX + ctx.name
        put(ws.cell(HEADER_ROW, column), ctx.label + (f" ({ctx.unit})" if ctx.unit else ""))
        ws.column_dimensions[get_column_letter(column)].width = 14
        columns.append((column, ctx))
        column += 1
    validations = {}
    for f in fields:
        ws.cell(KEY_ROW, column).value = FIELD_PREFIX + f.key
        put(ws.cell(HEADER_ROW, column), f.label + (f" ({f.unit})" if f.unit else ""))
        ws.column_dimensions[get_column_letter(column)].width = 40 if f.type == "text" and (f.max_length or 0) > 300 else (
            24 if f.type == "text" else 14)
        validations[column] = _validation(f)
        ws.add_data_validation(validations[column])
        columns.append((column, f))
        column += 1
    for c in range(LABEL_COLUMN, column):
        cell = ws.cell(HEADER_ROW, c)
        cell.font, cell.border = HEADER_FONT, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.column_dimensions[get_column_letter(LABEL_COLUMN)].width = 34

    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        lines = 1
        put(ws.cell(r, 1), row.code)
        label = put(ws.cell(r, LABEL_COLUMN), row.label)
        label.fill, label.border = CONTEXT_FILL, BORDER
        label.alignment = Alignment(vertical="top")
        for c, spec in columns:
            cell = ws.cell(r, c)
            cell.border, cell.alignment = BORDER, Alignment(vertical="top")
            if not isinstance(spec, Field):
                put(cell, _context_value(spec, row, filled))
                cell.fill = CONTEXT_FILL
                cell.number_format = CONTEXT_FORMATS[spec.unit] if spec.unit else (
                    NUMBER_FORMATS["datum"] if isinstance(cell.value, date) else "General")
                continue
            code = None if section.single or section.is_list else row.code
            if not spec.applies(point, code):
                cell.fill = CONTEXT_FILL
                continue
            value = row.inputs.get(spec.key) if section.is_list else _get(data, section.path(code, spec))
            if isinstance(value, bool):  # YAML's yes/no/true/false: the fill shows them as JA/NEJ, so does the workbook
                value = "JA" if value else "NEJ"
            put(cell, value if not isinstance(value, datetime) else value.date())
            if value is not None and value != "":
                result.written.add(f"{section.key}.{int(row.code) - 1}.{spec.key}" if section.is_list
                                   else section.path(code, spec))
            cell.number_format = spec.number_format
            cell.fill = INPUT_FILL
            cell.protection = Protection(locked=False)
            if spec.type == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                width = ws.column_dimensions[get_column_letter(c)].width or 10
                lines = max(lines, sum(len(part) // int(width * 1.1) + 1 for part in str(value or "").split("\n")))
            validations[c].add(cell.coordinate)
            key = None if section.is_list else section.path(code, spec)
            if key in asks and value in (None, ""):
                cell.fill = MARKED_FILL
                text = "\n".join(asks[key])
                cell.comment = Comment(text[:2000], "bokslut", width=360, height=160)
                result.marked.append(f"{ws.title}!{cell.coordinate}: {asks[key][0]}")
        # spreadsheet programs do not grow a row for wrapped text written by openpyxl
        if lines > 1:
            ws.row_dimensions[r].height = 15 * min(lines, 12)
    ws.column_dimensions["A"].hidden = True
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, LABEL_COLUMN + 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # finance may widen columns and rows to read long texts
    ws.protection.formatRows = False
    ws.sheet_view.zoomScale = 90
    ws.page_setup.orientation = "landscape"  # printed on one page width, as wide as the sheets are
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _write_instructions(ws, forvaltning: str, year: int, rp, described: str, result: InputWorkbook) -> None:  # noqa: ANN001
    lines = [
        (f"Manuella uppgifter till blanketterna {rp.label(year)}, förvaltning {forvaltning}", True),
        (f"Rapporttillfälle: {rp.name_sv} ({rp.code}) {year}. {described[0].upper() + described[1:]}.", False),
        ("", False),
        ("Så fyller du i", True),
        ("1. Fyll i de gula cellerna på varje blad. Grå celler visar systemets siffror (huvudbok, budget, "
         "projektregister) och kan inte ändras.", False),
        ("2. Belopp anges i den enhet kolumnen visar (mnkr eller tkr) med intäkter som negativa tal. Datum skrivs "
         "ÅÅÅÅ-MM-DD. JA/NEJ väljs i listan.", False),
        ("3. En tom cell betyder att uppgiften inte lämnas: då används systemets förslag, eller så står cellen tom i "
         "blanketten och Kontroller blankett säger vad som saknas.", False),
        ("4. Orange celler begärs av en regel i blanketten (t.ex. kommentar till en avvikelse mot budget eller en "
         "förklaring till avvikande prognosdatum). Regelns text står i cellens kommentar.", False),
        ("5. Belopp att balansera kräver ett nämndbeslut, och varje resultatenhet kräver JA eller NEJ: saknas de "
         "avvisas arbetsboken när den läses in.", False),
        ("6. Ändra inte bladens namn, dolda rader eller kolumner. Lägg inte till formler i de gula cellerna.", False),
        ("", False),
        ("Lämna tillbaka", True),
        ("Spara arbetsboken som xlsx och lämna den i mappen manual/ i landningsmappen (eller ange den med --manual). "
         "Den läses vid nästa körning av blanketterna; fel anges med blad och cell och då används inget av innehållet. "
         "Arbetsboken arkiveras med sin SHA-256 och en kopia följer med leveransen.", False),
    ]
    if result.marked:
        lines += [("", False), (f"Uppgifter som regler i blanketten begär ({len(result.marked)})", True)]
        lines += [(m, False) for m in result.marked]
    for i, (text, bold) in enumerate(lines, start=1):
        cell = put(ws.cell(i, 1), text)
        cell.font = Font(bold=True, size=14 if i == 1 else 11) if bold else Font()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 130
    ws.sheet_view.showGridLines = False
    ws.protection.sheet = True
