"""Streaming readers: CSV (UTF-8, UTF-8 BOM or Windows-1252) and XLSX, in chunks of canonical text.

Every chunk is an Arrow table of strings with one column per canonical header plus ``line_no``
(int64, the line in the file, header = 1), so memory stays flat whatever the file size and the
checks run on Arrow buffers without a pandas copy. Rows whose
shape is wrong (too few or too many fields: a truncated file, a wrong quote) come back as
``RowIssue`` records instead of disappearing.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bokslut.ingest import limits
from bokslut.ingest.errors import InputFileError
from bokslut.ingest.formats import SourceFormat
from bokslut.ingest.mapping import HeaderMapping
from bokslut.textsafety import escape_controls

BLOCK = 1 << 20
# Bytes Windows-1252 leaves undefined: a file containing them is neither UTF-8 nor cp1252.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_CP1252_UNDEFINED_TABLE = np.zeros(256, dtype=bool)
_CP1252_UNDEFINED_TABLE[list(CP1252_UNDEFINED)] = True
# One well-formed multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# pyarrow's block: a record (one row, with any quoted line breaks) larger than this cannot be read.
CSV_BLOCK = 8 * BLOCK


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
    table: pa.Table  # canonical headers (string) + line_no (int64)
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def frame(self) -> pd.DataFrame:
        """The chunk as the DataFrame earlier readers gave (for the few callers that want pandas)."""
        return _frame(self.table)


def _frame(table: pa.Table) -> pd.DataFrame:
    return pd.DataFrame({name: table.column(name).to_pandas() for name in table.column_names})


def _text_table(columns: dict[str, object], lines: object) -> pa.Table:
    """Canonical text columns plus ``line_no``: the one shape every reader yields."""
    arrays = {h: c if isinstance(c, pa.Array | pa.ChunkedArray) else pa.array(c, type=pa.string())
              for h, c in columns.items()}
    return pa.table({**arrays, "line_no": pa.array(lines, type=pa.int64())})


class _TextScan:
    """The per-block checks of a CSV file, done in the same pass as the SHA-256 with C-level
    operations only (the UTF-8 decoder, numpy, bytes.count, re on bytes): line lengths, bare
    carriage returns, and the facts that decide the encoding (docs/input-formats.md)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines = 0  # line feeds before the current block
        self.line_length = 0  # bytes of the current line before the current block
        self.cr_pending = False  # the previous block ended with CR
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.utf8_ok = True
        self.utf8_error: tuple[int, int] | None = None  # (line, byte) of the first byte that breaks UTF-8
        self.multibyte = False  # a well-formed multi-byte UTF-8 sequence occurs in the file
        self.tail = b""  # last bytes of the previous block, for sequences split across blocks
        self.cp1252_undefined: tuple[int, int] | None = None

    def line_of(self, block: bytes, pos: int) -> int:
        return self.lines + block.count(b"\n", 0, max(pos, 0)) + 1

    def feed(self, block: bytes) -> None:
        data = np.frombuffer(block, dtype=np.uint8)
        newlines = self._lines(block, data)
        if not block.isascii() or (self.utf8_ok and self.utf8.getstate()[0]):
            self._encoding(block, data)
        else:
            self.tail = b""
        self.lines += newlines

    def _lines(self, block: bytes, data: np.ndarray) -> int:
        """Line feeds in the block; raises on a line over the limit or a bare CR."""
        newlines = np.flatnonzero(data == 10)
        if self.cr_pending and data[0] != 10:
            self._bare_cr(self.lines)  # the CR ended the previous block's last line
        carriage = np.flatnonzero(data == 13)
        if len(carriage):
            following = carriage + 1
            inside = following < len(block)
            bare = carriage[inside][data[following[inside]] != 10]
            if len(bare):
                self._bare_cr(self.line_of(block, int(bare[0])))
            self.cr_pending = not inside[-1]
        else:
            self.cr_pending = False
        limit = limits.MAX_LINE_BYTES
        if len(newlines) == 0:
            self.line_length += len(block)
            if self.line_length > limit:
                self._too_long(self.lines + 1)
            return 0
        lengths = np.diff(newlines, prepend=-1) - 1  # bytes before each line feed, on this block
        lengths[0] += self.line_length
        over = np.flatnonzero(lengths > limit)
        if len(over):
            self._too_long(self.lines + int(over[0]) + 1)
        self.line_length = len(block) - int(newlines[-1]) - 1
        if self.line_length > limit:
            self._too_long(self.lines + len(newlines) + 1)
        return len(newlines)

    def _too_long(self, line: int) -> None:
        raise InputFileError(
            f"{self.name}: rad {line} är längre än {limits.MAX_LINE_BYTES // 1024} KiB "
            f"({limits.MAX_LINE_BYTES} byte). Är det rätt fil (radslut, citattecken)?"
        )

    def _bare_cr(self, line: int) -> None:
        raise InputFileError(
            f"{self.name}: rad {line} innehåller en ensam vagnretur (CR utan radslut). "
            "Spara filen med vanliga radslut (CRLF eller LF) och läs in den igen."
        )

    def _encoding(self, block: bytes, data: np.ndarray) -> None:
        if self.utf8_ok:
            pending = len(self.utf8.getstate()[0])
            try:
                self.utf8.decode(block)
            except UnicodeDecodeError as exc:
                self.utf8_ok = False
                pos = exc.start - pending  # may be < 0: the sequence began in the previous block
                self.utf8_error = (self.line_of(block, pos), block[max(pos, 0)])
                if not block[: max(pos, 0)].isascii():
                    self.multibyte = True  # valid up to the error: those non-ASCII bytes were UTF-8
                elif _UTF8_MULTIBYTE.search(block, max(pos, 0) + 1):
                    self.multibyte = True
            else:
                self.multibyte = True  # a non-ASCII block that decodes: multi-byte UTF-8 in it
        elif not self.multibyte and _UTF8_MULTIBYTE.search(self.tail + block):
            self.multibyte = True
        self.tail = block[-3:]
        if self.cp1252_undefined is None:
            hits = np.flatnonzero(_CP1252_UNDEFINED_TABLE[data])
            if len(hits):
                self.cp1252_undefined = (self.line_of(block, int(hits[0])), block[int(hits[0])])

    def encoding(self, first: bytes) -> str:
        if self.utf8_ok:
            try:
                self.utf8.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self.name} slutar mitt i ett tecken: filen verkar avklippt. Hämta exporten på nytt."
                ) from exc
            return "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
        assert self.utf8_error is not None
        if self.multibyte:
            line, byte = self.utf8_error
            raise InputFileError(
                f"{self.name}: blandad teckenkodning – filen innehåller UTF-8-tecken, men rad {line} har ett tecken "
                f"(byte 0x{byte:02X}) som inte är UTF-8, så filen är varken UTF-8 eller Windows-1252 rakt igenom. "
                "Spara filen som UTF-8 och läs in den igen."
            )
        if self.cp1252_undefined is not None:
            line, byte = self.cp1252_undefined
            raise InputFileError(
                f"{self.name} har okänd teckenkodning: varken UTF-8 eller Windows-1252 (rad {line}: byte 0x{byte:02X}). "
                "Spara filen som UTF-8 och läs in den igen."
            )
        return "cp1252"


