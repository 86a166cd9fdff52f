"""Row insertion keeps formulas, merges and validations right; the evaluator computes like Excel."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from bokslut.templates.xlsxops import FormulaError, cell_value, evaluate, insert_table_rows, shift_formula
from bokslut.xlsxcell import put

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("formula, expected", [
    ("=SUM(B11:B15)", "=SUM(B11:B17)"),  # a range spanning the insertion grows
    ("=B15*0.05", "=B17*0.05"),  # at or below moves
    ("=B10+$C$14", "=B10+$C$14"),  # above stays
    ("=SUM(B16:B18)", "=SUM(B18:B20)"),
    ("='Annat blad'!B15", "='Annat blad'!B15"),  # another sheet's reference is not ours
])
def test_shift_formula_on_own_sheet(formula, expected):
    assert shift_formula(formula, "Blad", 15, 2, own_sheet=True) == expected


def test_shift_formula_from_another_sheet_moves_only_qualified_references():
    assert shift_formula("=Blad!B15+B15", "Blad", 15, 2, own_sheet=False) == "=Blad!B17+B15"
    assert shift_formula("='Invent o maskin'!C8-1", "Invent o maskin", 8, 1, own_sheet=False) == "='Invent o maskin'!C9-1"


def test_insert_table_rows_copies_row_formulas_and_moves_everything_below():
    wb = Workbook()
    ws = wb.active
    ws.title = "Resultatenheter"
    other = wb.create_sheet("Sammanställning")
    for r in (7, 8, 9):
        ws[f"B{r}"] = r
        ws[f"C{r}"] = f"=B{r}*0.05"
        ws[f"C{r}"].number_format = "#,##0.0"
    ws["B11"] = "=SUM(B7:B9)"
    ws["A13"] = "Fotnot"
    ws.merge_cells("A13:E14")
    validation = DataValidation(type="list", formula1='"JA,NEJ"')
    validation.add("F7:F9")
    ws.add_data_validation(validation)
    ws.row_dimensions[13].height = 40
    other["A1"] = "=Resultatenheter!B11"

    insert_table_rows(wb, ws, 9, 2, template_row=7)

    assert [ws[f"C{r}"].value for r in range(7, 12)] == ["=B7*0.05", "=B8*0.05", "=B9*0.05", "=B10*0.05", "=B11*0.05"]
    assert ws["C10"].number_format == "#,##0.0"
    assert ws["B11"].value == 9 and ws["B13"].value == "=SUM(B7:B11)"
    assert ws["A15"].value == "Fotnot" and [r.coord for r in ws.merged_cells.ranges] == ["A15:E16"]
    assert str(ws.data_validations.dataValidation[0].sqref) == "F7:F11"
    assert ws.row_dimensions[15].height == 40
    assert other["A1"].value == "=Resultatenheter!B13"


def test_insert_needs_the_template_row_above():
    wb = Workbook()
    with pytest.raises(ValueError, match="mallraden"):
        insert_table_rows(wb, wb.active, 5, 1, template_row=5)


def test_put_never_makes_a_formula_from_text_and_keeps_formats():
    wb = Workbook()
    ws = wb.active
    for coordinate, text in (("A1", "=HYPERLINK(\"http://x\",\"klicka\")"), ("A2", "+46 8 508"), ("A3", "-avdrag"), ("A4", "@sum")):
        put(ws[coordinate], text)
        assert ws[coordinate].value == text and ws[coordinate].data_type == "s"
    ws["B1"].number_format = "#,##0.0"
    put(ws["B1"], 2.5)
    assert ws["B1"].value == 2.5 and ws["B1"].number_format == "#,##0.0"
    put(ws["C1"], date(2024, 12, 31))
    assert ws["C1"].is_date and ws["C1"].number_format == "yyyy-mm-dd"
    with pytest.raises(TypeError):
        put(ws["D1"], True)


def test_evaluate_like_excel():
    wb = Workbook()
    ws = wb.active
    ws["B7"], ws["E7"], ws["F7"], ws["G7"] = 200.0, -12.0, "JA", 30.0
    assert evaluate(wb, ws, "=B7*0.05") == pytest.approx(10.0)
    assert evaluate(wb, ws, '=IF(OR(B7=0,F7<>"JA"),0,-E7/B7)') == pytest.approx(0.06)
    assert evaluate(wb, ws, "=IF(B8=0,0,G8/B8)") == 0  # empty = 0, the division is never made
    assert evaluate(wb, ws, '=IF(G8="",B7,G8)') == 200.0  # empty = ""
    assert evaluate(wb, ws, "=SUM(B7:B9)+5%") == pytest.approx(200.05)
    assert evaluate(wb, ws, "=-(2+3)^2") == 25  # Excel: negation binds tighter than ^
    ws["H1"] = "=B7-E7"
    assert cell_value(wb, ws, "H1") == 212.0
    with pytest.raises(FormulaError, match="division med noll"):
        evaluate(wb, ws, "=B7/B8")
    with pytest.raises(FormulaError, match="stöds inte"):
        evaluate(wb, ws, "=VLOOKUP(B7,A1:B2,2)")
