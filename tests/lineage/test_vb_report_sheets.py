"""The rest of the VB 2024 workbook explains itself too: every figure on its ledger-report and
Kontokontroller sheets has a Källor row and ``explain`` on that cell recomputes the same value
(the form cells are covered by test_cells.py)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from bokslut.lineage.cells import explain_filled
from bokslut.lineage.sources_sheet import SHEET_TITLE
from bokslut.reports.xlsx import FIRST_DATA_ROW
from tests.templates.conftest import filled, templates_warehouse  # noqa: F401 - session fixtures of the template tests

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def vb(filled):  # noqa: F811
    return filled["VB"]


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_every_figure_on_the_report_and_control_sheets_recomputes(templates_warehouse, vb):  # noqa: F811
    engine, _ = templates_warehouse
    wb = load_workbook(vb.path)
    mapping = vb.result.filled.mapping
    report_sheets = [s.sheet for s in mapping.sheets if s.kind in ("ledger_report", "kontokontroller")]
    assert "Kontokontroller" in report_sheets and len(report_sheets) >= 3
    listed = {(row[0].value, row[1].value): row[3].value for row in wb[SHEET_TITLE].iter_rows(min_row=5) if row[0].value}
    checked = agreed = 0
    for spec in (s for s in mapping.sheets if s.kind in ("ledger_report", "kontokontroller")):
        sheet, ws = spec.sheet, wb[spec.sheet]
        report = vb.result.filled.reports[spec.report if spec.kind == "ledger_report" else "kontokontroller"]
        amounts = {i + 1 for i, column in enumerate(report.columns) if column.kind == "amount"}  # laid out from A
        numeric = [c.coordinate for row in ws.iter_rows(min_row=FIRST_DATA_ROW) for c in row
                   if c.column in amounts and _numeric(c.value)]
        assert numeric, sheet
        for coordinate in numeric:
            assert (sheet, coordinate) in listed, f"{sheet}!{coordinate} saknas på Källor"
            assert listed[(sheet, coordinate)] == ws[coordinate].value, (sheet, coordinate)
            e = explain_filled(engine, vb.result.filled, sheet, coordinate, postings=3, workbook=wb)
            checked += 1
            assert e.agrees is not False, (sheet, coordinate, e.value, e.recomputed, e.source)
            agreed += e.agrees is True
    assert checked > 100 and agreed > 0.9 * checked, (checked, agreed)
