"""Limits on what an input file may be, checked before anything parses it.

Every limit is listed, with the reason for its value, in docs/input-formats.md ("Limits and
rejection reasons"). A file beyond a limit is rejected with one Swedish sentence naming the file
(control characters escaped), the line or sheet where known, and the limit.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

from bokslut.ingest.errors import InputFileError
from bokslut.textsafety import CONTROL_CHARS, escape_controls, mask_personnummer

# --- the file itself --------------------------------------------------------------------------------
MAX_NAME_BYTES = 255  # the longest name ext4, XFS, NTFS and SMB shares allow (UTF-8 bytes)

# --- CSV ---------------------------------------------------------------------------------------------
MAX_LINE_BYTES = 64 * 1024  # one physical line; a ledger row is ~150 bytes, the widest legal row < 5 KiB

# --- XLSX (a zip archive of XML): checked on the central directory before openpyxl opens it -----------
XLSX_MAX_MEMBERS = 10_000  # a workbook with one sheet has ~10 parts
XLSX_MAX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML in all: a full 1 048 576-row sheet of 14 columns is ~0.8 GiB
XLSX_MAX_RATIO = 100  # uncompressed/compressed of one part; real sheets 5–30, zip bombs ~1000
XLSX_RATIO_FROM = 1 << 20  # the ratio is judged on parts of at least 1 MiB (tiny parts compress oddly)
XLSX_MAX_SHARED_STRINGS = 256 << 20  # openpyxl keeps the shared-string table in memory
XLSX_MAX_ROWS = 1_048_576  # Excel's own maximum
XLSX_MAX_COLUMNS = 1_000  # an Agresso export has < 60; openpyxl pads every row to the sheet's width
XLSX_MAX_CELLS = 50_000_000  # rows × columns of a sheet, declared (<dimension>) or counted while reading
_DIMENSION_SCAN = 64 * 1024  # <dimension> is among the first elements of a sheet's XML
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")


def shown_name(path: Path | str) -> str:
    """A file name as a message or the warehouse may show it, whatever the source: control
    characters escaped and anything like a personnummer masked (an HR extract's name may hold one,
    and it may land in the ledger folder by mistake; docs/personal-data.md)."""
    return mask_personnummer(escape_controls(Path(path).name))


def check_input_file(path: Path) -> os.stat_result:
    """File-level checks, before the file is opened (opening a FIFO would block): a regular file,
    a name of at most MAX_NAME_BYTES bytes without control characters. Returns its stat."""
    name = path.name
    shown = escape_controls(name)
    if CONTROL_CHARS.search(name):
        raise InputFileError(
            f"Filnamnet {shown} innehåller styrtecken (visade som \\x..). Byt namn på filen och läs in den igen."
        )
    size = len(os.fsencode(name))
    if size > MAX_NAME_BYTES:
        raise InputFileError(
            f"Filnamnet är för långt ({size} byte, högst {MAX_NAME_BYTES}): {shown[:80]}… Byt namn på filen."
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"Filen {shown} finns inte.") from None
    except OSError as exc:
        raise InputFileError(f"Filen {shown} kan inte läsas ({exc.strerror}).") from None
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "en mapp" if stat.S_ISDIR(info.st_mode)
            else "en namngiven pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
            else "en enhetsfil" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "en socket" if stat.S_ISSOCK(info.st_mode)
            else "ingen vanlig fil"
        )
        raise InputFileError(f"{shown} är {kind}, ingen vanlig fil: bara vanliga filer läses in.")
    return info


def open_regular(path: Path):  # noqa: ANN201 - a binary file object
    """Open for reading without blocking on a FIFO swapped in after ``check_input_file`` and
    check again, on the open descriptor, that it is a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError(f"{shown_name(path)} är ingen vanlig fil: bara vanliga filer läses in.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB".replace(",", "\u00a0")


def check_xlsx(path: Path) -> None:
    """Zip-bomb and size checks on an XLSX file's central directory and sheet dimensions, before
    openpyxl loads it."""
    name = shown_name(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputFileError(f"{name} har ändelsen .xlsx men är ingen giltig Excel-fil (trasigt zip-arkiv).") from None
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise InputFileError(
                f"{name} innehåller {len(members)} delar (högst {XLSX_MAX_MEMBERS}): ingen vanlig Excel-fil."
            )
        total = sum(m.file_size for m in members)
        if total > XLSX_MAX_UNCOMPRESSED:
            raise InputFileError(
                f"{name} är {_mib(total)} uppackad (högst {_mib(XLSX_MAX_UNCOMPRESSED)}). "
                "Dela upp filen eller exportera den som CSV."
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO:
                raise InputFileError(
                    f"{name}: delen {escape_controls(member.filename)} packas upp {ratio:,.0f} gånger större "
                    f"(högst {XLSX_MAX_RATIO}): filen ser ut som en zip-bomb och lästes inte."
                )
            if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > XLSX_MAX_SHARED_STRINGS:
                raise InputFileError(
                    f"{name}: tabellen med texter är {_mib(member.file_size)} (högst {_mib(XLSX_MAX_SHARED_STRINGS)}). "
                    "Exportera filen som CSV."
                )
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _check_dimension(archive, member, name)


def _column_number(letters: bytes | None) -> int:
    number = 0
    for ch in letters or b"A":
        number = number * 26 + ch - 64
    return number


def _check_dimension(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    with archive.open(member) as fh:
        head = fh.read(_DIMENSION_SCAN)
    match = _DIMENSION.search(head)
    if not match:
        return  # no declared size: the reader counts rows and cells as it goes
    first_col, first_row, last_col, last_row = match.groups()
    if last_col is None:  # a single cell, "A1"
        last_col, last_row = first_col, first_row
    columns = _column_number(last_col) - _column_number(first_col) + 1
    rows = int(last_row or 1) - int(first_row or 1) + 1
    sheet = escape_controls(member.filename.rsplit("/", 1)[-1])
    if columns > XLSX_MAX_COLUMNS or rows > XLSX_MAX_ROWS or rows * columns > XLSX_MAX_CELLS:
        raise InputFileError(
            f"{name}: bladet {sheet} anger {rows} rader × {columns} kolumner "
            f"(högst {XLSX_MAX_ROWS} rader, {XLSX_MAX_COLUMNS} kolumner och {XLSX_MAX_CELLS} celler). "
            "Ta bort tomma kolumner och rader längst ut eller exportera som CSV."
        )

