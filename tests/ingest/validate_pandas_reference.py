"""Row checks on a chunk of canonical text, vectorised: typed rows out, reasons in Swedish for the rest.

A row with an error (``fel``) is quarantined and never loaded; a warning (``varning``) keeps
the row and is recorded beside it (e.g. text that a spreadsheet would run as a formula).
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
    rows: pd.DataFrame  # warehouse columns, typed; only rows without errors
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


def _issues(frame: pd.DataFrame, mask: pd.Series, fld: Field, reason: str, severity: str = "fel",
            personal: bool = False) -> list[RowIssue]:
    hits = frame.loc[mask, ["line_no", fld.header]]
    out = []
    for line, value in hits.itertuples(index=False, name=None):
        shown = _shown(fld, value, personal)
        out.append(RowIssue(int(line), fld.header, shown, reason.format(value=shown), severity))
    return out


def _arrow(text: pd.Series) -> pa.Array:
    arr = pa.array(text, type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _decimal_units(text: pd.Series, scale: int, pattern: str, max_int_digits: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Exact and vectorised: a decimal with at most ``scale`` decimals → integer units of
    10**-scale, by integer arithmetic on its digits (no float anywhere). Returns (units, well
    formed, too large: more than ``max_int_digits`` digits before the decimal sign)."""
    cleaned = text.str.replace(_SEPARATORS, "", regex=True).str.replace("\u2212", "-", regex=False)
    ok = cleaned.str.fullmatch(pattern).fillna(False).astype(bool)
    arr = _arrow(cleaned.where(ok, "0"))
    negative = pc.starts_with(arr, "-").to_numpy(zero_copy_only=False)
    digits = pc.utf8_ltrim(arr, "+-0")  # "1234,5", ",5" (for 0,5) or "" (for 0)
    sep = pc.find_substring_regex(digits, "[.,]").to_numpy(zero_copy_only=False).astype(np.int64)
    length = pc.utf8_length(digits).to_numpy(zero_copy_only=False).astype(np.int64)
    int_digits = np.where(sep < 0, length, sep)
    decimals = np.where(sep < 0, 0, length - sep - 1)
    too_big = ok.to_numpy() & (int_digits > max_int_digits)
    plain = pc.replace_substring_regex(digits, "[.,]", "")
    plain = pc.if_else(pc.or_(pa.array(too_big), pc.equal(plain, "")), "0", plain)
    units = pc.cast(plain, pa.int64()).to_numpy(zero_copy_only=False) * (10 ** (scale - decimals))
    units = np.where(negative, -units, units).astype("int64")
    return (pd.Series(units, index=text.index), ok & ~too_big,
            pd.Series(too_big, index=text.index))


