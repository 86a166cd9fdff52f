"""Exact money: every amount is an integer number of öre inside the pipeline.

Amounts enter as Swedish text (``-1 234 567,89``, NBSP or narrow NBSP as thousands separator,
decimal comma or point; Excel numbers are turned into such text by the XLSX reader), and leave as
öre ``int`` or formatted text. Floats
are never summed: pandas/pyarrow parse to ``int64`` öre, SQL sums ``BIGINT`` öre.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Space, NBSP, narrow NBSP and thin space are all used as thousands separators in exports.
THOUSANDS_SEPARATORS = " \u00a0\u202f\u2009"
# Sign, kronor, öre: shared by the scalar parser here and the vectorised one in ingest.validate.
# ASCII digits only ([0-9], not \d): Python's re and pyarrow's RE2 then agree on what a digit is.
AMOUNT_PATTERN = re.compile(r"^([-+]?)([0-9]+)(?:[.,]([0-9]{1,2}))?$")
# The largest amount accepted anywhere, in öre: 999 999 999 999,99 kr (12 kronor digits). Far above
# any real posting of a förvaltning, exact in SQLite INTEGER, PostgreSQL BIGINT and int64, and
# 92 233 postings at the limit still sum inside int64 (2**63 - 1 öre); a larger amount is
# rejected, never rounded or wrapped (docs/input-formats.md, "Limits and rejection reasons").
MAX_AMOUNT_KRONOR_DIGITS = 12
MAX_AMOUNT_ORE = 10 ** (MAX_AMOUNT_KRONOR_DIGITS + 2) - 1


# The units templates and explanations show amounts in: öre -> unit is a division by 10**n.
UNIT_EXPONENTS = {"mnkr": 8, "tkr": 5, "kr": 2}


class AmountError(ValueError):
    """An amount that is not a number with at most two decimals (message in Swedish)."""


def parse_amount_ore(text: str) -> int:
    """Parse one amount in any accepted export spelling into öre."""
    cleaned = text.strip()
    for sep in THOUSANDS_SEPARATORS:
        cleaned = cleaned.replace(sep, "")
    cleaned = cleaned.replace("\u2212", "-")  # typographic minus from Word/Excel
    match = AMOUNT_PATTERN.match(cleaned)
    if not match:
        raise AmountError(f"'{text}' är inte ett belopp (väntat t.ex. -1 234,50)")
    sign = -1 if match.group(1) == "-" else 1
    ore = int(match.group(2)) * 100 + int((match.group(3) or "").ljust(2, "0"))
    if ore > MAX_AMOUNT_ORE:
        raise AmountError(amount_limit_reason(text))
    return sign * ore


def amount_limit_reason(shown: str) -> str:
    """The Swedish reason for an amount beyond MAX_AMOUNT_ORE (the ingest quarantine uses it too)."""
    return (f"'{shown}' är större än beloppsgränsen ±{format_swedish(MAX_AMOUNT_ORE)} kr; "
            "beloppet lästes inte in (det avrundas aldrig).")


def ore_to_decimal(ore: int) -> Decimal:
    return Decimal(ore).scaleb(-2)


def format_plain(ore: int) -> str:
    """Decimal point, no thousands separators: the format of the reference TSV files."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor}.{rest:02d}"


def format_swedish(ore: int) -> str:
    """``-1 234 567,89`` with NBSP thousands, as printed in the city's reports."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor:,}".replace(",", "\u00a0") + f",{rest:02d}"
