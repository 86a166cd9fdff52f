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


def _issues(frame: pd.DataFrame, mask: pd.Series, fld: Field, reason: str, severity: str = "fel") -> list[RowIssue]:
    hits = frame.loc[mask, ["line_no", fld.header]]
    return [
        RowIssue(int(line), fld.header, str(value)[:200], reason.format(value=value), severity)
        for line, value in hits.itertuples(index=False, name=None)
    ]


def _amount_ore(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised: validate the spelling, then kronor → öre through float64, which is exact for
    any amount with at most two decimals below 10^13 kronor (rounding error far under ½ öre)."""
    cleaned = text.str.replace(_SEPARATORS, "", regex=True).str.replace("\u2212", "-", regex=False)
    ok = cleaned.str.fullmatch(AMOUNT_PATTERN.pattern.strip("^$")).fillna(False).astype(bool)
    kronor = pd.to_numeric(cleaned.where(ok, "0").str.replace(",", ".", regex=False), errors="coerce").fillna(0)
    return pd.Series(np.rint(kronor.to_numpy(dtype="float64") * 100).astype("int64"), index=text.index), ok


def check_chunk(frame: pd.DataFrame, fmt: SourceFormat) -> CheckedChunk:
    issues: list[RowIssue] = []
    bad = pd.Series(False, index=frame.index)
    out: dict[str, pd.Series] = {"source_line": frame["line_no"].astype("int64")}
    for fld in fmt.fields:
        if fld.header not in frame:
            out[fld.column] = pd.Series("", index=frame.index, dtype="str")
            continue
        text = frame[fld.header].fillna("").astype("str").str.strip()
        blank = text == ""
        if not fld.blank_ok:
            issues += _issues(frame, blank, fld, f"{fld.header} saknas (tomt värde).")
            bad |= blank
        present = ~blank
        if fld.kind == "amount":
            value, ok = _amount_ore(text)
            wrong = present & ~ok
            issues += _issues(frame, wrong, fld, "'{value}' är inte ett belopp (väntat t.ex. -1 234,50).")
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
            wrong = present & pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").isna()
            issues += _issues(frame, wrong, fld, "'{value}' är inget datum (väntat ÅÅÅÅ-MM-DD).")
            bad |= wrong
            out[fld.column] = iso  # ISO text: what both SQLite and PostgreSQL COPY take for DATE
        else:
            if fld.choices:
                text = text.str.upper() if all(c.isupper() for c in fld.choices) else text
                wrong = present & ~text.isin(fld.choices)
                issues += _issues(frame, wrong, fld,
                                  "'{value}' är inte ett tillåtet värde för " + fld.header + f" ({', '.join(fld.choices)}).")
                bad |= wrong
            if fld.pattern:
                wrong = present & ~text.str.fullmatch(fld.pattern)
                issues += _issues(frame, wrong, fld, "'{value}' har fel format för " + fld.header
                                  + (f" ({fld.pattern_hint})." if fld.pattern_hint else "."))
                bad |= wrong
            too_long = text.str.len() > fld.max_length
            issues += _issues(frame, too_long, fld, f"{fld.header} är längre än {fld.max_length} tecken.")
            bad |= too_long
            if fld.kind == "text":
                formula = text.str.startswith(FORMULA_PREFIXES) & ~text.str.fullmatch(r"[-+]?[\d\s,.]+")
                issues += _issues(frame, formula, fld,
                                  "Texten ser ut som en kalkylbladsformel; den lagras som ren text och skrivs aldrig ut som formel.",
                                  "varning")
            out[fld.column] = text
    rows = pd.DataFrame(out).loc[~bad]
    return CheckedChunk(rows=rows, issues=issues)
