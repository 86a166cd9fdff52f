"""User-editable reference files the templates need (docs/spec/formats.md §3).

All CSV with ``;``, UTF-8, a header row, amounts in kronor (decimal comma or point), dates
``YYYY-MM-DD``; one file per kind in ``include/reference/`` (or ``BOKSLUT_REFERENCE_DIR``):

``projekt.csv`` — project master data::

    Förvaltning;Projekt;Namn;Typ;Betydande;Beslutad start;Beslutat slut;Beslutad kostnad;
    Beslutad intäkt;Total finansiering;Extern finansiär;EU-program

``Typ`` is ``verksamhetsprojekt``, ``externt finansierat`` or ``investering``; ``Betydande`` J/N
(designated significant: shown on Verksamhetsprojekt whatever its size); ``Beslutad intäkt`` with
ledger sign (negative); ``EU-program`` filled for EU-funded projects (Externa projekt, EU block).

``resultatenheter.csv`` — ``Förvaltning;Ansvar;Namn;Intraprenad[;Från år;Till år]`` (``Ansvar``
one code or several separated by ``,``; ``Intraprenad`` J/N; the optional years bound the years a
unit exists, empty = open: a year's workbook lists only that year's units, so the 2020 package
says "Nämnden har inga resultatenheter" as the city's did).

``forvaltningar.csv`` — ``Förvaltning;Namn;Nämnd`` (the name printed at the top of every sheet).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bokslut.money import AmountError, parse_amount_ore
from bokslut.settings import reference_dir

PROJECT_TYPES = ("verksamhetsprojekt", "externt finansierat", "investering")


class ReferenceError(ValueError):
    """A reference file that cannot be read (Swedish message naming file, line and column)."""


@dataclass(frozen=True)
class Project:
    forvaltning: str
    code: str
    name: str
    kind: str
    significant: bool
    decided_start: date | None
    decided_end: date | None
    decided_cost_ore: int | None
    decided_income_ore: int | None  # ledger sign: negative
    total_financing_ore: int | None
    funder: str
    eu_program: str

    @property
    def is_eu(self) -> bool:
        return bool(self.eu_program)


@dataclass(frozen=True)
class ResultUnit:
    forvaltning: str
    ansvar: tuple[str, ...]
    name: str
    intraprenad: bool

    @property
    def code(self) -> str:
        return self.ansvar[0]


@dataclass(frozen=True)
class Forvaltning:
    code: str
    name: str
    namnd: str




def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():  # an empty list would print "no projects", "no result units": a false statement
        raise ReferenceError(f"Referensfilen {path.name} saknas i {path.parent}: kopiera den från projektets "
                             "include/reference/ (eller rätta BOKSLUT_REFERENCE_DIR).")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        headers = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in headers]
        if missing:
            raise ReferenceError(f"{path.name}: kolumn(er) saknas: {', '.join(missing)} (hittade: {', '.join(headers)})")
        return [(n, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]


def _amount(path: Path, line: int, column: str, text: str) -> int | None:
    if not text:
        return None
    try:
        return parse_amount_ore(text)
    except AmountError as exc:
        raise ReferenceError(f"{path.name} rad {line}, kolumn {column}: {exc}") from None


def _date(path: Path, line: int, column: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text if "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}")
    except ValueError:
        raise ReferenceError(f"{path.name} rad {line}, kolumn {column}: '{text}' är inget datum (ÅÅÅÅ-MM-DD)") from None


def _year(path: Path, line: int, column: str, text: str) -> int | None:
    if not text:
        return None
    if len(text) == 4 and text.isdigit():
        return int(text)
    raise ReferenceError(f"{path.name} rad {line}, kolumn {column}: '{text}' ska vara ett årtal (ÅÅÅÅ) eller tomt")


def _flag(path: Path, line: int, column: str, text: str) -> bool:
    if text.upper() in ("J", "JA"):
        return True
    if text.upper() in ("", "N", "NEJ"):
        return False
    raise ReferenceError(f"{path.name} rad {line}, kolumn {column}: '{text}' ska vara J eller N")


def load_projects(forvaltning: str, folder: Path | None = None) -> list[Project]:
    path = (folder or reference_dir()) / "projekt.csv"
    projects = []
    for line, row in _rows(path, ("Förvaltning", "Projekt", "Namn", "Typ")):
        if row["Förvaltning"] != forvaltning:
            continue
        kind = row["Typ"].lower()
        if kind not in PROJECT_TYPES:
            raise ReferenceError(f"{path.name} rad {line}, kolumn Typ: '{row['Typ']}' (välj {', '.join(PROJECT_TYPES)})")
        projects.append(Project(
            forvaltning=forvaltning, code=row["Projekt"], name=row["Namn"], kind=kind,
            significant=_flag(path, line, "Betydande", row.get("Betydande", "")),
            decided_start=_date(path, line, "Beslutad start", row.get("Beslutad start", "")),
            decided_end=_date(path, line, "Beslutat slut", row.get("Beslutat slut", "")),
            decided_cost_ore=_amount(path, line, "Beslutad kostnad", row.get("Beslutad kostnad", "")),
            decided_income_ore=_amount(path, line, "Beslutad intäkt", row.get("Beslutad intäkt", "")),
            total_financing_ore=_amount(path, line, "Total finansiering", row.get("Total finansiering", "")),
            funder=row.get("Extern finansiär", ""), eu_program=row.get("EU-program", ""),
        ))
    return sorted(projects, key=lambda p: p.code)


def load_result_units(forvaltning: str, folder: Path | None = None, year: int | None = None) -> list[ResultUnit]:
    """The förvaltning's result units; with ``year``, only those that exist that year."""
    path = (folder or reference_dir()) / "resultatenheter.csv"
    units = []
    for line, row in _rows(path, ("Förvaltning", "Ansvar", "Namn")):
        if row["Förvaltning"] != forvaltning:
            continue
        first = _year(path, line, "Från år", row.get("Från år", ""))
        last = _year(path, line, "Till år", row.get("Till år", ""))
        if year is not None and ((first is not None and year < first) or (last is not None and year > last)):
            continue
        codes = tuple(c.strip() for c in row["Ansvar"].split(",") if c.strip())
        if not codes:
            raise ReferenceError(f"{path.name} rad {line}, kolumn Ansvar: ansvarskod saknas")
        units.append(ResultUnit(forvaltning, codes, row["Namn"], _flag(path, line, "Intraprenad", row.get("Intraprenad", ""))))
    return units


def load_forvaltning(forvaltning: str, folder: Path | None = None) -> Forvaltning:
    path = (folder or reference_dir()) / "forvaltningar.csv"
    for _line, row in _rows(path, ("Förvaltning", "Namn", "Nämnd")):
        if row["Förvaltning"] == forvaltning:
            return Forvaltning(forvaltning, row["Namn"], row["Nämnd"])
    return Forvaltning(forvaltning, f"Förvaltning {forvaltning}", f"Nämnden för förvaltning {forvaltning}")
