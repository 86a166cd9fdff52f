"""Hostile and broken input: each class is rejected (or quarantined, rejecting the file) with a
Swedish reason naming line and column, the same on SQLite and PostgreSQL, and the published data
is unchanged (docs/input-formats.md, "Limits and rejection reasons")."""

from __future__ import annotations

import dataclasses
import os
import threading
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.ingest import limits
from bokslut.ingest.errors import InputFileError
from bokslut.ingest.write_audit_publish import LoadStatus
from bokslut.ingest.read import inspect_file
from bokslut.money import MAX_AMOUNT_ORE, AmountError, parse_amount_ore
from bokslut.warehouse.schema import posting, quarantine
from tests.ingest.ledger_files import HEADER, csv_text, publish_january, row, write
from tests.loading import load_file

pytestmark = pytest.mark.unit


def postings(engine) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(
            sa.select(posting.c.load_id, posting.c.source_line, posting.c.konto, posting.c.text, posting.c.amount_ore)
            .order_by(posting.c.load_id, posting.c.source_line))]


def quarantined(engine, load_id: int) -> list[tuple]:
    with engine.connect() as c:
        return [(q.line_no, q.column_name, q.value, q.reason, q.severity) for q in c.execute(
            sa.select(quarantine).where(quarantine.c.load_id == load_id).order_by(quarantine.c.id))]


@pytest.fixture
def published(engine, settings, tmp_path):
    """January already published: every bad file below must leave these rows exactly as they are."""
    publish_january(engine, settings, tmp_path)
    return postings(engine)


def rejected(engine, settings, path: Path, published: list[tuple]):
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED, result.message
    assert postings(engine) == published
    return result


# --- 1. a column twice -------------------------------------------------------------------------------

def test_same_column_twice_rejected_naming_both(engine, settings, tmp_path, published):
    header = [*HEADER, " belopp "]
    path = write(tmp_path, "twice.csv", csv_text([row("202401", belopp="5,00") + ["7,00"]], header=header))
    result = rejected(engine, settings, path, published)
    assert "rad 1" in result.message and "2 kolumner för Belopp" in result.message
    assert "'Belopp' (kolumn 14) och 'belopp' (kolumn 15)" in result.message


def test_two_aliases_of_one_field_rejected(engine, settings, tmp_path, published):
    mapping = tmp_path / "alias.yaml"
    mapping.write_text("source: ledger\ncolumns:\n" + "".join(
        f"  {h}: [{h}, Amount]\n" if h == "Belopp" else f"  {h}: [{h}]\n" for h in HEADER), encoding="utf-8")
    path = write(tmp_path, "alias.csv", csv_text([row("202401") + ["9,00"]], header=[*HEADER, "Amount"]))
    result = load_file(engine, path, "ledger", settings=settings, mapping_path=mapping)
    assert result.status == LoadStatus.REJECTED
    assert "'Belopp' (kolumn 14) och 'Amount' (kolumn 15)" in result.message and "alias.yaml" in result.message
    assert postings(engine) == published


# --- 2. amounts: exact to the öre, bounded ------------------------------------------------------------