def inspect_file(path: Path) -> FileFacts:
    """One pass over the bytes: SHA-256 of the original, its encoding and the CSV limits.

    File-level checks come first (``limits.check_input_file``: a regular file, a sane name), so a
    FIFO or a device is never opened."""
    limits.check_input_file(path)
    name = limits.shown_name(path)
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    digest = hashlib.sha256()
    scan = None if xlsx else _TextScan(name)
    first: bytes | None = None
    size = 0
    with limits.open_regular(path) as fh:
        while block := fh.read(BLOCK):
            if first is None:
                first = block[:4]
                if not xlsx and b"\x00" in first:
                    raise InputFileError(
                        f"{name} har okänd teckenkodning (UTF-16 eller binärfil?). "
                        "Spara filen som UTF-8 eller Windows-1252 (ANSI)."
                    )
            digest.update(block)
            size += len(block)
            if scan is not None:
                scan.feed(block)
    first = first or b""
    if xlsx:
        if not first.startswith(b"PK"):
            raise InputFileError(f"{name} har ändelsen .xlsx men är ingen Excel-fil.")
        limits.check_xlsx(path)
        return FileFacts(digest.hexdigest(), "xlsx", size)
    if size == 0:
        raise InputFileError(f"{name} är tom.")
    assert scan is not None
    return FileFacts(digest.hexdigest(), scan.encoding(first), size)


def _csv_header(path: Path, encoding: str) -> list[str]:
    name = limits.shown_name(path)
    with path.open(encoding=encoding, newline="") as fh:
        line = fh.readline().rstrip("\r\n")
    if ";" not in line:
        for sep, sep_name in ((",", "kommatecken"), ("\t", "tabb"), ("|", "lodstreck")):
            if sep in line:
                raise InputFileError(
                    f"{name}: fel kolumnavgränsare ({sep_name}). Filen ska vara semikolonseparerad (;)."
                )
        raise InputFileError(f"{name}: rubrikraden saknar semikolon – är det rätt fil?")
    return [h.strip().strip('"') for h in line.split(";")]


