"""TSV rendering in the format of ``tests/reference``: decimal point, no thousands separators."""

from __future__ import annotations

from typing import TextIO

from bokslut.money import format_plain
from bokslut.reports.model import Report
from bokslut.textsafety import neutralise_formula


def _cell(value: int | str | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "amount" and isinstance(value, int):
        return format_plain(value)
    text = str(value)
    # TSV files are opened in Excel by finance: text must not start a formula there either.
    return neutralise_formula(text).replace("\t", " ").replace("\n", " ")


def write_tsv(report: Report, out: TextIO) -> None:
    out.write("\t".join(c.key for c in report.columns) + "\n")
    for row in report.rows:
        out.write("\t".join(_cell(row.values.get(c.key), c.kind) for c in report.columns) + "\n")
