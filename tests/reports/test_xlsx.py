"""The xlsx renderer: checked by reloading the saved file with openpyxl."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bokslut.reports.model import NOT_DELIVERED, Column, Report, ReportRow
from bokslut.lineage.report_workbook import write_workbook
from bokslut.reports.xlsx import (
    AMOUNT_FORMAT,
    FIRST_DATA_ROW,
    HEADING_ROW,
    SIGNATURE_LINES,
    sheet_title,
)

pytestmark = pytest.mark.unit

INJECTION = '=HYPERLINK("http://x","y")'
AMOUNTS = ["ib", "change", "externt", "stadens_bolag", "internt", "ub_totalt"]


def _br(kind: str, level: int, account: str, name: str, ore: list[int]) -> ReportRow:
    values: dict[str, int | str | None] = {"level": level, "account": account, "name": name}
    values.update(zip(AMOUNTS, ore))
    return ReportRow(kind, values, level)


def balansrakning() -> Report:
    columns = [
        Column("level", "Nivå", "int"),
        Column("account", "Konto", "text"),
        Column("name", "Benämning", "text"),
        Column("ib", "IB 202400"),
        Column("change", "Förändring 202401–202413"),
        Column("externt", "Externt"),
        Column("stadens_bolag", "Stadens bolag"),
        Column("internt", "Internt"),
        Column("ub_totalt", "UB 202413 Totalt"),
    ]
    machines = [653149401, 66576912, 719726313, 0, 0, 719726313]
    total = [10885192845, 5612404190, 12180497787, 1189838250, 3127260998, 16497597035]
    rows = [
        _br("section", 1, "", "Anläggningstillgångar", machines),
        _br("account", 4, "1210", "Maskiner", [191189900, 24870981, 216060881, 0, 0, 216060881]),
        _br("account", 4, "1219", INJECTION, [-125199487, -19750341, -144949828, 0, 0, -144949828]),
        _br("account", 4, "1612", "Löneförskott till anställd", [0, 0, 0, 0, 0, 0]),
        _br("group", 3, "121", "Maskiner", [65990413, 5120640, 71111053, 0, 0, 71111053]),
        _br("group", 2, "12", "Maskiner och inventarier", machines),
        _br("total", 0, "", "Summa tillgångar", total),
    ]
    return Report(
        key="balansrakning",
        title="Balansräkning",
        forvaltning="191",
        period_from=202400,
        period_to=202413,
        columns=columns,
        rows=rows,
        notes=["Period 201514 är exkluderat i rapporten.", "+46 Kontrollera konto 2021"],
    )


def budgetavrakning() -> Report:
    columns = [
        Column("row", "Rad", "text"),
        Column("budget", "Nämndens budget inkl budgetjust."),
        Column("utfall", "Nämndens utfall"),
        Column("avvikelse", "Avvikelse"),
    ]
    def line(kind: str, row: str, budget: int, utfall: int | str, avvikelse: int | str):
        values = {"row": row, "budget": budget, "utfall": utfall, "avvikelse": avvikelse}
        return ReportRow(kind, values)

    rows = [
        ReportRow("heading", {"row": "Drift"}),
        line("line", "Drift och underhåll", 161550000000, 156846460845, 4703539155),
        line("line", "Intäktsförd investeringsinkomst", 0, 0, 0),
        line("line", "Internränta", 0, NOT_DELIVERED, NOT_DELIVERED),
        line("total", "Summa drift", 105930000000, 98728304904, 7201695096),
        ReportRow("heading", {"row": "Investeringsplan"}),
        line("line", "-Utgifter", 500000000, 303686530, 196313470),
    ]
    return Report(
        key="budgetavrakning",
        title="Budgetavräkning",
        forvaltning="191",
        period_from=202401,
        period_to=202413,
        columns=columns,
        rows=rows,
    )


GENERATED = datetime(2025, 2, 14, 8, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "ut" / "bokslut_2024.xlsx"
    reports = [balansrakning(), budgetavrakning()]
    assert write_workbook(reports, path, generated_at=GENERATED) == path
    return path


@pytest.fixture(scope="module")
def wb(saved: Path):
    return load_workbook(saved)


def _data_row(ws: Worksheet, label_col: int, label: str) -> int:
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, label_col).value == label:
            return row
    raise KeyError(label)


def _all_text(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_one_sheet_per_report_named_by_title(wb) -> None:
    # ...followed by the Källor sheet (issue 11): where every amount comes from
    assert wb.sheetnames == ["Balansräkning", "Budgetavräkning", "Källor"]


def test_header_block(wb) -> None:
    br, ba = wb["Balansräkning"], wb["Budgetavräkning"]
    assert [br.cell(r, 1).value for r in range(1, 5)] == [
        "Balansräkning",
        "Förvaltning 191",
        "Period 202400–202413",
        "Utskriven 2025-02-14",
    ]
    assert br["A1"].font.b and br["A1"].font.sz > 11
    assert ba["A3"].value == "Period 202401–202413"


def test_column_headings_bold_bordered_frozen_and_repeated(wb) -> None:
    ws = wb["Balansräkning"]
    headings = [ws.cell(HEADING_ROW, c).value for c in range(1, 10)]
    assert headings[:3] == ["Nivå", "Konto", "Benämning"] and headings[-1] == "UB 202413 Totalt"
    for c in range(1, 10):
        cell = ws.cell(HEADING_ROW, c)
        assert cell.font.b and cell.border.bottom.style == "thin"
        assert cell.fill.fill_type == "solid"
    assert ws.cell(HEADING_ROW, 2).alignment.horizontal == "left"
    assert ws.cell(HEADING_ROW, 4).alignment.horizontal == "right"
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws.print_title_rows == f"${HEADING_ROW}:${HEADING_ROW}"


def test_amounts_are_exact_numbers_in_kronor_with_number_format(wb) -> None:
    ws = wb["Balansräkning"]
    row = _data_row(ws, 3, "Maskiner")
    cells = [ws.cell(row, c) for c in range(4, 10)]
    assert [c.value for c in cells] == [1911899.00, 248709.81, 2160608.81, 0, 0, 2160608.81]
    for cell in cells:
        assert cell.data_type == "n" and isinstance(cell.value, (int, float))
        assert cell.number_format == AMOUNT_FORMAT
        assert cell.alignment.horizontal == "right"
    negative = ws.cell(_data_row(ws, 2, "1219"), 4).value
    assert negative == -1251994.87
    # Exact round trip of the largest figure: öre -> kronor in the file -> the same öre.
    total = ws.cell(_data_row(ws, 3, "Summa tillgångar"), 9)
    assert Decimal(repr(total.value)) * 100 == 16497597035  # the float written holds the öre exactly


def test_zero_lines_are_printed_as_numbers(wb) -> None:
    ws = wb["Balansräkning"]
    row = _data_row(ws, 3, "Löneförskott till anställd")
    assert [ws.cell(row, c).value for c in range(4, 10)] == [0] * 6
    assert all(ws.cell(row, c).number_format == AMOUNT_FORMAT for c in range(4, 10))
    ba = wb["Budgetavräkning"]
    row = _data_row(ba, 1, "Intäktsförd investeringsinkomst")
    assert [ba.cell(row, c).value for c in range(2, 5)] == [0, 0, 0]


def test_hierarchy_styles(wb) -> None:
    ws = wb["Balansräkning"]
    section = _data_row(ws, 3, "Anläggningstillgångar")
    account = _data_row(ws, 2, "1210")
    group3 = _data_row(ws, 2, "121")
    group2 = _data_row(ws, 2, "12")
    total = _data_row(ws, 3, "Summa tillgångar")
    assert all(ws.cell(section, c).font.b for c in range(1, 10))
    for c in range(1, 10):
        assert ws.cell(total, c).font.b and ws.cell(total, c).border.top.style == "thin"
    assert ws.cell(group3, 3).font.i and ws.cell(group2, 3).font.i
    assert not ws.cell(account, 3).font.b and not ws.cell(account, 3).font.i
    assert ws.cell(account, 3).alignment.indent > ws.cell(group3, 3).alignment.indent > 0
    # Account code and name in their own columns; the level stays a number.
    assert ws.cell(account, 2).value == "1210" and ws.cell(account, 2).data_type == "s"
    assert ws.cell(account, 3).value == "Maskiner"
    assert ws.cell(account, 1).value == 4 and ws.cell(account, 1).data_type == "n"


def test_heading_rows_bold_without_numbers(wb) -> None:
    ws = wb["Budgetavräkning"]
    row = _data_row(ws, 1, "Drift")
    assert ws.cell(row, 1).font.b
    assert [ws.cell(row, c).value for c in range(2, 5)] == [None, None, None]
    assert ws.cell(_data_row(ws, 1, "Summa drift"), 3).font.b


def test_not_delivered_is_italic_text(wb) -> None:
    ws = wb["Budgetavräkning"]
    row = _data_row(ws, 1, "Internränta")
    assert ws.cell(row, 2).value == 0
    for c in (3, 4):
        cell = ws.cell(row, c)
        assert cell.value == "ej levererad" and cell.data_type == "s" and cell.font.i


def test_formula_like_text_stays_literal(saved: Path, wb) -> None:
    ws = wb["Balansräkning"]
    cell = ws.cell(_data_row(ws, 2, "1219"), 3)
    assert cell.value == INJECTION and cell.data_type == "s"
    ba = wb["Budgetavräkning"]
    minus = ba.cell(_data_row(ba, 1, "-Utgifter"), 1)
    assert minus.data_type == "s"
    plus_note = [c for r in ws.iter_rows() for c in r if c.value == "+46 Kontrollera konto 2021"]
    assert plus_note and plus_note[0].data_type == "s"
    # No formula anywhere in the file itself.
    with zipfile.ZipFile(saved) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    # Data-only reload agrees: nothing was cached as a formula result.
    reloaded = load_workbook(saved, data_only=True)["Balansräkning"]
    assert reloaded.cell(cell.row, 3).value == INJECTION


def test_notes_and_signature_lines_under_the_table(wb) -> None:
    ws = wb["Balansräkning"]
    last_data = FIRST_DATA_ROW + len(balansrakning().rows) - 1
    below = {ws.cell(r, 1).value: ws.cell(r, 1) for r in range(last_data + 1, ws.max_row + 1)}
    assert below["Period 201514 är exkluderat i rapporten."].font.i
    for line in SIGNATURE_LINES:
        assert line in below
    assert SIGNATURE_LINES == (
        "Datum: ____________",
        "Underskrift: ____________",
        "Namnförtydligande: ____________",
    )
    assert set(SIGNATURE_LINES) <= set(_all_text(wb["Budgetavräkning"]))


def test_print_setup(wb) -> None:
    br, ba = wb["Balansräkning"], wb["Budgetavräkning"]
    assert br.page_setup.orientation == "landscape"
    assert ba.page_setup.orientation == "portrait"
    for ws in (br, ba):
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.oddFooter.left.text == "&A" and "&P" in ws.oddFooter.right.text
    assert br.column_dimensions["C"].width >= len("Löneförskott till anställd")
    assert br.column_dimensions["I"].width >= len("164 975 970,35")


def test_sheet_title_is_excel_safe() -> None:
    assert sheet_title("Anläggnings- och rörelsekapital") == "Anläggnings- och rörelsekapital"
    long = sheet_title("Resultaträkning per verksamhet och ansvar 2024")
    assert long == "Resultaträkning per verksamhet"  # cut at 31, trailing space dropped
    assert sheet_title("Kontroll: 49xx/4901 [drift]?") == "Kontroll- 49xx-4901 -drift--"
    assert sheet_title("'Nyckeltal'") == "Nyckeltal"
    assert sheet_title("") == "Rapport"
    assert sheet_title("Balansräkning", ["BALANSRÄKNING"]) == "Balansräkning (2)"
    twice = sheet_title("Resultaträkning per verksamhet och ansvar 2024", [long])
    assert len(twice) <= 31 and twice.endswith(" (2)")


def test_duplicate_titles_get_distinct_sheets(tmp_path: Path) -> None:
    reports = [budgetavrakning(), budgetavrakning()]
    path = write_workbook(reports, tmp_path / "dubbel.xlsx", generated_at=GENERATED)
    assert load_workbook(path).sheetnames == ["Budgetavräkning", "Budgetavräkning (2)", "Källor"]
    assert not list(tmp_path.glob("*.partial"))


def test_rejects_non_ore_amounts_and_empty_list(tmp_path: Path) -> None:
    report = budgetavrakning()
    report.rows.append(ReportRow("line", {"row": "Fel", "budget": 12.5}))
    with pytest.raises(TypeError):
        write_workbook([report], tmp_path / "fel.xlsx")
    with pytest.raises(ValueError):
        write_workbook([], tmp_path / "tom.xlsx")


def test_add_report_sheet_reuses_a_workbook_and_prints_stockholm_date() -> None:
    from openpyxl import Workbook

    from bokslut.reports.xlsx import add_report_sheet

    wb = Workbook()  # e.g. a template workbook with sheets of its own
    wb.active.title = "Budgetavräkning"
    late_utc = datetime(2025, 2, 14, 23, 30, tzinfo=timezone.utc)  # 00:30 in Stockholm
    ws = add_report_sheet(wb, budgetavrakning(), generated_at=late_utc)
    assert ws.title == "Budgetavräkning (2)" and wb.sheetnames[-1] == ws.title
    assert ws["A4"].value == "Utskriven 2025-02-15"
