"""Compare a report with a reference TSV of tests/reference, line by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bokslut.reports.model import Report
from bokslut.reports.tsv import write_tsv

# Where the city's printout has a typo and our layout spells it right (tests/reference/*/inconsistencies.tsv).
REFERENCE_TYPOS = {
    "föränding": "förändring",
    "Generella stadsbidrag": "Generella statsbidrag",
}
NOT_COMPARED = {"derivation"}  # free text explaining the row; the reference's quotes 2024 figures


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def report_rows(report: Report) -> list[dict[str, str]]:
    buffer = io.StringIO()
    write_tsv(report, buffer)
    buffer.seek(0)
    return list(csv.DictReader(buffer, delimiter="\t"))


def _fix_typos(text: str) -> str:
    for wrong, right in REFERENCE_TYPOS.items():
        text = text.replace(wrong, right)
    return text


def differences(report: Report, reference: Path, *, levels: set[str] | None = None,
                compare_names_at: set[str] | None = None) -> list[str]:
    """Human-readable differences; empty when the report reproduces the reference."""
    expected = read_tsv(reference)
    actual = report_rows(report)
    if levels is not None:
        actual = [r for r in actual if r.get("level") in levels]
    problems = []
    if list(actual[0].keys()) != list(expected[0].keys()):
        problems.append(f"columns {list(actual[0].keys())} != {list(expected[0].keys())}")
    for i, (want, got) in enumerate(zip(expected, actual, strict=False), start=2):
        for key, want_value in want.items():
            if key in NOT_COMPARED:
                continue
            got_value = got.get(key, "<missing>")
            if key in ("name", "row", "section"):
                if compare_names_at is not None and want.get("level") not in compare_names_at:
                    continue
                want_value = _fix_typos(want_value)
            if got_value != want_value:
                problems.append(f"line {i} {want.get('account') or want.get('row')}: {key} {got_value!r} != {want_value!r}")
    if len(actual) != len(expected):
        problems.append(f"{len(actual)} rows != {len(expected)} reference rows")
    return problems
