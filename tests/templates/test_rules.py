"""Template rules: one failing case per rule (and the passing case next to it), on hand-built data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from bokslut.controls.model import ControlResult, ControlRun
from bokslut.reports.model import Column, Report, ReportRow
from bokslut.templates import rules
from bokslut.templates.fill import FilledCell, FilledRow, FilledTable, FilledWorkbook, Missing
from bokslut.templates.manual import ManualInputs
from bokslut.templates.mapping import TemplateMapping
from bokslut.templates.measures import Ore, RowItem
from bokslut.domain.periods import get_point

pytestmark = pytest.mark.unit

MNKR = 100_000_000
TKR = 100_000


def workbook_filled(point: str = "VB", manual: dict | None = None, **kwargs) -> FilledWorkbook:
    mapping = TemplateMapping(Path("x.yaml"), Path("x.xlsx"), point, 2024, {}, (), {})
    inputs = ManualInputs(Path("VB-2024.yaml"), manual or {}, "0" * 64)
    return FilledWorkbook("191", 2024, get_point(point), mapping, inputs, **kwargs)


def table(name: str, source: str, rows: list[dict], sheet: str = "Blad", first_row: int = 2) -> FilledTable:
    filled_rows = [FilledRow(r.get("code", str(i)), r.get("label", f"rad {i}"), first_row + i,
                             {k: v for k, v in r.items() if k not in ("code", "label")},
                             RowItem(r.get("code", str(i)), r.get("label", f"rad {i}")))
                   for i, r in enumerate(rows)]
    return FilledTable(name, sheet, source, first_row, max(2, len(rows)), None, {}, filled_rows)


def statuses(results: list[rules.RuleResult], rule_id: str) -> list[str]:
    return [r.status for r in results if r.rule_id == rule_id]


PARAMS = rules.DEFAULTS


# ------------------------------------------------------------------------------- BL01-BL03


def test_bl01_budget_deviation_without_comment_is_a_warning():
    row = {"code": "2404", "label": "Feriejobb", "budget_kostnad": Ore(28 * MNKR), "utfall_kostnad": Ore(30 * MNKR),
           "budget_intakt": Ore(-30 * MNKR), "utfall_intakt": Ore(-30 * MNKR)}
    filled = workbook_filled(tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    results = rules.rule_budget_deviation(filled, None, PARAMS)
    assert statuses(results, "BL01") == ["varning"]
    assert "verksamhetsprojekt.2404.kommentar" in results[0].message and "-2,0 mnkr" in results[0].message
    commented = workbook_filled(manual={"verksamhetsprojekt": {"2404": {"kommentar": "Fler feriejobb."}}},
                                tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    assert statuses(rules.rule_budget_deviation(commented, None, PARAMS), "BL01") == ["ok"]


def test_bl01_compares_the_forecast_at_t2():
    row = {"code": "1", "budget_kostnad": Ore(10 * MNKR), "utfall_kostnad": Ore(1 * MNKR), "prognos_kostnad": Ore(12 * MNKR),
           "budget_intakt": Ore(0), "prognos_intakt": Ore(0)}
    filled = workbook_filled("T2", tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    assert statuses(rules.rule_budget_deviation(filled, None, PARAMS), "BL01") == ["varning"]


def test_bl02_forecast_total_against_decided_total_needs_a_comment():
    row = {"code": "2401", "beslutat_kostnad": Ore(185 * MNKR), "prognos_total_kostnad": Ore(170 * MNKR)}
    filled = workbook_filled(tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    assert statuses(rules.rule_decided_deviation(filled, None, PARAMS), "BL02") == ["varning"]


def test_bl03_forecast_date_differing_from_decided_date_needs_an_explanation():
    row = {"code": "2404", "beslutat_slut": date(2024, 9, 30), "prognos_slut": date(2024, 12, 31),
           "beslutat_start": date(2023, 10, 1), "prognos_start": date(2023, 10, 1)}
    filled = workbook_filled(tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    results = rules.rule_dates(filled, None, PARAMS)
    assert statuses(results, "BL03") == ["varning"] and "2024-12-31" in results[0].message
    explained = workbook_filled(manual={"verksamhetsprojekt": {"2404": {"datumkommentar": "Slutredovisning i december."}}},
                                tables=[table("verksamhetsprojekt", "verksamhetsprojekt", [row])])
    assert statuses(rules.rule_dates(explained, None, PARAMS), "BL03") == ["ok"]


# ------------------------------------------------------------------------------------ BL04


def test_bl04_a_sum_row_that_misses_a_row_fails():
    wb = Workbook()
    ws = wb.active
    ws.title = "Blad"
    for r, v in ((2, 1.5), (3, 2.5), (4, 4.0)):
        ws[f"B{r}"] = v
    ws["B6"] = "=SUM(B2:B3)"  # a row inserted below the range without the formula following
    t = table("verksamhetsprojekt", "verksamhetsprojekt", [{"code": "a"}, {"code": "b"}, {"code": "c"}])
    t.sum_row = 6
    results = rules.rule_sum_rows(workbook_filled(tables=[t]), wb, PARAMS)
    assert statuses(results, "BL04") == ["fel"] and "=SUM(B2:B3)" in results[0].message
    ws["B6"] = "=SUM(B2:B4)"
    assert statuses(rules.rule_sum_rows(workbook_filled(tables=[t]), wb, PARAMS), "BL04") == ["ok"]


# ------------------------------------------------------------------------------- BL05-BL07


def unit(**values) -> dict:
    return {"code": "2130", "label": "Jobbtorg västerort", "bruttobudget": Ore(1000 * TKR), **values}


def test_bl05_transfer_over_five_percent_fails():
    row = unit(resultat_exkl=Ore(-60 * TKR), eget_handlande="JA")  # surplus 60 tkr = 6 %
    filled = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [row])])
    results = rules.rule_transfer_limit(filled, None, PARAMS)
    assert statuses(results, "BL05") == ["fel"] and "6,0 %" in results[0].message
    within = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [unit(resultat_exkl=Ore(-50 * TKR), eget_handlande="JA")])])
    assert statuses(rules.rule_transfer_limit(within, None, PARAMS), "BL05") == ["ok"]
    not_own = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [unit(resultat_exkl=Ore(-60 * TKR), eget_handlande="NEJ")])])
    assert rules.rule_transfer_limit(not_own, None, PARAMS) == []


@pytest.mark.parametrize("accumulated, share", [(120, "12,0 %"), (-60, "-6,0 %")])
def test_bl06_accumulated_fund_over_ten_or_under_minus_five_percent_fails(accumulated, share):
    row = unit(ack_overforing=Ore(accumulated * TKR))
    results = rules.rule_fund_limits(workbook_filled(tables=[table("resultatenheter", "resultatenheter", [row])]), None, PARAMS)
    assert statuses(results, "BL06") == ["fel"] and share in results[0].message
    ok = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [unit(ack_overforing=Ore(-40 * TKR))])])
    assert statuses(rules.rule_fund_limits(ok, None, PARAMS), "BL06") == ["ok"]


def test_bl07_own_action_must_be_ja_or_nej():
    row = unit(eget_handlande="kanske")
    results = rules.rule_own_action(workbook_filled(tables=[table("resultatenheter", "resultatenheter", [row])]), None, PARAMS)
    assert statuses(results, "BL07") == ["fel"] and "'kanske'" in results[0].message
    ok = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [unit(eget_handlande="NEJ")])])
    assert rules.rule_own_action(ok, None, PARAMS) == []


# ------------------------------------------------------------------------------------ BL08


def invent_workbook(deviation: object) -> tuple[Workbook, FilledWorkbook]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Invent o maskin"
    ws["C8"], ws["E8"], ws["D8"] = 4.0, 3.0368653, deviation
    cells = {"vp": FilledCell("Invent o maskin", "C8", "vp", Ore(4 * MNKR)),
             "utfall": FilledCell("Invent o maskin", "E8", "utfall", Ore(303686530)),
             "avvikelse": FilledCell("Invent o maskin", "D8", "avvikelse", None)}
    return wb, workbook_filled(manual={"invent_o_maskin": {"kommentar": "Försenad upphandling."}}, cells=cells)


def test_bl08_deviation_cell_must_be_vp_minus_outturn():
    wb, filled = invent_workbook("=C8-E8")
    assert statuses(rules.rule_investment_deviation(filled, wb, PARAMS), "BL08") == ["ok"]
    wb, filled = invent_workbook("=E8-C8")  # the sign turned round in an edited template
    results = rules.rule_investment_deviation(filled, wb, PARAMS)
    assert statuses(results, "BL08") == ["fel"] and "VP − utfall är 1,0 mnkr" in results[0].message


def test_bl08_an_uncommented_deviation_is_a_warning():
    wb, filled = invent_workbook("=C8-E8")
    filled.manual.data.clear()
    assert statuses(rules.rule_investment_deviation(filled, wb, PARAMS), "BL08") == ["ok", "varning"]


# ------------------------------------------------------------------------------------ BL09


def external(**values) -> dict:
    return {"code": "2403", "label": "Kompetenslyft vård", "ib": Ore(6500 * TKR), "extern_finansiering": Ore(31000 * TKR),
            "bokford_kostnad": Ore(29000 * TKR), **values}


def test_bl09_carry_forward_above_the_remaining_amount_fails():
    row = external(belopp_att_balansera=Ore(9000 * TKR))  # 6 500 + 31 000 - 29 000 = 8 500 remain
    filled = workbook_filled(manual={"externa_projekt": {"2403": {"beslut": "AMN § 12"}}},
                             tables=[table("externa_projekt_ovriga", "externa_projekt", [row])])
    results = rules.rule_carry_forward(filled, None, PARAMS)
    assert statuses(results, "BL09") == ["fel"] and "8\u00a0500,0 tkr" in results[0].message


def test_bl09_carry_forward_without_decision_fails():
    row = external(belopp_att_balansera=Ore(8000 * TKR))
    filled = workbook_filled(tables=[table("externa_projekt_ovriga", "externa_projekt", [row])])
    results = rules.rule_carry_forward(filled, None, PARAMS)
    assert statuses(results, "BL09") == ["fel"] and "nämndbeslut" in results[0].message


# ------------------------------------------------------------------------------------ BL10


def reports(summa_drift: int, arets_resultat: int) -> dict[str, Report]:
    ba = Report("budgetavrakning", "Budgetavräkning", "191", 202401, 202413,
                [Column("row", "Rad", "text"), Column("utfall", "Utfall")],
                [ReportRow("line", {"row": "Summa drift", "utfall": summa_drift}), ReportRow("line", {"row": "Utgifter", "utfall": 5})])
    rr = Report("resultatrakning", "Resultaträkning", "191", 202401, 202413,
                [Column("name", "Benämning", "text"), Column("totalt", "Totalt")],
                [ReportRow("total", {"name": "Årets resultat", "totalt": arets_resultat}, level=0)])
    return {"budgetavrakning": ba, "resultatrakning": rr}


def test_bl10_budgetavrakning_summa_drift_must_equal_rr_result():
    results = rules.rule_cross_sheet(workbook_filled(reports=reports(98728304904, 98728304904 + 100)), None, PARAMS)
    assert statuses(results, "BL10") == ["fel"] and "differens -1,00 kr" in results[0].message
    assert statuses(rules.rule_cross_sheet(workbook_filled(reports=reports(7, 7)), None, PARAMS), "BL10") == ["ok"]


def test_bl10_invent_o_maskin_must_equal_budgetavrakning_investment():
    cells = {"utfall": FilledCell("Invent o maskin", "E8", "utfall", Ore(6))}
    results = rules.rule_cross_sheet(workbook_filled(reports=reports(7, 7), cells=cells), None, PARAMS)
    assert statuses(results, "BL10") == ["ok", "fel"]


# ------------------------------------------------------------------------------- BL11-BL12


def test_bl11_data_not_delivered_is_reported_per_reason():
    missing = [Missing("Nyckeltal personal", f"B{r}", f"nt{r}", "HR-nyckeltal från LISA ej levererade") for r in (12, 20)]
    results = rules.rule_not_delivered(workbook_filled(missing=missing), None, PARAMS)
    assert [(r.status, r.where) for r in results if r.rule_id == "BL11" and r.sheet] == [("ej levererad", "B12, B20")]
    no_file = workbook_filled()
    no_file.manual.path = None
    assert statuses(rules.rule_not_delivered(no_file, None, PARAMS), "BL11") == ["ej levererad"]


def test_bl12_blocking_account_control_fails():
    failing = ControlResult("KK07.1", "KK07", "Kontroll mot resultatrapport", "", "", "191", 202413, 10, 0, 10,
                            "blocking", "fel", "Se RR.")
    run = ControlRun(1, "191", 202413, [failing])
    results = rules.rule_account_controls(workbook_filled(control_run=run), None, PARAMS)
    assert statuses(results, "BL12") == ["fel"] and "KK07.1" in results[0].message


def test_check_rules_orders_failures_first_and_report_has_swedish_columns():
    row = unit(eget_handlande="kanske")
    filled = workbook_filled(tables=[table("resultatenheter", "resultatenheter", [row])], reports=reports(7, 7))
    results = rules.check_rules(filled, Workbook())
    assert results[0].status == "fel"
    report = rules.rules_report(results, filled)
    assert [c.heading for c in report.columns] == ["Kontroll", "Status", "Blad", "Cell/rad", "Meddelande"]
    assert report.notes[0].startswith("Sammanfattning: 1 fel")
