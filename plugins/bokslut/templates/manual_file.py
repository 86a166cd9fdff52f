"""A manual-input file, whichever form finance returned it in: YAML (``templates.manual``) or the input
workbook of ``bokslut manual-input`` (``templates.input_reader``); both give the same ``ManualInputs``."""

from __future__ import annotations

from pathlib import Path

from bokslut.templates.input_reader import read_input_workbook
from bokslut.templates.manual import ManualInputError, ManualInputs, read_manual_yaml


def load_manual(path: Path | None, forvaltning: str, year: int, point: str, *, required: bool = False) -> ManualInputs:
    """Read ``path``; a missing file gives empty inputs unless ``required``."""
    if path is None or not Path(path).exists():
        if required:
            raise ManualInputError(f"Filen med manuella uppgifter {path} finns inte.")
        return ManualInputs()
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return read_input_workbook(path, forvaltning, int(year), point)
    return read_manual_yaml(path, forvaltning, year, point)
