"""Row checks on a chunk of canonical text, vectorised: typed rows out, reasons in Swedish for the rest.

A row with an error (``fel``) is quarantined and never loaded; a warning (``varning``) keeps
the row and is recorded beside it (e.g. text that a spreadsheet would run as a formula).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bokslut.ingest.formats import Field, SourceFormat
from bokslut.ingest.read import RowIssue
from bokslut.money import AMOUNT_PATTERN, THOUSANDS_SEPARATORS
from bokslut.textsafety import FORMULA_PREFIXES

_SEPARATORS = "[" + re.escape(THOUSANDS_SEPARATORS) + "]"


@dataclass
class CheckedChunk:
    rows: pd.DataFrame  # warehouse columns, typed; only rows without errors
    issues: list[RowIssue]


MASKED = {"personnummer": "(personnummer dolt)"}
MASKED_DEFAULT = "(uppgift dold)"


def _shown(fld: Field, value: object, personal: bool) -> str:
    """The value as quarantine may show it: personal data never leaves the file (docs/personal-data.md)."""
    if fld.sensitive:
        return MASKED.get(fld.kind, MASKED_DEFAULT)
    text = str(value)[:200]
    if personal:
        from bokslut.hr.pseudonym import mask_personnummer

        text = mask_personnummer(text)
    return text


def _issues(frame: pd.DataFrame, mask: pd.Series, fld: Field, reason: str, severity: str = "fel",
            personal: bool = False) -> list[RowIssue]:
    hits = frame.loc[mask, ["line_no", fld.header]]
    out = []
    for line, value in hits.itertuples(index=False, name=None):
        shown = _shown(fld, value, personal)
        out.append(RowIssue(int(line), fld.header, shown, reason.format(value=shown), severity))
    return out


def _amount_ore(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised: validate the spelling, then kronor → öre through float64, which is exact for
    any amount with at most two decimals below 10^13 kronor (rounding error far under ½ öre)."""
    cleaned = text.str.replace(_SEPARATORS, "", regex=True).str.replace("\u2212", "-", regex=False)
    ok = cleaned.str.fullmatch(AMOUNT_PATTERN.pattern.strip("^$")).fillna(False).astype(bool)
    kronor = pd.to_numeric(cleaned.where(ok, "0").str.replace(",", ".", regex=False), errors="coerce").fillna(0)
    return pd.Series(np.rint(kronor.to_numpy(dtype="float64") * 100).astype("int64"), index=text.index), ok


def _number(text: pd.Series, scale: int) -> tuple[pd.Series, pd.Series]:
    """A decimal with at most ``scale`` decimals → integer units of 10**-scale (87,5 → 8750 at scale 2)."""
    cleaned = text.str.replace(_SEPARATORS, "", regex=True).str.replace("\u2212", "-", regex=False)
    ok = cleaned.str.fullmatch(rf"[-+]?\d+(?:[.,]\d{{1,{scale}}})?").fillna(False).astype(bool)
    value = pd.to_numeric(cleaned.where(ok, "0").str.replace(",", ".", regex=False), errors="coerce").fillna(0)
    return pd.Series(np.rint(value.to_numpy(dtype="float64") * 10**scale).astype("int64"), index=text.index), ok


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
            value, ok = _number(text, fld.scale)
            wrong = present & ~ok
            issues += _issues(frame, wrong, fld, "'{value}' är inget tal (väntat t.ex. 87,5"
                              + (f" med högst {fld.scale} decimaler)." if fld.scale else ")."), personal=personal)
            bad |= wrong
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
            value, ok = _amount_ore(text)
            wrong = present & ~ok
            issues += _issues(frame, wrong, fld, "'{value}' är inte ett belopp (väntat t.ex. -1 234,50).",
                              personal=personal)
            bad |= wrong
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
            too_long = text.str.len() > fld.max_length
            issues += _issues(frame, too_long, fld, f"{fld.header} är längre än {fld.max_length} tecken.",
                              personal=personal)
            bad |= too_long
            if fld.kind == "text":
                formula = text.str.startswith(FORMULA_PREFIXES) & ~text.str.fullmatch(r"[-+]?[\d\s,.]+")
                issues += _issues(frame, formula, fld,
                                  "Texten ser ut som en kalkylbladsformel; den lagras som ren text och skrivs aldrig ut som formel.",
                                  "varning", personal=personal)
            out[fld.column] = text
    rows = pd.DataFrame(out).loc[~bad]
    return CheckedChunk(rows=rows, issues=issues)
