"""Read a returned input workbook (``bokslut manual-input``) back into the manual inputs.

The workbook's hidden keys (row 1 and column A of each sheet, the hidden sheet ``_bokslut``) say
which path of the manual-input file each yellow cell holds, so the result is the same nested dict
the YAML file gives, and the fill cannot tell them apart. A blank cell is an absent key. Every
problem is collected and raised together as one ``ManualInputError`` whose lines name sheet and
cell in Swedish; nothing is used from a workbook with any problem.
"""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from bokslut.settings import Settings
from bokslut.templates.input_catalogue import (
    CONTEXT_PREFIX, FIELD_PREFIX, FIRST_DATE, FIRST_ROW, INSTRUCTIONS, KEY_ROW, LAST_DATE, META_KIND, META_SHEET, NUMBER_LIMIT,
    WHOLE_LIMIT, Catalogue, Field, Section, load_catalogue,
)
from bokslut.templates.manual import ManualInputError, ManualInputs, to_decimal

MAX_ERRORS_SHOWN = 40


def read_metadata(path: Path) -> dict[str, str]:
    """The hidden metadata of an input workbook (``forvaltning``, ``ar``, ``rapporttillfalle``, ...);
    ``ManualInputError`` when the file is damaged or not an input workbook."""
    return _metadata(_open(Path(path)), Path(path))


def _open(path: Path):  # noqa: ANN202 - openpyxl Workbook
    from openpyxl import load_workbook

    if not path.is_file():
        raise ManualInputError(f"Arbetsboken med manuella uppgifter {path} finns inte.")
    if not zipfile.is_zipfile(path):
        raise ManualInputError(f"{path.name}: filen är skadad eller ingen Excel-arbetsbok (xlsx); spara den igen från Excel "
                               "eller skapa en ny med bokslut manual-input.")
    try:
        return load_workbook(path)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken package
        raise ManualInputError(f"{path.name}: arbetsboken går inte att öppna ({type(exc).__name__}: {exc}); spara den igen "
                               "från Excel eller skapa en ny med bokslut manual-input.") from None


def _metadata(wb, path: Path) -> dict[str, str]:  # noqa: ANN001
    if META_SHEET not in wb.sheetnames:
        raise ManualInputError(f"{path.name}: arbetsboken är inte skapad med bokslut manual-input (det dolda bladet "
                               f"{META_SHEET} saknas); skapa en ny med bokslut manual-input.")
    ws = wb[META_SHEET]
    meta = {str(r[0]): "" if r[1] is None else str(r[1]) for r in ws.iter_rows(min_col=1, max_col=2, values_only=True)
            if r[0] is not None}
    if meta.get("typ") != META_KIND:
        raise ManualInputError(f"{path.name}: arbetsboken är inte en arbetsbok för manuella uppgifter (typ "
                               f"{meta.get('typ')!r}).")
    return meta


def read_input_workbook(path: Path, forvaltning: str, year: int, point: str, catalogue: Catalogue | None = None) -> ManualInputs:
    path = Path(path)
    raw = path.read_bytes() if path.is_file() else b""
    wb = _open(path)
    meta = _metadata(wb, path)
    for key, label, expected in (("forvaltning", "förvaltning", forvaltning), ("ar", "år", str(year)),
                                 ("rapporttillfalle", "rapporttillfälle", point)):
        if meta.get(key) != expected:
            raise ManualInputError(f"{path.name}: arbetsboken gäller {label} {meta.get(key)} men blanketterna gäller {expected}.")
    catalogue = catalogue or load_catalogue()
    data: dict = {"forvaltning": forvaltning, "ar": year, "rapporttillfalle": point}
    errors: list[str] = []
    locations: dict[str, str] = {}
    sections = {s.key: s for s in catalogue.sections}
    present = {str(ws.cell(KEY_ROW, 1).value) for ws in wb.worksheets if ws.title not in (META_SHEET, INSTRUCTIONS)}
    for key in filter(None, meta.get("blad", "").split(",")):
        if key not in present:
            title = sections[key].title if key in sections else key
            errors.append(f"{title}: bladet saknas i arbetsboken; skapa en ny arbetsbok med bokslut manual-input.")
    for ws in wb.worksheets:
        if ws.title in (META_SHEET, INSTRUCTIONS):
            continue
        key = ws.cell(KEY_ROW, 1).value
        if key is None:
            continue  # the instruction sheet, or a sheet finance added
        section = sections.get(str(key))
        if section is None or point not in section.points:
            errors.append(f"{ws.title}: bladet hör inte till {point} (okänd nyckel {key!r}); skapa en ny arbetsbok.")
            continue
        _read_sheet(ws, section, point, data, errors, locations)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n  … och {len(errors) - len(shown)} fel till" if len(errors) > len(shown) else ""
        raise ManualInputError(f"{path.name}: {len(errors)} fel, inget av arbetsbokens innehåll används:\n  "
                               + "\n  ".join(shown) + more)
    return ManualInputs(path, data, hashlib.sha256(raw).hexdigest(), locations)


