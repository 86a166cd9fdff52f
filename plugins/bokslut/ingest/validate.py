"""Row checks on a chunk of canonical text, vectorised: typed rows out, reasons in Swedish for the rest.

A row with an error (``fel``) is quarantined and never loaded; a warning (``varning``) keeps
the row and is recorded beside it (e.g. text that a spreadsheet would run as a formula).

The checks run on Arrow arrays (pyarrow compute, no pandas copy of the chunk, no float): amounts
become exact int64 öre, periods int64. Where RE2 (pyarrow's regex) and Python's ``re`` differ
(``\\d`` and ``\\w`` are ASCII-only in RE2, ``\\s`` misses e.g. ``\\x0b``), Python decides on the
values concerned only: the non-ASCII ones, or the few candidates of a rule. Periods, months, years
and dates are few distinct values per chunk: they are judged once per distinct value, by the same
pandas expressions as before, and spread back to the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.ingest.formats import Field, SourceFormat
from bokslut.ingest.read import RowIssue
from bokslut.money import AMOUNT_PATTERN, MAX_AMOUNT_KRONOR_DIGITS, THOUSANDS_SEPARATORS, amount_limit_reason
from bokslut.textsafety import CONTROL_CLASS, FORMULA_PREFIXES, escape_controls

_SEPARATORS = "[" + re.escape(THOUSANDS_SEPARATORS) + "]"


@dataclass
class CheckedChunk:
    rows: pa.Table  # warehouse columns, typed (int64 öre/periods, string, ISO date text); only rows without errors
    issues: list[RowIssue]


MASKED = {"personnummer": "(personnummer dolt)"}
MAX_NUMBER_DIGITS = 12  # digits before the decimal sign of a "number" field (×10**4 still fits int64)
CONTROL_REASON = ("Värdet innehåller styrtecken (t.ex. NUL, tabb eller radbrytning; visade som \\x.. eller \\n): "
                  "'{value}'. Rätta exporten och läs in filen igen.")
PERSONNUMMER_REASON = ("Texten innehöll något som liknar ett personnummer; det lagras maskerat: '{value}'. "
                       "Personnummer hör inte hemma i huvudbokens fritext.")
MASKED_DEFAULT = "(uppgift dold)"


def _shown(fld: Field, value: object, personal: bool) -> str:
    """The value as quarantine may show it: personal data never leaves the file (docs/personal-data.md),
    free text is shown with anything like a personnummer masked, and no value carries a raw
    control character (PostgreSQL cannot store NUL; a message must not either)."""
    if fld.sensitive:
        return MASKED.get(fld.kind, MASKED_DEFAULT)
    text = str(value)[:200]
    if personal or fld.kind == "text":
        from bokslut.textsafety import mask_personnummer

        text = mask_personnummer(text)
    return escape_controls(text)



def _issues(raw: pa.Array, lines: pa.Array, mask: np.ndarray, fld: Field, reason: str, severity: str = "fel",
            personal: bool = False) -> list[RowIssue]:
    if not mask.any():
        return []
    keep = pa.array(mask)
    out = []
    for line, value in zip(lines.filter(keep).to_pylist(), raw.filter(keep).to_pylist(), strict=True):
        shown = _shown(fld, value, personal)
        out.append(RowIssue(int(line), fld.header, shown, reason.format(value=shown), severity))
    return out


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _flat(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


# Pattern parts on which RE2 and Python's re disagree: \d \w \b on non-ASCII text, \s anywhere.
_UNICODE_SENSITIVE = re.compile(r"\\[dDwWbB]")
_SPACE_CLASS = re.compile(r"\\[sS]")


def _python_fullmatch(values: list[str], pattern: str) -> np.ndarray:
    compiled = re.compile(pattern)
    return np.array([compiled.fullmatch(v) is not None for v in values], dtype=bool)


def _fullmatch(text: pa.Array, pattern: str) -> np.ndarray:
    """Python ``re.fullmatch`` semantics (what pandas' ``str.fullmatch`` gave) at RE2 speed: RE2
    decides where it agrees with Python, Python decides on the values where it may not."""
    if _SPACE_CLASS.search(pattern):
        return _python_fullmatch(text.to_pylist(), pattern)
    hits = _np(pc.match_substring_regex(text, f"^(?:{pattern})$")).astype(bool)
    if _UNICODE_SENSITIVE.search(pattern):
        other = ~_np(pc.string_is_ascii(text)).astype(bool)
        if other.any():
            hits[other] = _python_fullmatch(text.filter(pa.array(other)).to_pylist(), pattern)
    return hits


def _per_value(text: pa.Array) -> tuple[pd.Series, np.ndarray]:
    """The distinct values of ``text`` as a pandas string Series (the dtype the pandas checks
    ran on) and, per row, the position of its value there."""
    encoded = pc.dictionary_encode(text)
    return encoded.dictionary.to_pandas(), _np(encoded.indices).astype(np.int64)


def _optional_ints(values: pd.Series, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, present mask) per row from a per-value nullable integer Series."""
    ints = values.astype("Int64")
    valid = ints.notna().to_numpy(dtype=bool)
    return ints.fillna(0).to_numpy(dtype=np.int64)[at], valid[at]


def _int_array(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.int64(), mask=None if valid is None else ~valid)


def _decimal_units(text: pa.Array, scale: int, pattern: str, max_int_digits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact and vectorised: a decimal with at most ``scale`` decimals → integer units of
    10**-scale, by integer arithmetic on its digits (no float anywhere). Returns (units, well
    formed, too large: more than ``max_int_digits`` digits before the decimal sign)."""
    cleaned = pc.replace_substring(pc.replace_substring_regex(text, _SEPARATORS, ""), "\u2212", "-")
    ok = _fullmatch(cleaned, pattern)  # pattern of ASCII classes only: RE2 and Python agree
    arr = pc.if_else(pa.array(ok), cleaned, "0")
    negative = _np(pc.starts_with(arr, "-")).astype(bool)
    digits = pc.utf8_ltrim(arr, "+-0")  # "1234,5", ",5" (for 0,5) or "" (for 0)
    sep = _np(pc.find_substring_regex(digits, "[.,]")).astype(np.int64)
    length = _np(pc.utf8_length(digits)).astype(np.int64)
    int_digits = np.where(sep < 0, length, sep)
    decimals = np.where(sep < 0, 0, length - sep - 1)
    too_big = ok & (int_digits > max_int_digits)
    plain = pc.replace_substring_regex(digits, "[.,]", "")
    plain = pc.if_else(pc.or_(pa.array(too_big), pc.equal(plain, "")), "0", plain)
    units = _np(pc.cast(plain, pa.int64())).astype(np.int64) * (10 ** (scale - decimals))
    units = np.where(negative, -units, units).astype("int64")
    return units, ok & ~too_big, too_big


def _amount_ore(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kronor text → öre, exactly; (öre, ok, beyond MAX_AMOUNT_ORE)."""
    return _decimal_units(text, 2, AMOUNT_PATTERN.pattern.strip("^$"), MAX_AMOUNT_KRONOR_DIGITS)


def _number(text: pa.Array, scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A decimal with at most ``scale`` decimals → integer units of 10**-scale (87,5 → 8750 at scale 2)."""
    return _decimal_units(text, scale, rf"[-+]?[0-9]+(?:[.,][0-9]{{1,{scale}}})?", MAX_NUMBER_DIGITS)


def _may_hold(text: pa.Array, table: np.ndarray) -> bool:
    """Cheap pre-check on the raw UTF-8 bytes: does any byte of the column hit ``table``?"""
    data = text.buffers()[2]
    return data is not None and bool(table[np.frombuffer(data, dtype=np.uint8)].any())


# Bytes that start a control character in UTF-8: C0 and DEL, 0xC2 (C1 is C2 80–C2 9F), 0xE2 (U+2028/9).
_CONTROL_BYTES = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0x20), 0x7F, 0xC2, 0xE2]] = True


def _controls(text: pa.Array) -> np.ndarray:
    if not _may_hold(text, _CONTROL_BYTES):
        return np.zeros(len(text), dtype=bool)
    return _np(pc.match_substring_regex(text, CONTROL_CLASS)).astype(bool)


# Every spelling mask_personnummer masks has 6+ digits, at most three separators, 4+ digits (its
# PERSONNUMMER_LIKE): RE2 (pyarrow) finds a superset of candidate values, Python's mask decides on those few.
_PERSONNUMMER_CANDIDATE = r"\p{Nd}{6,}[^\p{Nd}]{0,3}\p{Nd}{4,}"


def _mask_personnummer(text: pa.Array, present: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Free text with anything like a personnummer masked; (text, mask of the changed values)."""
    from bokslut.textsafety import mask_personnummer

    candidate = _np(pc.match_substring_regex(text, _PERSONNUMMER_CANDIDATE)).astype(bool) & present
    changed = np.zeros(len(text), dtype=bool)
    if not candidate.any():
        return text, changed
    where = np.flatnonzero(candidate)
    originals = text.filter(pa.array(candidate)).to_pylist()
    masked = [mask_personnummer(v) for v in originals]
    differs = np.array([m != o for m, o in zip(masked, originals, strict=True)], dtype=bool)
    if not differs.any():
        return text, changed
    changed[where[differs]] = True
    replacements = pa.array([m for m, d in zip(masked, differs, strict=True) if d], type=text.type)
    return pc.replace_with_mask(text, pa.array(changed), replacements), changed


def _keyed(text: pa.Array, fld: Field, present: np.ndarray) -> tuple[pa.Array, np.ndarray, dict[str, str]]:
    """Personnummer / identifiers → keyed hash; (pseudonyms, wrong mask, reason per wrong value)."""
    from bokslut.hr.pseudonym import PersonnummerError, current_key, normalise_personnummer, pseudonymise

    key = current_key()  # raises (Swedish) when no key is configured: nothing is read without one
    mapped: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for value in pc.unique(text.filter(pa.array(present))).to_pylist():
        if fld.kind == "personnummer":
            try:
                mapped[value] = pseudonymise(fld.domain, normalise_personnummer(value), key)
            except PersonnummerError as exc:
                reasons[value] = str(exc)
        else:
            mapped[value] = pseudonymise(fld.domain, value, key)
    wrong = present & _np(pc.is_in(text, value_set=pa.array(list(reasons), type=text.type))).astype(bool)
    keys = pa.array(list(mapped), type=text.type)
    at = pc.index_in(text, value_set=keys)
    value = pc.fill_null(pc.take(pa.array(list(mapped.values()), type=pa.string()), at), "")
    return value, wrong, reasons


def _as_table(chunk: pa.Table | pd.DataFrame) -> pa.Table:
    if isinstance(chunk, pd.DataFrame):  # the earlier, pandas interface
        return pa.Table.from_pandas(chunk, preserve_index=False)
    return chunk


def check_chunk(chunk: pa.Table | pd.DataFrame, fmt: SourceFormat) -> CheckedChunk:
    table = _as_table(chunk)
    size = table.num_rows
    issues: list[RowIssue] = []
    bad = np.zeros(size, dtype=bool)
    lines = _flat(table.column("line_no")).cast(pa.int64())
    out: dict[str, pa.Array] = {"source_line": lines}
    personal = fmt.personal_data
    names = set(table.column_names)
    for fld in fmt.fields:
        if fld.header not in names:
            out[fld.column] = pa.array([fld.default or ""] * size, type=pa.string())
            continue
        raw = _flat(table.column(fld.header))
        text = pc.utf8_trim_whitespace(pc.fill_null(raw, ""))  # what pandas' str.strip() ran
        blank = _np(pc.equal(text, "")).astype(bool)
        if not fld.blank_ok:
            issues += _issues(raw, lines, blank, fld, f"{fld.header} saknas (tomt värde).", personal=personal)
            bad |= blank
        present = ~blank
        if fld.kind in ("personnummer", "pseudonym"):
            value, wrong, reasons = _keyed(text, fld, present)
            if wrong.any():
                keep = pa.array(wrong)
                for line, original, stripped in zip(lines.filter(keep).to_pylist(), raw.filter(keep).to_pylist(),
                                                    text.filter(keep).to_pylist(), strict=True):
                    issues.append(RowIssue(int(line), fld.header, _shown(fld, str(original).strip(), personal),
                                           reasons[stripped]))
            bad |= wrong
            out[fld.column] = value
        elif fld.kind == "number":
            value, ok, too_big = _number(text, fld.scale)
            wrong = present & ~ok & ~too_big
            issues += _issues(raw, lines, wrong, fld, "'{value}' är inget tal (väntat t.ex. 87,5"
                              + (f" med högst {fld.scale} decimaler)." if fld.scale else ")."), personal=personal)
            issues += _issues(raw, lines, present & too_big, fld,
                              f"'{{value}}' är för stort (högst {MAX_NUMBER_DIGITS} siffror före decimaltecknet).",
                              personal=personal)
            bad |= wrong | (present & too_big)
            out[fld.column] = _int_array(value)
        elif fld.kind == "month":
            values, at = _per_value(text)
            number = pd.to_numeric(values.where(values.str.fullmatch(r"\d{6}"), None), errors="coerce")
            month = number % 100
            wrong_value = (number.isna() | (month < 1) | (month > 12)).to_numpy(dtype=bool)
            wrong = present & wrong_value[at]
            issues += _issues(raw, lines, wrong, fld, "'{value}' är ingen månad (väntat ÅÅÅÅMM, t.ex. 202412).",
                              personal=personal)
            bad |= wrong
            out[fld.column] = _int_array(*_optional_ints(number, at))
        elif fld.kind == "amount":
            value, ok, too_big = _amount_ore(text)
            wrong = present & ~ok & ~too_big
            issues += _issues(raw, lines, wrong, fld, "'{value}' är inte ett belopp (väntat t.ex. -1 234,50).",
                              personal=personal)
            issues += _issues(raw, lines, present & too_big, fld, amount_limit_reason("{value}"), personal=personal)
            bad |= wrong | (present & too_big)
            out[fld.column] = _int_array(value)
        elif fld.kind in ("period", "year"):
            digits = 6 if fld.kind == "period" else 4
            values, at = _per_value(text)
            number = pd.to_numeric(values.where(values.str.fullmatch(rf"\d{{{digits}}}"), None), errors="coerce")
            ints, valid = _optional_ints(number, at)
            wrong = present & ~valid
            if fld.kind == "period":
                out_of_range = present & valid & (ints % 100 > 14)
                issues += _issues(raw, lines, out_of_range, fld,
                                  "Ogiltig period {value}: periodnumret ska vara 00–14 (00 IB, 13 bokslut, 14 efter bokslut).")
                wrong_text = "'{value}' är ingen period (väntat ÅÅÅÅPP, t.ex. 202401)."
                bad |= out_of_range
            else:
                wrong_text = "'{value}' är inget år (väntat ÅÅÅÅ)."
            issues += _issues(raw, lines, wrong, fld, wrong_text)
            bad |= wrong
            out[fld.column] = _int_array(ints, valid)
        elif fld.kind == "date":
            values, at = _per_value(text)
            iso = values.where(~values.str.fullmatch(r"\d{8}"),
                               values.str.slice(0, 4) + "-" + values.str.slice(4, 6) + "-" + values.str.slice(6, 8))
            parsed = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
            wrong = present & parsed.isna().to_numpy(dtype=bool)[at]
            issues += _issues(raw, lines, wrong, fld, "'{value}' är inget datum (väntat ÅÅÅÅ-MM-DD).", personal=personal)
            bad |= wrong
            # ISO text: what both SQLite and PostgreSQL COPY take for DATE; an allowed blank is NULL
            iso_rows = pc.take(pa.array(iso.to_numpy(dtype=object), type=pa.string()), pa.array(at))
            out[fld.column] = pc.if_else(pa.array(present), iso_rows, None) if fld.blank_ok else iso_rows
            if fld.day_column:
                days = (parsed - pd.Timestamp("1970-01-01")).dt.days
                out[fld.day_column] = _int_array(*_optional_ints(days, at))
        else:
            # a control character (NUL, TAB, a line break of a quoted value, ...) is an error on
            # every database alike: PostgreSQL cannot store NUL, SQLite would
            control = present & _controls(text)
            issues += _issues(raw, lines, control, fld, CONTROL_REASON, personal=personal)
            bad |= control
            present = present & ~control
            if fld.choices:
                if all(c.isupper() for c in fld.choices):
                    text = pc.utf8_upper(text)
                elif all(c.islower() for c in fld.choices):
                    text = pc.utf8_lower(text)
                allowed = _np(pc.is_in(text, value_set=pa.array(fld.choices, type=text.type))).astype(bool)
                wrong = present & ~allowed
                issues += _issues(raw, lines, wrong, fld,
                                  "'{value}' är inte ett tillåtet värde för " + fld.header + f" ({', '.join(fld.choices)}).",
                                  personal=personal)
                bad |= wrong
            if fld.pattern:
                wrong = present & ~_fullmatch(text, fld.pattern)
                issues += _issues(raw, lines, wrong, fld, "'{value}' har fel format för " + fld.header
                                  + (f" ({fld.pattern_hint})." if fld.pattern_hint else "."), personal=personal)
                bad |= wrong
            too_long = present & (_np(pc.utf8_length(text)).astype(np.int64) > fld.max_length)
            issues += _issues(raw, lines, too_long, fld, f"{fld.header} är längre än {fld.max_length} tecken.",
                              personal=personal)
            bad |= too_long
            if fld.kind == "text":
                starts = np.zeros(size, dtype=bool)
                for prefix in FORMULA_PREFIXES:
                    starts |= _np(pc.starts_with(text, prefix)).astype(bool)
                formula = present & starts
                if formula.any():  # Python's \s and \d decide, on the few candidates only
                    where = np.flatnonzero(formula)
                    plain = _python_fullmatch(text.filter(pa.array(formula)).to_pylist(), r"[-+]?[\d\s,.]+")
                    formula[where[plain]] = False
                issues += _issues(raw, lines, formula, fld,
                                  "Texten ser ut som en kalkylbladsformel; den lagras som ren text och skrivs aldrig ut som formel.",
                                  "varning", personal=personal)
                if not personal:
                    # free text of the ledger: a personnummer is masked before it is stored, so no
                    # report, export or quarantine row can show it (docs/personal-data.md)
                    text, masked = _mask_personnummer(text, present & ~too_long)
                    issues += _issues(raw, lines, masked, fld, PERSONNUMMER_REASON, "varning")
            out[fld.column] = text
    rows = pa.table(out)
    if bad.any():
        rows = rows.filter(pa.array(~bad))
    return CheckedChunk(rows=rows, issues=issues)
