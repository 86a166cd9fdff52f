"""Streaming readers: CSV (UTF-8, UTF-8 BOM or Windows-1252) and XLSX, in chunks of canonical text.

Every chunk is a DataFrame of strings with one column per canonical header plus ``line_no``
(the line in the file, header = 1), so memory stays flat whatever the file size. Rows whose
shape is wrong (too few or too many fields: a truncated file, a wrong quote) come back as
``RowIssue`` records instead of disappearing.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from bokslut.ingest.errors import InputFileError
from bokslut.ingest.formats import SourceFormat
from bokslut.ingest.mapping import HeaderMapping

BLOCK = 1 << 20
# Bytes Windows-1252 leaves undefined: a file containing them is neither UTF-8 nor cp1252.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    encoding: str  # utf-8 | utf-8-sig | cp1252 | xlsx
    size: int


@dataclass(frozen=True)
class RowIssue:
    line_no: int | None
    column: str | None
    value: str
    reason: str
    severity: str = "fel"


@dataclass
class Chunk:
    frame: pd.DataFrame  # canonical headers (str) + line_no (int)
    issues: list[RowIssue] = field(default_factory=list)


def inspect_file(path: Path) -> FileFacts:
    """One pass over the bytes: SHA-256 of the original and its encoding."""
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, cp1252_ok, first = True, True, b""
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            if not first:
                first = block[:4]
            digest.update(block)
            size += len(block)
            if utf8_ok:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok and not CP1252_UNDEFINED.isdisjoint(block):
                cp1252_ok = False
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not first.startswith(b"PK"):
            raise InputFileError(f"{path.name} har ändelsen .xlsx men är ingen Excel-fil.")
        return FileFacts(digest.hexdigest(), "xlsx", size)
    if size == 0:
        raise InputFileError(f"{path.name} är tom.")
    if b"\x00" in first:
        raise InputFileError(
            f"{path.name} har okänd teckenkodning (UTF-16 eller binärfil?). "
            "Spara filen som UTF-8 eller Windows-1252 (ANSI)."
        )
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{path.name} slutar mitt i ett tecken: filen verkar avklippt. Hämta exporten på nytt."
            ) from exc
        return FileFacts(digest.hexdigest(), "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8", size)
    if cp1252_ok:
        return FileFacts(digest.hexdigest(), "cp1252", size)
    raise InputFileError(
        f"{path.name} har okänd teckenkodning: varken UTF-8 eller Windows-1252. "
        "Spara filen som UTF-8 och läs in den igen."
    )


def _csv_header(path: Path, encoding: str) -> list[str]:
    with path.open(encoding=encoding, newline="") as fh:
        line = fh.readline().rstrip("\r\n")
    if ";" not in line:
        for sep, name in ((",", "kommatecken"), ("\t", "tabb"), ("|", "lodstreck")):
            if sep in line:
                raise InputFileError(
                    f"{path.name}: fel kolumnavgränsare ({name}). Filen ska vara semikolonseparerad (;)."
                )
        raise InputFileError(f"{path.name}: rubrikraden saknar semikolon – är det rätt fil?")
    return [h.strip().strip('"') for h in line.split(";")]


def iter_chunks(
    path: Path, facts: FileFacts, fmt: SourceFormat, mapping: HeaderMapping, chunk_rows: int
) -> Iterator[Chunk]:
    if facts.encoding == "xlsx":
        yield from _iter_xlsx(path, fmt, mapping, chunk_rows)
    else:
        yield from _iter_csv(path, facts.encoding, fmt, mapping, chunk_rows)


def _iter_csv(
    path: Path, encoding: str, fmt: SourceFormat, mapping: HeaderMapping, chunk_rows: int
) -> Iterator[Chunk]:
    headers = _csv_header(path, encoding)
    positions = mapping.resolve(headers, fmt)
    names = [f"c{i}" for i in range(len(headers))]
    bad_lines: dict[int, RowIssue] = {}

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        if not row.text.strip():
            issue = RowIssue(row.number, None, "", "Tom rad hoppades över.", "varning")
        else:
            issue = RowIssue(
                row.number,
                None,
                # a row of a personal-data extract may hold a personnummer: never keep its text
                "(rad dold: personuppgifter)" if fmt.personal_data else row.text[:200],
                f"Raden har {row.actual_columns} fält men rubrikraden har {row.expected_columns}"
                + (" (filen kan vara avklippt eller ha fel citattecken)." if row.actual_columns < row.expected_columns else "."),
            )
        bad_lines[row.number if row.number is not None else -len(bad_lines) - 1] = issue
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if encoding.startswith("utf-8") else encoding,
            skip_rows=1,
            column_names=names,
            block_size=8 * BLOCK,
            use_threads=False,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=";", newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=on_invalid_row
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    next_line, reported = 2, set()
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def flush() -> Chunk:
        nonlocal next_line, pending, pending_rows
        table = pa.Table.from_batches(pending)
        frame = pd.DataFrame(
            {header: table.column(f"c{pos}").to_pandas() for header, pos in positions.items()}
        )
        lines = []
        while len(lines) < table.num_rows:
            if next_line not in bad_lines:
                lines.append(next_line)
            next_line += 1
        frame["line_no"] = lines
        issues = [bad_lines[n] for n in sorted(bad_lines) if n not in reported and (n < next_line or n < 0)]
        reported.update(n for n in bad_lines if n < next_line or n < 0)
        pending, pending_rows = [], 0
        return Chunk(frame, issues)

    for batch in reader:
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows >= chunk_rows:
            yield flush()
    if pending:
        yield flush()
    rest = [bad_lines[n] for n in sorted(bad_lines) if n not in reported]
    if rest:
        yield Chunk(pd.DataFrame({**{h: pd.Series([], dtype=str) for h in positions}, "line_no": []}), rest)


def _excel_text(value: object, width: int | None) -> str:
    """Excel cell → the text a CSV export would have carried."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "J" if value else "N"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int):
        return str(value).zfill(width) if width else str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)).zfill(width) if width else str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _iter_xlsx(path: Path, fmt: SourceFormat, mapping: HeaderMapping, chunk_rows: int) -> Iterator[Chunk]:
    from openpyxl import load_workbook  # only XLSX loads pay the import

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise InputFileError(f"{path.name}: första bladet är tomt.")
        headers = ["" if h is None else str(h) for h in header_row]
        positions = mapping.resolve(headers, fmt)
        widths = {f.header: f.width for f in fmt.fields}
        buffer: dict[str, list[str]] = {h: [] for h in positions}
        lines: list[int] = []
        for line_no, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            for header, pos in positions.items():
                buffer[header].append(_excel_text(row[pos] if pos < len(row) else None, widths[header]))
            lines.append(line_no)
            if len(lines) >= chunk_rows:
                yield Chunk(pd.DataFrame({**buffer, "line_no": lines}))
                buffer, lines = {h: [] for h in positions}, []
        if lines:
            yield Chunk(pd.DataFrame({**buffer, "line_no": lines}))
    finally:
        workbook.close()
