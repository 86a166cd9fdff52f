"""The T2 2024 workbook: year-to-date figures for periods 01-08 and the suggested forecast."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bokslut.reports.ledger import REPORT_NAMES, build_reports
from bokslut.reports.tsv import write_tsv
from bokslut.templates.xlsxops import cell_value
from tests.templates.sheets import ledger_sheet_differences
from tests.templates.test_fill_vb import LEDGER_SHEETS

pytestmark = pytest.mark.integration

PUBLISHED = "load_id IN (SELECT load_id FROM publication WHERE source = 'ledger' AND forvaltning = '191')"
DRIFT = ("anslag = 'D' AND ((SUBSTR(konto, 1, 2) BETWEEN '40' AND '78') OR (SUBSTR(konto, 1, 2) = '85' "
         "AND SUBSTR(konto, 1, 3) <> '852'))")


@pytest.fixture(scope="module")
def wb(filled):
    return load_workbook(filled["T2"].path)


def mnkr(engine, where: str, first: int, last: int) -> float:
    """Straight from the published postings, independent of the template code."""
    sql = sa.text(f"SELECT SUM(amount_ore) FROM posting WHERE forvaltning = '191' AND {PUBLISHED} AND {where} "
                  "AND period BETWEEN :a AND :b")
    with engine.connect() as connection:
        return (connection.execute(sql, {"a": first, "b": last}).scalar() or 0) / 100_000_000


def test_t2_workbook_exists_with_its_sheets(filled, wb):
    assert filled["T2"].path.name == "blanketter_191_T2-2024.xlsx" and filled["T2"].path.parent.name == "T2-2024"
    assert wb.sheetnames == ["Prognos", "Verksamhetsprojekt", "Invent o maskin", "Ej aktiverbara utgifter-inkomst",
                             "Externa projekt", *LEDGER_SHEETS.values(), "Kontokontroller", "Kontroller blankett", "Källor"]


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_ledger_sheets_hold_the_year_to_date_202401_202408(wb, templates_warehouse, tmp_path, name):
    engine, _ = templates_warehouse
    report = build_reports(engine, "191", 202408, (name,))[name]
    assert (report.period_from, report.period_to) in ((202401, 202408), (202400, 202408))
    expected = tmp_path / f"{name}.tsv"
    with expected.open("w", encoding="utf-8") as fh:
        write_tsv(report, fh)
    keys = [c.key for c in report.columns]
    assert ledger_sheet_differences(wb[LEDGER_SHEETS[name]], expected, keys=keys) == []
    assert wb[LEDGER_SHEETS[name]]["A3"].value.endswith("–202408")


def test_budgetavrakning_outturn_is_periods_01_to_08_only(wb, templates_warehouse):
    engine, _ = templates_warehouse
    ws = wb["Budgetavräkning"]
    assert ws["C7"].value == "Drift och underhåll"
    assert ws["E7"].value == pytest.approx(mnkr(engine, DRIFT, 202401, 202408) * 1_000_000, abs=0.005)
    assert ws["E7"].value != pytest.approx(mnkr(engine, DRIFT, 202401, 202413) * 1_000_000, abs=1)


def test_prognos_sheet_outturn_suggestion_and_manual_override(wb, templates_warehouse):
    engine, _ = templates_warehouse
    ws = wb["Prognos"]
    assert ws["A7"].value == "Drift och underhåll" and ws["C5"].value == "Utfall t.o.m. augusti 2024"
    ytd, ytd_2023, full_2023 = (mnkr(engine, DRIFT, a, b) for a, b in ((202401, 202408), (202301, 202308), (202301, 202313)))
    assert ws["C7"].value == pytest.approx(ytd)
    assert ws["D7"].value == pytest.approx(ytd_2023 / full_2023)  # the 2023 profile (the only earlier year)
    assert ws["E7"].value == pytest.approx(ytd / (ytd_2023 / full_2023), abs=1e-6)
    assert ws["B7"].value == pytest.approx(1615.5)  # BJ, whole year
    assert ws["F7"].value == pytest.approx(1583.9)  # the T2 forecast version in Agresso
    assert ws["G7"].value == pytest.approx(1585.0)  # the förvaltning's own forecast (manual file)
    assert ws["H7"].value == '=IF(G7="",E7,G7)' and cell_value(wb, ws, "H7") == pytest.approx(1585.0)
    assert cell_value(wb, ws, "H8") == pytest.approx(ws["E8"].value)  # no override: the suggestion
    assert cell_value(wb, ws, "I13") == pytest.approx(cell_value(wb, ws, "B13") - cell_value(wb, ws, "H13"))
    for coordinate in ("B7", "C7", "E7", "F7", "G7", "B10", "H13"):
        assert ws[coordinate].number_format == "#,##0.0"
    assert ws["D7"].number_format == "0.0%"


def test_project_and_investment_sheets_are_year_to_date(wb, templates_warehouse):
    engine, _ = templates_warehouse
    ws = wb["Verksamhetsprojekt"]
    assert ws["F7"].value == "Utfall t.o.m. augusti"
    sql = "projekt = '2401' AND anslag = 'D' AND SUBSTR(konto, 1, 1) IN ('4','5','6','7')"
    assert ws["F11"].value == pytest.approx(mnkr(engine, sql, 202401, 202408))
    assert ws["H11"].value == pytest.approx(61.0)  # prognos_helar from the manual file
    assert ws["J11"].value == "=D11-H11"
    ws = wb["Invent o maskin"]
    invest = "anslag = 'I' AND konto BETWEEN '4000' AND '8999' AND SUBSTR(konto, 1, 3) <> '789'"
    assert ws["F8"].value == pytest.approx(mnkr(engine, invest, 202401, 202408))
    assert ws["D8"].value == pytest.approx(3.3) and ws["E8"].value == "=C8-D8"