def _columns(ws, section: Section, errors: list[str]) -> dict[int, Field]:  # noqa: ANN001
    by_key = {f.key: f for f in section.fields}
    columns = {}
    for cell in ws[KEY_ROW][1:]:
        text = cell.value
        if not isinstance(text, str) or text.startswith(CONTEXT_PREFIX) or text == "etikett":
            continue
        if text.startswith(FIELD_PREFIX) and text[len(FIELD_PREFIX):] in by_key:
            columns[cell.column] = by_key[text[len(FIELD_PREFIX):]]
        else:
            errors.append(f"{ws.title}!{cell.coordinate}: okänd kolumnnyckel {text!r}; skapa en ny arbetsbok.")
    return columns


def _read_sheet(ws, section: Section, point: str, data: dict, errors: list[str],  # noqa: ANN001
                locations: dict[str, str]) -> None:
    columns = _columns(ws, section, errors)
    rows: list[dict] = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        row_key = ws.cell(r, 1).value
        if row_key is None:
            continue
        row_code = str(row_key)
        values: dict = {}
        for column, f in columns.items():
            cell = ws.cell(r, column)
            where = f"{ws.title}!{cell.coordinate}"
            if not section.is_list:  # so the rule report can point at the cell to fill in
                locations[_dotted(section, row_code, f.key)] = f"blad {ws.title}, cell {cell.coordinate}"
            if _blank(cell.value):
                continue
            if not f.applies(point, None if section.single or section.is_list else row_code):
                errors.append(f"{where}: cellen ska vara tom ({f.label} gäller inte {row_code} vid {point}).")
                continue
            value = _value(cell, f, where, errors)
            if value is not None:
                _set(values, f.key, value)
        if not section.is_list:
            _required(ws, r, row_code, section, point, columns, values, errors)
        if not values:
            continue
        if section.is_list:
            rows.append(values)
        elif section.single:
            data.setdefault(section.key, {}).update(values)
        else:
            target = data.setdefault(section.key, {})
            if "." in values:  # the row's own value (prognos.<rad>)
                target[row_code] = values["."]
            else:
                target[row_code] = values
    if rows:
        data[section.key] = rows


def _required(ws, r: int, row_code: str, section: Section, point: str, columns: dict[int, Field],  # noqa: ANN001
              values: dict, errors: list[str]) -> None:
    """What the template rules call "fel" when missing: an answer every row needs (JA/NEJ), or a
    field another one needs (an amount to carry forward needs the nämnd's decision)."""
    given = {f.key for c, f in columns.items() if not _blank(ws.cell(r, c).value)}  # as _read_sheet: spaces are blank
    label = ws.cell(r, 2).value or row_code
    for column, f in columns.items():
        if f.key in given or not f.applies(point, None if section.single else row_code):
            continue
        where = f"{ws.title}!{ws.cell(r, column).coordinate}"
        if f.required:
            errors.append(f"{where}: {f.label} saknas för {label}; uppgiften krävs.")
        elif f.required_with and f.required_with in given:
            other = next((g.label for g in columns.values() if g.key == f.required_with), f.required_with)
            errors.append(f"{where}: {f.label} saknas för {label}; den krävs när {other} är ifyllt.")


def _dotted(section: Section, row_code: str, key: str) -> str:
    """The key the templates read (``ManualInputs.get``) for a cell of ``section``."""
    parts = [section.key] + ([] if section.single else [row_code]) + ([] if key == "." else [key])
    return ".".join(parts)


