"""Keep strings from input files from turning into spreadsheet formulas (formula injection), keep
control characters out of the warehouse and out of every message a person reads, and mask anything
like a personnummer in text that people read (the lowest layer: ingest, flows and alerts use it)."""

from __future__ import annotations

import re

# Excel, LibreOffice and Google Sheets start a formula on these (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Control characters never accepted in a stored text value (docs/input-formats.md, "Limits and
# rejection reasons"): C0 including TAB, CR and LF, DEL, C1, and the Unicode line and paragraph
# separators. The same class is used by Python's re and by RE2 (pyarrow), so it is written with
# two-digit \x escapes and literal characters only.
CONTROL_CLASS = "[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029]"
CONTROL_CHARS = re.compile(CONTROL_CLASS)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

MASK = "(personnummer dolt)"
# Anything that could be a personnummer inside free text or a file name: six or more digits, at
# most three separator characters (hyphen, plus, whitespace, a dash or minus sign: "980101-9806",
# "980101 - 9806") and four or more digits, so every spelling with or without century, and any
# run of ten or more digits. Over-masking a long number is accepted; a personnummer glued to
# other digits (``20241231198001019806``) is masked too.
PERSONNUMMER_LIKE = re.compile(r"\d{6,}[-+\s\u2010-\u2015\u2212]{0,3}\d{4,}")


def mask_personnummer(text: str) -> str:
    """``text`` with anything that looks like a personnummer replaced by ``(personnummer dolt)``."""
    return PERSONNUMMER_LIKE.sub(MASK, text)


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x00``, ``\\n``, ``\\u2028``),
    so a message or a quarantine row never carries the raw character."""
    return CONTROL_CHARS.sub(lambda m: _NAMED.get(m[0]) or _escape(m[0]), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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


# What an xlsx (XML 1.0) cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (C0 controls) plus the
# noncharacters U+FFFE/U+FFFF and lone surrogates, any of which makes the file unreadable.
XML_ILLEGAL = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an xlsx cell cannot store."""
    return XML_ILLEGAL.sub("", text)
