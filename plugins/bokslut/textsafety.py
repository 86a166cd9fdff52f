"""Keep strings from input files from turning into spreadsheet formulas (formula injection)."""

from __future__ import annotations

# Excel, LibreOffice and Google Sheets start a formula on these (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES) and not _is_plain_number(text)


def neutralise_formula(text: str) -> str:
    """Prefix a formula-looking string with an apostrophe, as Excel itself does for literal text."""
    return "'" + text if looks_like_formula(text) else text


def _is_plain_number(text: str) -> bool:
    try:
        float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return False
    return True