def _set(values: dict, dotted: str, value: object) -> None:
    if dotted == ".":
        values["."] = value
        return
    node = values
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _within(number: Decimal, f: Field, where: str, errors: list[str]) -> bool:
    """The bounds of the cell's data validation (a pasted value skips Excel's check)."""
    limit = WHOLE_LIMIT if f.type == "heltal" else NUMBER_LIMIT
    if abs(number) <= limit:
        return True
    bound = f"{limit:,}".replace(",", "\u00a0")
    unit = f", {f.unit}" if f.unit else ""
    errors.append(f"{where}: {number:f} ligger utanför det tillåtna intervallet −{bound} till {bound} ({f.label}{unit}).")
    return False


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object, f: Field, where: str, label: str, errors: list[str]) -> object | None:
    """A number cell as the YAML loader would give it (a typed number, or a text the fill converts),
    checked once whatever its form: a number, an integer where one is asked for, inside the cell's bounds."""
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        errors.append(f"{where}: väntade ett tal ({label}), fick {value!r}.")
        return None
    text = value.strip() if isinstance(value, str) else None
    percent = text is not None and f.type in ("andel", "tal") and text.endswith("%")
    try:
        number = to_decimal(text[:-1] if percent else (value if text is None else text), where)
    except ManualInputError:  # not a number, or a NaN or infinite float
        errors.append(f"{where}: '{value}' är inget tal ({label}).")
        return None
    if f.type == "heltal" and number != number.to_integral_value():
        shown = f"'{value}'" if text is not None else value
        errors.append(f"{where}: {shown} är inget heltal ({label}).")
        return None
    if not _within(number, f, where, errors):
        return None
    if text is None:
        return int(value) if isinstance(value, float) and value.is_integer() and f.type == "heltal" else value
    # a number without a unit reaches the template as given: text "925" would be text in a number cell
    # (the nyckeltal formulas and the explanation then see no number); an amount or a "70,8 %" the fill converts
    if f.type == "heltal":
        return int(number)
    if f.type == "tal" and not percent:
        return int(number) if number == number.to_integral_value() else float(number)
    return text  # the fill reads texts as the YAML loader's strings ("12,5", "70,8 %")


def _value(cell, f: Field, where: str, errors: list[str]) -> object | None:  # noqa: ANN001
    """The cell's value as the YAML loader would give it, or None after recording an error."""
    value = cell.value
    label = f"{f.label}" + (f", {f.unit}" if f.unit else "")
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=") and cell.data_type != "s"):
        errors.append(f"{where}: formler är inte tillåtna i en inmatningscell ({label}); skriv värdet.")
        return None
    if f.type in ("belopp", "tal", "heltal", "andel"):
        return _number(value, f, where, label, errors)
    if f.type == "datum":
        day = None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, str):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                pass
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            errors.append(f"{where}: {day.isoformat()} ligger utanför {FIRST_DATE.isoformat()}–{LAST_DATE.isoformat()} "
                          f"({label}).")
            return None
        if day is not None:
            return day
        errors.append(f"{where}: '{value}' är inget datum ({label}); skriv ÅÅÅÅ-MM-DD.")
        return None
    if f.type == "ja_nej":
        text = str(value).strip().upper()
        if text not in ("JA", "NEJ"):
            errors.append(f"{where}: '{value}' är inte JA eller NEJ ({label}).")
            return None
        return text
    # text: numbers and dates typed in a text cell are taken as their text
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if f.max_length and len(text) > f.max_length:
        errors.append(f"{where}: texten har {len(text)} tecken, högst {f.max_length} får plats ({label}).")
        return None
    return text


MANUAL_LANDING = "manual"  # <landing>/manual/: returned input workbooks; <archive>/manual/: their copies


def returned_workbook(settings: Settings, forvaltning: str, year: int, point: str) -> Path | None:
    """The input workbook in ``<landing>/manual/`` for this target, chosen by its hidden metadata
    (not its name); None when there is none. A damaged or foreign xlsx there, or two for the same
    target, is a Swedish error: guessing could fill the templates with the wrong inputs."""
    folder = settings.landing_dir / MANUAL_LANDING
    if not folder.is_dir():
        return None
    matches = []
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith("~$"):  # Excel's lock file while the workbook is open
            continue
        try:
            meta = read_metadata(path)
        except ManualInputError as exc:
            raise ManualInputError(f"Landningsmappen {MANUAL_LANDING}/: {exc} Flytta eller ersätt filen.") from None
        if (meta.get("forvaltning"), meta.get("ar"), meta.get("rapporttillfalle")) == (forvaltning, str(year), point):
            matches.append(path)
    if len(matches) > 1:
        raise ManualInputError(f"Landningsmappen {MANUAL_LANDING}/ har {len(matches)} arbetsböcker med manuella uppgifter för "
                               f"{point}-{year} förvaltning {forvaltning} ({', '.join(p.name for p in matches)}); "
                               "lämna bara den som ska användas.")
    return matches[0] if matches else None