def _amount_ore(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Kronor text → öre, exactly; (öre, ok, beyond MAX_AMOUNT_ORE)."""
    return _decimal_units(text, 2, AMOUNT_PATTERN.pattern.strip("^$"), MAX_AMOUNT_KRONOR_DIGITS)


def _number(text: pd.Series, scale: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """A decimal with at most ``scale`` decimals → integer units of 10**-scale (87,5 → 8750 at scale 2)."""
    return _decimal_units(text, scale, rf"[-+]?[0-9]+(?:[.,][0-9]{{1,{scale}}})?", MAX_NUMBER_DIGITS)


def _may_hold(text: pd.Series, table: np.ndarray) -> bool:
    """Cheap pre-check on the raw UTF-8 bytes: does any byte of the column hit ``table``?"""
    arr = _arrow(text)
    data = arr.buffers()[2]
    return data is not None and bool(table[np.frombuffer(data, dtype=np.uint8)].any())


# Bytes that start a control character in UTF-8: C0 and DEL, 0xC2 (C1 is C2 80–C2 9F), 0xE2 (U+2028/9).
_CONTROL_BYTES = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0x20), 0x7F, 0xC2, 0xE2]] = True


def _controls(text: pd.Series) -> pd.Series:
    if not _may_hold(text, _CONTROL_BYTES):
        return pd.Series(False, index=text.index)
    hits = pc.match_substring_regex(_arrow(text), CONTROL_CLASS).to_numpy(zero_copy_only=False)
    return pd.Series(hits, index=text.index)


# Every spelling mask_personnummer masks has 6+ digits, at most three separators, 4+ digits (its
# PERSONNUMMER_LIKE): RE2 (pyarrow) finds a superset of candidate values, Python's mask decides on those few.
_PERSONNUMMER_CANDIDATE = r"\p{Nd}{6,}[^\p{Nd}]{0,3}\p{Nd}{4,}"


def _mask_personnummer(text: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text with anything like a personnummer masked; (text, mask of the changed values)."""
    from bokslut.textsafety import mask_personnummer

    candidate = pc.match_substring_regex(_arrow(text), _PERSONNUMMER_CANDIDATE).to_numpy(zero_copy_only=False)
    candidate &= present.to_numpy()
    changed = pd.Series(False, index=text.index)
    if not candidate.any():
        return text, changed
    originals = text[candidate]
    masked = originals.map(mask_personnummer)
    differs = masked != originals
    changed.loc[differs[differs].index] = True
    text = text.copy()
    text.loc[changed] = masked[differs]
    return text, changed


def _keyed(text: pd.Series, fld: Field, present: pd.Series) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    """Personnummer / identifiers → keyed hash; (pseudonyms, wrong mask, reason per wrong value)."""
    from bokslut.hr.pseudonym import PersonnummerError, current_key, normalise_personnummer, pseudonymise

    key = current_key()  # raises (Swedish) when no key is configured: nothing is read without one
    mapped: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for value in text[present].unique():
        if fld.kind == "personnummer":
            try:
                mapped[value] = pseudonymise(fld.domain, normalise_personnummer(value), key)
            except PersonnummerError as exc:
                reasons[value] = str(exc)
        else:
            mapped[value] = pseudonymise(fld.domain, value, key)
    wrong = present & text.isin(list(reasons))
    return pd.Series([mapped.get(v, "") for v in text], index=text.index, dtype="str"), wrong, reasons


def check_chunk(frame: pd.DataFrame, fmt: SourceFormat) -> CheckedChunk:
    issues: list[RowIssue] = []
    bad = pd.Series(False, index=frame.index)
    out: dict[str, pd.Series] = {"source_line": frame["line_no"].astype("int64")}
    personal = fmt.personal_data
    for fld in fmt.fields:
        if fld.header not in frame:
            out[fld.column] = pd.Series(fld.default or "", index=frame.index, dtype="str")
            continue
        text = frame[fld.header].fillna("").astype("str").str.strip()
        blank = text == ""
        if not fld.blank_ok:
            issues += _issues(frame, blank, fld, f"{fld.header} saknas (tomt värde).", personal=personal)
            bad |= blank
        present = ~blank
        if fld.kind in ("personnummer", "pseudonym"):
            value, wrong, reasons = _keyed(text, fld, present)
            for line, original in frame.loc[wrong, ["line_no", fld.header]].itertuples(index=False, name=None):
                original = str(original).strip()
                issues.append(RowIssue(int(line), fld.header, _shown(fld, original, personal), reasons[original]))
            bad |= wrong
            out[fld.column] = value
        elif fld.kind == "number":
            value, ok, too_big = _number(text, fld.scale)
            wrong = present & ~ok & ~too_big
            issues += _issues(frame, wrong, fld, "'{value}' är inget tal (väntat t.ex. 87,5"
                              + (f" med högst {fld.scale} decimaler)." if fld.scale else ")."), personal=personal)
            issues += _issues(frame, present & too_big, fld,
                              f"'{{value}}' är för stort (högst {MAX_NUMBER_DIGITS} siffror före decimaltecknet).",
                              personal=personal)
            bad |= wrong | (present & too_big)
            out[fld.column] = value
        elif fld.kind == "month":
            number = pd.to_numeric(text.where(text.str.fullmatch(r"\d{6}"), None), errors="coerce")
            month = number % 100
            wrong = present & (number.isna() | (month < 1) | (month > 12))
            issues += _issues(frame, wrong, fld, "'{value}' är ingen månad (väntat ÅÅÅÅMM, t.ex. 202412).",
                              personal=personal)
            bad |= wrong
            out[fld.column] = number.astype("Int64")
        elif fld.kind == "amount":
            value, ok, too_big = _amount_ore(text)
            wrong = present & ~ok & ~too_big
            issues += _issues(frame, wrong, fld, "'{value}' är inte ett belopp (väntat t.ex. -1 234,50).",
                              personal=personal)
            issues += _issues(frame, present & too_big, fld, amount_limit_reason("{value}"), personal=personal)
            bad |= wrong | (present & too_big)
            out[fld.column] = value
        elif fld.kind in ("period", "year"):
            digits = 6 if fld.kind == "period" else 4
            number = pd.to_numeric(text.where(text.str.fullmatch(rf"\d{{{digits}}}"), None), errors="coerce")
            wrong = present & number.isna()
            if fld.kind == "period":
                pp = number % 100
                out_of_range = present & number.notna() & (pp > 14)
                issues += _issues(frame, out_of_range, fld,
                                  "Ogiltig period {value}: periodnumret ska vara 00–14 (00 IB, 13 bokslut, 14 efter bokslut).")
                wrong_text = "'{value}' är ingen period (väntat ÅÅÅÅPP, t.ex. 202401)."
                bad |= out_of_range
            else:
                wrong_text = "'{value}' är inget år (väntat ÅÅÅÅ)."
            issues += _issues(frame, wrong, fld, wrong_text)
            bad |= wrong
            out[fld.column] = number.astype("Int64")
        elif fld.kind == "date":
            iso = text.where(~text.str.fullmatch(r"\d{8}"), text.str.slice(0, 4) + "-" + text.str.slice(4, 6) + "-" + text.str.slice(6, 8))
            parsed = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
            wrong = present & parsed.isna()
            issues += _issues(frame, wrong, fld, "'{value}' är inget datum (väntat ÅÅÅÅ-MM-DD).", personal=personal)
            bad |= wrong
            # ISO text: what both SQLite and PostgreSQL COPY take for DATE; an allowed blank is NULL
            out[fld.column] = iso.where(present, None) if fld.blank_ok else iso
            if fld.day_column:
                days = (parsed - pd.Timestamp("1970-01-01")).dt.days
                out[fld.day_column] = days.astype("Int64")
        else:
            # a control character (NUL, TAB, a line break of a quoted value, ...) is an error on
            # every database alike: PostgreSQL cannot store NUL, SQLite would
            control = present & _controls(text)
            issues += _issues(frame, control, fld, CONTROL_REASON, personal=personal)
            bad |= control
            present = present & ~control
            if fld.choices:
                if all(c.isupper() for c in fld.choices):
                    text = text.str.upper()
                elif all(c.islower() for c in fld.choices):
                    text = text.str.lower()
                wrong = present & ~text.isin(fld.choices)
                issues += _issues(frame, wrong, fld,
                                  "'{value}' är inte ett tillåtet värde för " + fld.header + f" ({', '.join(fld.choices)}).",
                                  personal=personal)
                bad |= wrong
            if fld.pattern:
                wrong = present & ~text.str.fullmatch(fld.pattern)
                issues += _issues(frame, wrong, fld, "'{value}' har fel format för " + fld.header
                                  + (f" ({fld.pattern_hint})." if fld.pattern_hint else "."), personal=personal)
                bad |= wrong
            too_long = present & (text.str.len() > fld.max_length)
            issues += _issues(frame, too_long, fld, f"{fld.header} är längre än {fld.max_length} tecken.",
                              personal=personal)
            bad |= too_long
            if fld.kind == "text":
                formula = present & text.str.startswith(FORMULA_PREFIXES) & ~text.str.fullmatch(r"[-+]?[\d\s,.]+")
                issues += _issues(frame, formula, fld,
                                  "Texten ser ut som en kalkylbladsformel; den lagras som ren text och skrivs aldrig ut som formel.",
                                  "varning", personal=personal)
                if not personal:
                    # free text of the ledger: a personnummer is masked before it is stored, so no
                    # report, export or quarantine row can show it (docs/personal-data.md)
                    text, masked = _mask_personnummer(text, present & ~too_long)
                    issues += _issues(frame, masked, fld, PERSONNUMMER_REASON, "varning")
            out[fld.column] = text
    rows = pd.DataFrame(out).loc[~bad]
    return CheckedChunk(rows=rows, issues=issues)
