"""Choose and read the layout of a report for a year: ``include/layouts/<report>/<year>.yaml``.

The city changes its report layouts (section labels, lines, what is printed) between years, so a
layout is versioned by the first year it applies to. A report for year Y uses the version with the
largest year <= Y: a 2025 report uses 2024's layout until a 2025 version is added.

A year before the earliest version uses the earliest, and every report built from it says so in a
note (:func:`borrowed_note`). Refusing would be tidier but stops real work: each year's package
carries the previous year's ledger (for comparatives), and the month-end flow reports every year a
load touched, so the 2020 package's 2019 periods would fail its own 2020 reports. The figures do not
depend on the layout; only labels may differ from that year's printout.

This module only finds, reads and checks the shape every layout shares (key, title, rows); what
the rows mean belongs to the report that uses them.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import yaml

from bokslut.settings import LAYOUTS_DIR

__all__ = ["LayoutError", "borrowed_note", "layout_versions", "load_layout"]

log = logging.getLogger(__name__)

_VERSION_NAME = re.compile(r"^(\d{4})\.yaml$")


class LayoutError(ValueError):
    """A layout is missing for the year or cannot be used; the message is Swedish and names the file."""


def _shown(path: Path, root: Path) -> str:
    """The path as an operator finds it: ``include/layouts/...`` for the shipped folder."""
    try:
        return f"include/layouts/{path.relative_to(root).as_posix()}" if root == LAYOUTS_DIR else str(path)
    except ValueError:
        return str(path)


def layout_versions(key: str, root: Path = LAYOUTS_DIR) -> dict[int, Path]:
    """year -> file of every version of report ``key``. A stray ``*.yaml`` not named by a year is an
    error rather than ignored: it is most likely a version someone meant to add."""
    folder = root / key
    if not folder.is_dir():
        raise LayoutError(f"Rapporten {key} har ingen layout: mappen {_shown(folder, root)} saknas.")
    versions: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue  # README and the like
        match = _VERSION_NAME.match(path.name)
        if match is None:
            raise LayoutError(f"Layoutfilen {_shown(path, root)} ska heta efter första året den gäller, "
                              f"t.ex. 2024.yaml.")
        versions[int(match.group(1))] = path
    if not versions:
        raise LayoutError(f"Rapporten {key} har ingen layout: {_shown(folder, root)} innehåller ingen ÅÅÅÅ.yaml.")
    return versions


def load_layout(key: str, year: int, root: Path = LAYOUTS_DIR) -> dict:
    """The layout of report ``key`` that applies to ``year`` (the nearest version at or before it).

    The returned dict is shared between calls (cached): read it, never change it. ``version`` holds
    the year of the file that was chosen; it is later than ``year`` only when ``year`` precedes every
    version (see :func:`borrowed_note`).
    """
    return _load(key, int(year), Path(root))


@cache
def _load(key: str, year: int, root: Path) -> dict:
    versions = layout_versions(key, root)
    usable = [v for v in versions if v <= year]
    version = max(usable) if usable else min(versions)
    layout = _read(key, version, versions[version], root)
    if version > year:  # once per report and year (cached); each report also carries the note
        log.warning("%s", borrowed_note(layout, year))
    return layout


def borrowed_note(layout: dict, year: int) -> str | None:
    """The Swedish note a report carries when its year precedes every version of its layout."""
    if layout["version"] <= year:
        return None
    return (f"Det finns ingen layout för {layout['title']} {year}; rapporten följer layouten från "
            f"{layout['version']} (include/layouts/{layout['key']}/{layout['version']}.yaml). Beloppen "
            f"påverkas inte, men rubrikerna kan skilja sig från {year} års utskrift; lägg till "
            f"include/layouts/{layout['key']}/{year}.yaml med årets rubriker (se docs/reports.md).")


def _read(key: str, version: int, path: Path, root: Path) -> dict:
    shown = _shown(path, root)
    try:
        layout = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (rad {mark.line + 1})" if mark is not None else ""
        raise LayoutError(f"Layoutfilen {shown} är inte giltig YAML{where}; rätta filen.") from exc
    except UnicodeDecodeError as exc:
        raise LayoutError(f"Layoutfilen {shown} är inte UTF-8; spara den som UTF-8.") from exc
    problem = _shape_problem(key, layout)
    if problem:
        raise LayoutError(f"Layoutfilen {shown} går inte att använda: {problem}.")
    return {**layout, "version": version}


def _shape_problem(key: str, layout: object) -> str | None:
    """What every layout needs, in Swedish; None when it is there."""
    if not isinstance(layout, dict):
        return "filen ska vara en mappning med key, title och rows"
    if layout.get("key") != key:
        return f"key är {layout.get('key')!r} men filen ligger i mappen {key}"
    if not isinstance(layout.get("title"), str) or not layout["title"].strip():
        return "title (rapportens rubrik) saknas"
    rows = layout.get("rows")
    if not isinstance(rows, list) or not rows:
        return "rows (rapportens rader) saknas eller är tom"
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            return f"rad {number} under rows är inte en mappning"
    return None
