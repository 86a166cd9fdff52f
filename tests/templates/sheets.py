"""Read filled sheets back with openpyxl, as finance's Excel would see them."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.worksheet import Worksheet

from bokslut.reports.xlsx import AMOUNT_FORMAT, FIRST_DATA_ROW
from tests.golden.compare import _fix_typos, read_tsv


def ledger_sheet_differences(ws: Worksheet, reference, *, keys: list[str], not_compared=("derivation",)) -> list[str]:
    """Differences between a report sheet (``reports.xlsx`` layout) and a reference TSV, cell by cell:
    amounts to the öre and in the amount format, integers, texts (reference typos corrected)."""
    expected = read_tsv(reference)
    problems = []
    header = [ws.cell(FIRST_DATA_ROW - 1, c).value for c in range(1, len(keys) + 1)]
    if None in header:
        problems.append(f"headings missing: {header}")
    for i, want in enumerate(expected):
        row = FIRST_DATA_ROW + i
        for col, key in enumerate(keys, start=1):
            if key in not_compared or key not in want:
                continue
            cell = ws.cell(row, col)
            ref = want[key]
            where = f"{ws.title}!{cell.coordinate} ({key}, line {i + 2})"
            if ref == "":
                if cell.value not in (None, ""):
                    problems.append(f"{where}: {cell.value!r} != empty")
                continue
            if _is_amount(ref) and key not in ("level", "source_line", "account", "accounts"):
                if isinstance(cell.value, str) or cell.value is None:
                    problems.append(f"{where}: {cell.value!r} is not a number ({ref})")
                elif Decimal(repr(cell.value)).quantize(Decimal("0.01")) != Decimal(ref):
                    problems.append(f"{where}: {cell.value!r} != {ref}")
                elif cell.number_format != AMOUNT_FORMAT:
                    problems.append(f"{where}: number format {cell.number_format!r}")
            elif key in ("level", "source_line"):
                if cell.value != int(ref):
                    problems.append(f"{where}: {cell.value!r} != {ref}")
            else:
                if cell.data_type != "s" or str(cell.value) != _fix_typos(ref):
                    problems.append(f"{where}: {cell.value!r} != {_fix_typos(ref)!r}")
    after = ws.cell(FIRST_DATA_ROW + len(expected), 1).value
    if after not in (None, ""):
        problems.append(f"{ws.title}: an extra row after the reference rows: {after!r}")
    return problems


def _is_amount(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return "." in text