def test_amounts_exact_up_to_the_limit(engine, settings, tmp_path, published):
    amounts = {"999 999 999 999,99": 99_999_999_999_999, "-999999999999.99": -99_999_999_999_999,
               "123456789012,34": 12_345_678_901_234, "0,1": 10, "0.2": 20, "0,29": 29, "1,15": 115,
               "4,35": 435, "-0,07": -7, "000000000000001,01": 101, "90071992547,41": 9_007_199_254_741}
    rows = [row("202402", belopp=text, vernr=str(i)) for i, text in enumerate(amounts)]
    result = load_file(engine, write(tmp_path, "big.csv", csv_text(rows)), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    with engine.connect() as c:
        stored = {v: a for v, a in c.execute(sa.select(posting.c.vernr, posting.c.amount_ore).where(posting.c.load_id == result.load_id))}
    assert {text: stored[str(i)] for i, text in enumerate(amounts)} == amounts
    assert MAX_AMOUNT_ORE == 99_999_999_999_999


def test_one_ore_above_the_limit_rejected(engine, settings, tmp_path, published):
    rows = [row("202401", belopp="1 000 000 000 000,00"), row("202401", belopp="-12345678901234,56"),
            row("202401", belopp="5,00")]
    result = rejected(engine, settings, write(tmp_path, "over.csv", csv_text(rows)), published)
    issues = quarantined(engine, result.load_id)
    assert [(q[0], q[1], q[2], q[4]) for q in issues] == [
        (2, "Belopp", "1 000 000 000 000,00", "fel"), (3, "Belopp", "-12345678901234,56", "fel")]
    assert all("större än beloppsgränsen ±999\u00a0999\u00a0999\u00a0999,99 kr" in q[3] for q in issues)


def test_parse_amount_ore_has_the_same_limit():
    assert parse_amount_ore("999 999 999 999,99") == MAX_AMOUNT_ORE
    assert parse_amount_ore("-999999999999.99") == -MAX_AMOUNT_ORE
    assert parse_amount_ore("0,1") + parse_amount_ore("0,2") == parse_amount_ore("0,3")
    with pytest.raises(AmountError, match="beloppsgränsen"):
        parse_amount_ore("1000000000000,00")
    with pytest.raises(AmountError):
        parse_amount_ore("\u0661\u0662")  # Arabic-Indic digits: not an amount in an export


def test_xlsx_amounts_exact_or_rejected_never_rounded(engine, settings, tmp_path, published):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    good = ["191", "202401", "5021", "x", "1100", "320", "0000", "0001", "D", "LI"]
    ws.append([*good, "1", "2024-01-25", "ok", 999999999999.99])
    ws.append([*good, "2", "2024-01-25", "tre decimaler", 1234.567])  # not a two-decimal amount: never rounded
    ws.append([*good, "3", "2024-01-25", "stor", 1e12])  # 1 000 000 000 000 kr: above the limit
    ws.append([*good, "4", "2024-01-25", "enorm", 1.25e17])  # beyond what a double holds exactly
    path = tmp_path / "belopp.xlsx"
    wb.save(path)
    result = rejected(engine, settings, path, published)
    issues = sorted(quarantined(engine, result.load_id))
    assert [(q[0], q[1], q[2]) for q in issues] == [
        (3, "Belopp", "1234.567"), (4, "Belopp", "1000000000000"), (5, "Belopp", "1.25e+17")]
    assert "inte ett belopp" in issues[0][3] and "beloppsgränsen" in issues[1][3]
    assert "inte ett belopp" in issues[2][3]
    with engine.connect() as c:  # the good row was exact before the file was rejected
        assert c.execute(sa.select(posting.c.amount_ore).where(posting.c.load_id == result.load_id)).all() == []


# --- 3. encoding ------------------------------------------------------------------------------------

def test_utf8_file_with_one_cp1252_byte_rejected_with_line(engine, settings, tmp_path, published):
    text = csv_text([row("202401", text="Återbetalning")] * 5 + [row("202401", text="Ränta")])
    data = text.encode("utf-8").replace("Ränta".encode(), "Ränta".encode("cp1252"))
    result = rejected(engine, settings, write(tmp_path, "mixed.csv", data), published)
    assert "blandad teckenkodning" in result.message and "rad 7" in result.message and "0xE4" in result.message


def test_ascii_utf8_file_with_late_cp1252_byte_is_cp1252(tmp_path):
    """No multi-byte UTF-8 anywhere: a plain Windows-1252 file, decoded as such."""
    text = csv_text([row("202401", text="Lon", kontonamn="Lon")] * 3 + [row("202401", text="Lön")])
    facts = inspect_file(write(tmp_path, "ansi.csv", text, "cp1252"))
    assert facts.encoding == "cp1252"


def test_cp1252_file_with_a_utf8_sequence_rejected(engine, settings, tmp_path, published):
    text = csv_text([row("202401", text="Återbetalning", kontonamn="Löner")] * 2 + [row("202401", text="Ã¥r")])
    data = text.encode("cp1252").replace("Ã¥".encode("cp1252"), "å".encode())  # the UTF-8 bytes of "å"
    result = rejected(engine, settings, write(tmp_path, "mixed1252.csv", data), published)
    assert "blandad teckenkodning" in result.message and "rad 1" in result.message  # "Förvaltning": 0xF6
    assert "varken UTF-8 eller Windows-1252" in result.message


def test_byte_undefined_in_cp1252_rejected_with_line(engine, settings, tmp_path, published):
    data = csv_text([row("202401")] * 3).encode("ascii", "replace") + "191;202401;x\x81y\n".encode("latin-1")
    result = rejected(engine, settings, write(tmp_path, "undef.csv", data), published)
    assert "varken UTF-8 eller Windows-1252 (rad 5: byte 0x81)" in result.message


def test_encoding_check_is_one_block_pass_across_boundaries(tmp_path):
    """A multi-byte character split across the 1 MiB read blocks is still valid UTF-8."""
    from bokslut.ingest.read import BLOCK

    head = "Förvaltning;Period\n"
    filler = "191;" + "a" * 200 + "\n"
    body = head + filler * ((BLOCK - len(head)) // len(filler))
    pad = BLOCK - len(body.encode()) - 1
    text = body + "x" * pad + "ö" + "\n"
    assert inspect_file(write(tmp_path, "split.csv", text)).encoding == "utf-8"


# --- 4. resource abuse -------------------------------------------------------------------------------

def test_line_longer_than_limit_rejected_with_line(engine, settings, tmp_path, published):
    rows = [row("202401")] * 3 + [row("202401", text="x" * (limits.MAX_LINE_BYTES + 1))]
    result = rejected(engine, settings, write(tmp_path, "long.csv", csv_text(rows)), published)
    assert "rad 5 är längre än 64 KiB" in result.message


def test_device_rejected_without_reading(engine, settings, published):
    result = rejected(engine, settings, Path("/dev/zero"), published)  # reading it would never end
    assert result.message == "zero är en enhetsfil, ingen vanlig fil: bara vanliga filer läses in."


def test_fifo_rejected_without_blocking(engine, settings, tmp_path, published):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    outcome: dict = {}

    def inspect():
        try:
            inspect_file(fifo)
        except InputFileError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=inspect, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("inspect_file blocked on a FIFO")
    assert outcome["error"] == "pipe.csv är en namngiven pipe (FIFO), ingen vanlig fil: bara vanliga filer läses in."
    result = rejected(engine, settings, fifo, published)
    assert "namngiven pipe" in result.message


def test_long_file_name_rejected(tmp_path):
    name = "å" * 130 + ".csv"  # 264 bytes in UTF-8, one more than a name may have
    with pytest.raises(InputFileError, match=r"Filnamnet är för långt \(264 byte, högst 255\)"):
        limits.check_input_file(tmp_path / name)


def test_control_characters_in_file_name_shown_escaped(engine, settings, tmp_path, published):
    path = write(tmp_path, "jan\x1b[31m\nrad.csv", csv_text([row("202401")]))
    result = rejected(engine, settings, path, published)
    assert "jan\\x1b[31m\\nrad.csv" in result.message
    assert "\x1b" not in result.message and "\n" not in result.message


def _bomb(path: Path, sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def test_xlsx_zip_bomb_rejected_before_openpyxl(engine, settings, tmp_path, published):
    path = _bomb(tmp_path / "bomb.xlsx", b"<worksheet>" + b" " * (200 << 20) + b"</worksheet>")
    assert path.stat().st_size < 1 << 20
    result = rejected(engine, settings, path, published)
    assert "zip-bomb" in result.message and "sheet1.xml" in result.message


def test_xlsx_declared_dimension_too_large_rejected(engine, settings, tmp_path, published):
    sheet = b'<worksheet xmlns="x"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    result = rejected(engine, settings, _bomb(tmp_path / "wide.xlsx", sheet), published)
    assert "1048576 rader × 16384 kolumner" in result.message


def test_xlsx_row_wider_than_limit_rejected_while_reading(engine, settings, tmp_path, published):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    ws.append([*row("202401"), *(["x"] * limits.XLSX_MAX_COLUMNS)])
    wb.save(tmp_path / "wide_row.xlsx")
    result = rejected(engine, settings, tmp_path / "wide_row.xlsx", published)
    assert "rad 2 har 1014 celler (högst 1000 kolumner)" in result.message


# --- 5. control characters in values ------------------------------------------------------------------

def test_nul_and_control_characters_quarantined_escaped(engine, settings, tmp_path, published):
    rows = [row("202401", text="bra"), row("202401", text="a\x00b"), row("202401", kontonamn="Lön\x07er"),
            row("202401", vernr="1\x1b2"), row("202401", text="x\u2028y")]
    result = rejected(engine, settings, write(tmp_path, "nul.csv", csv_text(rows)), published)
    issues = sorted(quarantined(engine, result.load_id))
    assert [(q[0], q[1], q[2], q[4]) for q in issues] == [
        (3, "Text", "a\\x00b", "fel"), (4, "Kontonamn", "Lön\\x07er", "fel"), (5, "Vernr", "1\\x1b2", "fel"),
        (6, "Text", "x\\u2028y", "fel")]
    assert all("styrtecken" in q[3] for q in issues)


# --- 6. a quoted value spanning lines ------------------------------------------------------------------

def test_quoted_line_break_rejected_and_later_lines_stay_physical(engine, settings, tmp_path, published):
    rows = [row("202401")] * 3 + [row("202401", text="två\nrader")] + [row("202401")] * 2
    rows += [row("202401", belopp="nio")]
    text = csv_text(rows)
    assert text.splitlines()[8].endswith(";nio")  # the bad amount is on physical line 9
    result = rejected(engine, settings, write(tmp_path, "multiline.csv", text), published)
    issues = quarantined(engine, result.load_id)
    assert [(q[0], q[1], q[2]) for q in issues] == [(5, "Text", "två\\nrader"), (9, "Belopp", "nio")]
    assert "styrtecken" in issues[0][3]


def test_physical_lines_across_chunks_and_bad_rows(engine, settings, tmp_path):
    settings = dataclasses.replace(settings, chunk_rows=2)
    rows = [row("202401", text="a\r\nb\nc"), row("202401"), ["191", "202401"], row("202401", text='"')]
    rows += [row("202401")] * 3 + [row("202401", belopp="fel")]
    text = csv_text(rows)
    line = next(i for i, t in enumerate(text.split("\n"), start=1) if t.endswith(";fel"))
    result = load_file(engine, write(tmp_path, "chunks.csv", text), "ledger", settings=settings)
    assert result.status == LoadStatus.REJECTED
    found = {(q[0], q[1]) for q in quarantined(engine, result.load_id)}
    assert line == 11 and found == {(2, "Text"), (6, None), (line, "Belopp")}


# --- 7. personnummer in ledger free text ----------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["19800101-9801", "198001019801", "800101-9801", "800101+9801", "800101 9801"])
def test_personnummer_in_ledger_text_masked_with_warning(engine, settings, tmp_path, spelling):
    rows = [row("202401", text=f"Utlägg {spelling} tåg", kontonamn=f"Konto {spelling}"), row("202401", text="Lön")]
    result = load_file(engine, write(tmp_path, "pnr.csv", csv_text(rows)), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    issues = quarantined(engine, result.load_id)
    assert [(q[0], q[1], q[2], q[4]) for q in issues] == [
        (2, "Kontonamn", "Konto (personnummer dolt)", "varning"),
        (2, "Text", "Utlägg (personnummer dolt) tåg", "varning")]
    with engine.connect() as c:
        texts = set(c.execute(sa.select(posting.c.text)).scalars())
        everything = " ".join(str(v) for t in (posting, quarantine) for r in c.execute(sa.select(t)) for v in r)
    assert texts == {"Utlägg (personnummer dolt) tåg", "Lön"}
    assert spelling not in everything and spelling.replace("-", "") not in everything


def test_excel_float_that_is_no_two_decimal_amount_keeps_its_digits():
    from bokslut.ingest.read import _excel_text

    assert _excel_text(0.1 + 0.2, None) == "0.30000000000000004"  # fails the amount check, never rounded to 0.30
    assert _excel_text(999999999999.99, None) == "999999999999.99"
    assert _excel_text(-1234.5, None) == "-1234.5"
    assert _excel_text(float("nan"), None) == "nan"
