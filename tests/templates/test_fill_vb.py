"""The VB 2024 workbook of förvaltning 191, filled from the generated year: cell by cell."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bokslut.reports.ledger import REPORT_NAMES, build_reports
from bokslut.templates.xlsxops import cell_value
from tests.conftest import REFERENCE_DIR
from tests.templates.sheets import ledger_sheet_differences

pytestmark = pytest.mark.integration

LEDGER_SHEETS = {"budgetavrakning": "Budgetavräkning", "balansrakning": "Balansräkning", "resultatrakning": "Resultaträkning",
                 "anlaggning": "Anläggningsinformation", "anl_rorelsekapital": "Anläggnings- och rörelsekapital"}
MNKR = "#,##0.0"


@pytest.fixture(scope="module")
def wb(filled):
    return load_workbook(filled["VB"].path)


def test_workbook_has_the_city_sheets_in_order(wb):
    assert wb.sheetnames == [
        "Verksamhetsprojekt", "Resultatenheter", "Invent o maskin", "Ej aktiverbara utgifter-inkomst", "Innovationssatsningar",
        "Externa projekt", "Nyckeltal 66", "Nyckeltal personal", "Budgetavräkning", "Balansräkning", "Resultaträkning",
        "Anläggningsinformation", "Anläggnings- och rörelsekapital", "Kontokontroller", "Kontroller blankett", "Källor"]


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_ledger_sheets_hold_exactly_the_reference_figures(wb, templates_warehouse, name):
    engine, _ = templates_warehouse
    keys = [c.key for c in build_reports(engine, "191", 202413, (name,))[name].columns]
    assert ledger_sheet_differences(wb[LEDGER_SHEETS[name]], REFERENCE_DIR / "2024" / f"{name}.tsv", keys=keys) == []


def test_kontokontroller_sheet_holds_the_reference_lines(wb):
    keys = ["control_id", "swedish_name", "rule", "accounts", "value_shown", "expected"]
    assert ledger_sheet_differences(wb["Kontokontroller"], REFERENCE_DIR / "2024" / "kontokontroller.tsv", keys=keys,
                                    not_compared=("swedish_name", "rule", "accounts")) == []


def test_invent_o_maskin_shows_2_4_4_0_1_0_3_0(wb):
    ws = wb["Invent o maskin"]
    assert ws["A8"].value == "Inventarier och maskiner"
    assert [ws[c].number_format for c in ("B8", "C8", "D8", "E8")] == [MNKR] * 4
    assert ws["B8"].value == pytest.approx(2.3845124)  # 2023 investment outturn, mnkr, exact to the öre
    assert ws["C8"].value == pytest.approx(4.0)  # VP 2024
    assert ws["E8"].value == pytest.approx(3.0368653)  # = Budgetavräkning Investering Utgifter utfall
    assert ws["D8"].value == "=C8-E8"  # S:a avvik stays a live formula
    shown = [round(cell_value(wb, ws, c), 1) for c in ("B8", "C8", "D8", "E8")]
    assert shown == [2.4, 4.0, 1.0, 3.0]
    assert [ws["B7"].value, ws["C7"].value, ws["D7"].value, ws["E7"].value] == [
        "Utfall utgift 2023", "VP 2024 Utgift", "S:a avvik 2024", "Utfall utgift 2024"]


def _project_sum(engine, projekt: str, classes: str, first: int, last: int) -> float:
    """Independent of the template code: straight from the published postings, in mnkr."""
    sql = sa.text(
        "SELECT COALESCE(SUM(amount_ore), 0) FROM posting WHERE forvaltning = '191' AND projekt = :p AND anslag = 'D' "
        "AND SUBSTR(konto, 1, 1) IN (" + ",".join(f"'{c}'" for c in classes) + ") AND period BETWEEN :a AND :b "
        "AND load_id IN (SELECT load_id FROM publication WHERE source = 'ledger' AND forvaltning = '191')")
    with engine.connect() as connection:
        return connection.execute(sql, {"p": projekt, "a": first, "b": last}).scalar() / 100_000_000


def test_verksamhetsprojekt_rows_figures_and_inserted_row(wb, templates_warehouse):
    engine, _ = templates_warehouse
    ws = wb["Verksamhetsprojekt"]
    names = [ws[f"A{r}"].value for r in range(11, 17)]
    assert names == ["ESF Framtidsval", "ESF Vägen in", "Kompetenslyft vård", "Feriejobb 2024", "Studiesluss",
                     "Stöd till personer på flykt från Ukraina"]  # six projects, five template rows: one inserted
    assert ws["A17"].value is None and ws["A18"].value == "Summa"
    for col in "BCDEFGHIJKLMNO":
        assert ws[f"{col}18"].value == f"=SUM({col}11:{col}16)"
        assert ws[f"{col}18"].number_format == MNKR
    for row, code in zip(range(11, 17), ("2401", "2402", "2403", "2404", "2405", "2406"), strict=True):
        assert ws[f"B{row}"].value == pytest.approx(_project_sum(engine, code, "4567", 0, 202314))
        assert ws[f"C{row}"].value == pytest.approx(_project_sum(engine, code, "3", 0, 202314))
        assert ws[f"F{row}"].value == pytest.approx(_project_sum(engine, code, "4567", 202401, 202413))
        assert ws[f"G{row}"].value == pytest.approx(_project_sum(engine, code, "3", 202401, 202413))
        for col in "BCDEFGLMNO":
            assert type(ws[f"{col}{row}"].value) in (int, float), f"{col}{row}"
            assert ws[f"{col}{row}"].number_format == MNKR
        assert isinstance(ws[f"P{row}"].value, date | type(None)) or ws[f"P{row}"].is_date
    assert ws["L11"].value == pytest.approx(185.0) and ws["M11"].value == pytest.approx(-185.0)  # master data
    assert ws["D11"].value == pytest.approx(60.0)  # project budget from the manual file
    assert ws["S14"].value.date() == date(2024, 12, 31) and ws["S14"].is_date  # forecast end date (manual)
    assert ws["B6"].value == "Ack. t.o.m. 2023" and ws["H6"].value == "2025"
    assert ws["A24"].value.startswith("17 och 18") and "Avvikelser från beslutade" in ws["A24"].value  # typo fixed
    total = sum(ws[f"F{r}"].value for r in range(11, 17))
    assert cell_value(wb, ws, "F18") == pytest.approx(total)


def test_resultatenheter_units_formulas_and_answers(wb):
    ws = wb["Resultatenheter"]
    assert ws["A7"].value == "Jobbtorg Stockholm, västerort"
    assert ws["A8"].value == "Kommunala aktivitetsansvaret (intraprenad)"
    assert ws["F7"].value == "NEJ" and ws["F7"].data_type == "s"
    assert ws["C7"].value == "=B7*0.05" and ws["I7"].value == "=B7*0.1"
    assert ws["H7"].value == "=IF(B7=0,0,G7/B7)" and ws["H7"].number_format == "0.0%"
    assert ws["J7"].value == '=IF(OR(B7=0,F7<>"JA"),0,-E7/B7)'
    assert ws["G7"].value == pytest.approx(8000.0)  # accumulated fund from the manual file (tkr), NEJ: nothing added
    assert ws["B7"].number_format == MNKR and isinstance(ws["B7"].value, float)
    assert cell_value(wb, ws, "H7") == pytest.approx(8000.0 / ws["B7"].value)
    assert ws["A40"].value == "Summa resultatenheter" and ws["B40"].value == "=SUM(B7:B38)"
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["F7:F38"]
    assert "2023" not in ws["D5"].value and "Resultat-enheternas resultat 2024" in ws["D5"].value


def test_texts_stay_text_and_nyckeltal(wb):
    ws = wb["Innovationssatsningar"]
    assert ws["A12"].value == "Care Stockholms stad" and ws["A12"].data_type == "s"
    assert ws["C12"].value.startswith("• Insatser för unga")
    ws = wb["Nyckeltal 66"]
    assert (ws["B13"].value, ws["C13"].value, ws["E13"].value) == (925, 1348, pytest.approx(0.708))
    assert ws["D13"].value == '=IF(C13=0,"",B13/C13)' and ws["D13"].number_format == "0.0%"
    assert round(cell_value(wb, ws, "D13"), 3) == 0.686
    ws = wb["Nyckeltal personal"]
    assert ws["H44"].value == pytest.approx(0.91) and ws["I44"].value == pytest.approx(0.79)  # 126: only the ratio
    assert ws["B12"].value is None  # 122 underlag: HR (issue 5) not delivered -> empty, reported
    assert cell_value(wb, ws, "D12") == ""  # and the key figure stays blank rather than 0,0 %


def test_rule_sheet_reports_what_is_missing_and_what_holds(wb, filled):
    ws = wb["Kontroller blankett"]
    rows = [[ws.cell(r, c).value for c in range(1, 6)] for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value]
    by_rule = {}
    for rule, status, *_ in rows:
        by_rule.setdefault(rule, set()).add(status)
    assert "EJ LEVERERAD" in by_rule["BL11"]  # HR key figures without bokslut.hr
    assert by_rule["BL10"] == {"OK"}  # Budgetavräkning = RR = Anl.-rör.kap = Invent o maskin
    assert "OK" in by_rule["BL04"] and "FEL" not in by_rule["BL04"]
    assert "VARNING" in by_rule["BL01"]  # 2406 has no comment in the example file
    findings = filled["VB"].delivery["findings"]
    assert any(f["rule_id"] == "BL11" and "LISA" in f["message"] for f in findings)


def test_delivery_folder_holds_workbook_reports_and_manual_copy(filled):
    names = sorted(p.split("/")[-1] for p in filled["VB"].delivery["files"])
    assert names == ["blanketter_191_VB-2024.xlsx", "kontroller_blankett_191_VB-2024.tsv",
                     "manuella_uppgifter_191_VB-2024.yaml", "valideringsrapport_191_202413.html"]
    assert filled["VB"].path.parent.name == "VB-2024" and filled["VB"].path.parent.parent.name == "191"