def iter_chunks(
    path: Path, facts: FileFacts, fmt: SourceFormat, mapping: HeaderMapping, chunk_rows: int
) -> Iterator[Chunk]:
    if facts.encoding == "xlsx":
        yield from _iter_xlsx(path, fmt, mapping, chunk_rows)
    else:
        yield from _iter_csv(path, facts.encoding, fmt, mapping, chunk_rows)


def _line_breaks(table: pa.Table) -> np.ndarray | None:
    """Line feeds inside each row's values (quoted fields spanning lines), or None when there are
    none: a memchr-speed look at each column's data buffer first, a count only where one is."""
    total: np.ndarray | None = None
    offset = 0
    for batch in table.to_batches():
        for column in batch.columns:
            data = column.buffers()[2]
            if data is None or not np.any(np.frombuffer(data, dtype=np.uint8) == 10):
                continue
            counts = pc.count_substring(column, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
            if total is None:
                total = np.zeros(table.num_rows, dtype=np.int64)
            total[offset: offset + len(counts)] += counts
        offset += batch.num_rows
    return total


def _iter_csv(
    path: Path, encoding: str, fmt: SourceFormat, mapping: HeaderMapping, chunk_rows: int
) -> Iterator[Chunk]:
    """pyarrow numbers *records* (a quoted value may span lines); quarantine and messages name the
    *physical* line in the file. Each record's physical line is its record number plus the line
    breaks inside the values of all records before it, computed per chunk with numpy."""
    headers = _csv_header(path, encoding)
    positions = mapping.resolve(headers, fmt)
    names = [f"c{i}" for i in range(len(headers))]
    bad_lines: dict[int, RowIssue] = {}  # record number (or < 0 if unknown) -> issue, line_no = record
    bad_breaks: dict[int, int] = {}  # record number -> line breaks inside the bad record

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        if not row.text.strip():
            issue = RowIssue(row.number, None, "", "Tom rad hoppades över.", "varning")
        else:
            issue = RowIssue(
                row.number,
                None,
                # a row of a personal-data extract may hold a personnummer: never keep its text
                "(rad dold: personuppgifter)" if fmt.personal_data else _shown_row(row.text),
                f"Raden har {row.actual_columns} fält men rubrikraden har {row.expected_columns}"
                + (" (filen kan vara avklippt eller ha fel citattecken)." if row.actual_columns < row.expected_columns else "."),
            )
        key = row.number if row.number is not None else -len(bad_lines) - 1
        bad_lines[key] = issue
        bad_breaks[key] = row.text.count("\n")
        return "skip"

    reader_options = dict(
        read_options=pacsv.ReadOptions(
            encoding="utf8" if encoding.startswith("utf-8") else encoding,
            skip_rows=1,
            column_names=names,
            block_size=CSV_BLOCK,
            use_threads=False,
        ),
        # newlines_in_values: the block splitter respects quotes, so a quoted line break never
        # splits a record at a block boundary; such a value is then rejected by the row checks
        parse_options=pacsv.ParseOptions(
            delimiter=";", newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid_row
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    next_record, breaks_before = 2, 0  # the next record not yet placed; line breaks inside records before it
    reported: set[int] = set()
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def placed(numbers: np.ndarray, before: np.ndarray) -> None:
        for number, extra in zip(numbers.tolist(), before.tolist(), strict=True):
            bad_lines[number] = dataclasses.replace(bad_lines[number], line_no=number + extra)
            reported.add(number)

    def flush() -> Chunk:
        nonlocal next_record, breaks_before, pending, pending_rows
        table = pa.Table.from_batches(pending)
        rows = table.num_rows
        bad = np.array(sorted(n for n in bad_lines if n >= next_record), dtype=np.int64)
        candidates = np.arange(next_record, next_record + rows + len(bad), dtype=np.int64)
        records = candidates[~np.isin(candidates, bad)][:rows]
        end = int(records[-1]) if rows else next_record - 1
        breaks = np.zeros(end - next_record + 1, dtype=np.int64)  # per record in [next_record, end]
        inside = _line_breaks(table)
        if inside is not None:
            breaks[records - next_record] = inside
        bad_here = bad[bad <= end]
        breaks[bad_here - next_record] = [bad_breaks[n] for n in bad_here.tolist()]
        before = breaks_before + np.cumsum(breaks) - breaks
        line_no = records + before[records - next_record]
        placed(bad_here, before[bad_here - next_record])
        breaks_before += int(breaks.sum())
        next_record = end + 1
        unknown = sorted(n for n in bad_lines if n < 0 and n not in reported)  # no record number from pyarrow
        reported.update(unknown)
        pending, pending_rows = [], 0
        columns = {header: table.column(f"c{pos}") for header, pos in positions.items()}
        return Chunk(_text_table(columns, line_no), [bad_lines[n] for n in unknown + bad_here.tolist()])

    def last_line() -> int:
        return next_record - 1 + breaks_before + pending_rows

    try:
        reader = pacsv.open_csv(path, **reader_options)
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                yield flush()
    except pa.ArrowInvalid as exc:
        raise _unreadable(path, last_line(), exc) from None
    if pending:
        yield flush()
    rest = sorted(n for n in bad_lines if n not in reported)
    if rest:
        numbers = np.array([n for n in rest if n >= 0], dtype=np.int64)
        extras = np.array([bad_breaks[n] for n in numbers.tolist()], dtype=np.int64)
        placed(numbers, breaks_before + np.cumsum(extras) - extras)  # only bad records remain
        yield Chunk(_text_table({h: [] for h in positions}, []), [bad_lines[n] for n in rest])


def _shown_row(text: str) -> str:
    """The raw text of a row that could not be split, as quarantine may show it: anything like a
    personnummer masked (the ledger's free text may hold one), control characters escaped."""
    from bokslut.textsafety import mask_personnummer

    return escape_controls(mask_personnummer(text[:1000])[:200])


def _unreadable(path: Path, line: int, exc: pa.ArrowInvalid) -> InputFileError:
    text = str(exc)
    if "straddling" in text or "block" in text:
        why = (f"en rad (med radbrytningar inom citattecken) är större än {CSV_BLOCK >> 20} MiB – "
               "troligen ett citattecken (\") som aldrig avslutas")
    else:
        why = "filen kan inte delas upp i rader och fält"
    return InputFileError(f"{limits.shown_name(path)}: efter rad {line}: {why}. Rätta exporten och läs in den igen.")


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
        if abs(value) >= 2**53 or value != value:
            # beyond the integers a double holds exactly (or NaN/inf): the digits would be invented,
            # so the cell keeps Excel's own spelling (1.2345678901234568e+16) and every number, code
            # or amount check rejects it
            return repr(value)
        if value.is_integer():
            return str(int(value)).zfill(width) if width else str(int(value))
        # the shortest decimal that is this double: the two-decimal amount typed in Excel
        # (1234.5, 0.3); a double that is no such amount (0.30000000000000004) keeps all its
        # decimals and fails the amount check instead of being rounded
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
            raise InputFileError(f"{limits.shown_name(path)}: första bladet är tomt.")
        _check_xlsx_row(path, 1, len(header_row), len(header_row))
        headers = ["" if h is None else str(h) for h in header_row]
        positions = mapping.resolve(headers, fmt)
        widths = {f.header: f.width for f in fmt.fields}
        buffer: dict[str, list[str]] = {h: [] for h in positions}
        lines: list[int] = []
        cells = len(header_row)
        for line_no, row in enumerate(rows, start=2):
            if row is None:
                continue
            cells += len(row)
            _check_xlsx_row(path, line_no, len(row), cells)
            if all(v is None for v in row):
                continue
            for header, pos in positions.items():
                buffer[header].append(_excel_text(row[pos] if pos < len(row) else None, widths[header]))
            lines.append(line_no)
            if len(lines) >= chunk_rows:
                yield Chunk(_text_table(buffer, lines))
                buffer, lines = {h: [] for h in positions}, []
        if lines:
            yield Chunk(_text_table(buffer, lines))
    finally:
        workbook.close()


def _check_xlsx_row(path: Path, line_no: int, width: int, cells: int) -> None:
    """The sheet limits counted while reading (a sheet need not declare its <dimension>)."""
    if width > limits.XLSX_MAX_COLUMNS:
        raise InputFileError(
            f"{limits.shown_name(path)}: rad {line_no} har {width} celler (högst {limits.XLSX_MAX_COLUMNS} kolumner). "
            "Ta bort tomma kolumner längst ut eller exportera som CSV."
        )
    if cells > limits.XLSX_MAX_CELLS:
        raise InputFileError(
            f"{limits.shown_name(path)}: bladet har fler än {limits.XLSX_MAX_CELLS} celler (rad {line_no}). "
            "Dela upp filen eller exportera den som CSV."
        )
