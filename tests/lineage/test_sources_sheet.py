"""The Källor sheet writes what input files hold (labels, account names) as literal text only."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from bokslut.lineage.model import CellSource
from bokslut.lineage.sources_sheet import SHEET_TITLE, add_sources_sheet
import pytest

pytestmark = pytest.mark.unit


def test_texts_that_look_like_formulas_stay_text_and_numbers_stay_numbers(tmp_path) -> None:
    wb = Workbook()
    add_sources_sheet(wb, [CellSource("Blad", "A1", "=1+1", 3.5, "@SUM(A1)\uffff"), CellSource("Blad", "B2", "+46", "-2", "x")])
    wb.save(tmp_path / "k.xlsx")
    ws = load_workbook(tmp_path / "k.xlsx")[SHEET_TITLE]
    assert [c.value for c in ws[5]] == ["Blad", "A1", "=1+1", 3.5, "@SUM(A1)"]
    assert all(c.data_type == "s" for c in (ws["C5"], ws["E5"], ws["C6"], ws["D6"]))
    assert ws["D5"].data_type == "n"
