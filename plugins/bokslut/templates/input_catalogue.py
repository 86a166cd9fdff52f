"""The catalogue of manual inputs (``include/templates/manual_inputs.yaml``), shared by the input
workbook's writer (``input_workbook``) and reader (``input_reader``).

It says, per section of the manual-input file, where the rows come from, which fields finance
fills in (type, unit, reporting points, whether they carry over to the next point) and which
figures of the dry fill are shown beside them. The format is described in the YAML's header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bokslut.domain.periods import POINT_CODES
from bokslut.settings import TEMPLATES_DIR

CATALOGUE_PATH = TEMPLATES_DIR / "manual_inputs.yaml"
TYPES = ("belopp", "tal", "heltal", "andel", "datum", "ja_nej", "text")
NUMBER_FORMATS = {"mnkr": "#,##0.0##", "tkr": "#,##0", "tal": "General", "heltal": "0", "andel": "0.0%",
                  "datum": "yyyy-mm-dd", "text": "@"}


@dataclass(frozen=True)
class Field:
    key: str  # dotted below the row; "." = the row's own value
    label: str
    type: str
    points: tuple[str, ...]
    unit: str | None = None
    max_length: int | None = None
    rows: tuple[str, ...] | None = None  # only these row codes
    carry_over: bool = False
    required: bool = False  # every row must answer it (a "fel" rule of the template, e.g. BL07 JA/NEJ)
    required_with: str | None = None  # must be given when this other field of the row is (BL09: beslut)

    def applies(self, point: str, row: str | None) -> bool:
        return point in self.points and (self.rows is None or row is None or row in self.rows)

    @property
    def number_format(self) -> str:
        return NUMBER_FORMATS[self.unit if self.type == "belopp" else self.type] if self.type != "ja_nej" else "@"


@dataclass(frozen=True)
class Context:
    name: str  # column or cell name of the mapping, {kod} = the row's code
    label: str
    unit: str | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # the sheet's name (Swedish, at most 31 characters)
    help: str
    points: tuple[str, ...]
    fields: tuple[Field, ...]
    context: tuple[Context, ...] = ()
    tables: tuple[str, ...] = ()
    fixed: dict[str, str] = field(default_factory=dict)
    single: bool = False
    spare_rows: int | None = None  # a list section (innovationssatsningar)

    @property
    def is_list(self) -> bool:
        return self.spare_rows is not None

    def fields_for(self, point: str) -> list[Field]:
        return [f for f in self.fields if point in f.points]

    def path(self, row: str | None, f: Field) -> str:
        """The dotted path of a keyed or single section's field (``verksamhetsprojekt.2401.budget.kostnad``)."""
        parts = [self.key] + ([row] if row is not None else []) + ([] if f.key == "." else [f.key])
        return ".".join(parts)


@dataclass(frozen=True)
class Catalogue:
    version: int
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def for_point(self, point: str) -> list[Section]:
        return [s for s in self.sections if point in s.points and s.fields_for(point)]


class CatalogueError(ValueError):
    """The catalogue file is broken (Swedish message; an engineer's mistake, not finance's)."""


def _tuple(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if value else default


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = Path(path or CATALOGUE_PATH)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"Katalogen över manuella uppgifter {path} kan inte läsas: {exc}") from None
    sections = []
    for s in raw.get("sections") or []:
        where = f"{path.name}: avsnitt {s.get('key')}"
        points = _tuple(s.get("points"), POINT_CODES)
        fields = []
        for f in s.get("fields") or []:
            kind = f.get("type")
            if kind not in TYPES:
                raise CatalogueError(f"{where}: fältet {f.get('key')} har okänd typ {kind!r} (välj {', '.join(TYPES)})")
            if kind == "belopp" and f.get("unit") not in ("mnkr", "tkr"):
                raise CatalogueError(f"{where}: beloppet {f.get('key')} saknar enhet mnkr eller tkr")
            fields.append(Field(str(f["key"]), str(f["label"]), kind, _tuple(f.get("points"), points), f.get("unit"),
                                int(f["max_length"]) if f.get("max_length") else None,
                                _tuple(f.get("rows"), ()) or None, bool(f.get("carry_over", False)),
                                bool(f.get("required", False)), f.get("required_with")))
        context = tuple(Context(str(c["name"]), str(c["label"]), c.get("unit")) for c in s.get("context") or [])
        title = str(s["title"])
        if len(title) > 31:
            raise CatalogueError(f"{where}: bladnamnet {title!r} är längre än 31 tecken")
        sources = [k for k in ("table", "fixed", "single", "list") if s.get(k)]
        if len(sources) != 1:
            raise CatalogueError(f"{where}: ange exakt en av table, fixed, single och list")
        sections.append(Section(
            str(s["key"]), title, " ".join(str(s.get("help") or "").split()), points, tuple(fields), context,
            _tuple(s.get("table"), ()), {str(k): str(v) for k, v in (s.get("fixed") or {}).items()},
            bool(s.get("single")), int(s["list"]) if s.get("list") else None))
    return Catalogue(int(raw.get("version") or 1), tuple(sections))


# The input workbook's layout, shared by writer and reader.
META_SHEET = "_bokslut"  # hidden: what the workbook is for (key in A, value in B)
META_KIND = "manuella_uppgifter"
INSTRUCTIONS = "Instruktioner"  # the first sheet: text only, no keys
KEY_ROW, TITLE_ROW, HELP_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4, 5  # KEY_ROW and column A are hidden machine keys
LABEL_COLUMN = 2
FIELD_PREFIX, CONTEXT_PREFIX = "f:", "c:"
# The input cells' data validation (writer) and the reader's check of the same bounds: Excel's
# validation only stops typing, a pasted value is stored as it is.
NUMBER_LIMIT, WHOLE_LIMIT = 10**12, 10**9  # |value| of belopp/tal/andel, of heltal
FIRST_DATE, LAST_DATE = date(1990, 1, 1), date(2100, 12, 31)
