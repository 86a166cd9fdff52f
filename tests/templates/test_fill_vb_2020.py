"""Golden 2020: the VB 2020 workbook of förvaltning 191, filled from the generated 2020 year (ledger,
LISA and BER loaded through the product's flows) with the 2020 template (include/templates/vb-2020),
reproduces every figure of tests/reference/2020: investeringar.tsv, projekt.tsv, nyckeltal.tsv (122–129
and 66) and the columns of blankett_kolumner.tsv that the workbook fills."""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bokslut.settings import Settings
from bokslut.templates.xlsxops import cell_value
from tests.conftest import REFERENCE_DIR, load_generated

pytestmark = pytest.mark.integration
MNKR = "#,##0.0"


def _reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / "2020" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def filled_2020(generated_2020, tmp_path_factory):
    """(delivery, FillResult, engine) of VB 2020, from a warehouse holding the generated 2020 year."""
    from bokslut.flows import templates as pipeline
    from bokslut.hr.pseudonym import KEY_ENV
    from bokslut.warehouse.db import upgrade
    from tests.hr.conftest import TEST_KEY, _load_generated

    tmp = tmp_path_factory.mktemp("vb2020")
    settings = Settings(tmp, f"sqlite:///{tmp / 'w.sqlite'}", tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    engine = sa.create_engine(settings.warehouse_url)
    upgrade(engine)
    load_generated(engine, generated_2020, settings)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_ENV, TEST_KEY)
        _load_generated(engine, generated_2020, settings)
    delivery, result = pipeline.build_with_result({"forvaltning": "191", "year": 2020, "point": "VB"}, settings)
    yield delivery, result, engine
    engine.dispose()


@pytest.fixture(scope="module")
def wb(filled_2020):
    return load_workbook(filled_2020[1].path)


def test_the_2020_template_is_chosen_with_its_sheets(wb, filled_2020):
    assert filled_2020[1].filled.mapping.path.name == "vb-2020.yaml"
    assert wb.sheetnames == ["Verksamhetsprojekt", "Resultatenheter", "Investeringar", "Externa projekt", "Nyckeltal 66",
                             "Nyckeltal personal", "Balansräkning", "Resultaträkning", "Kontroller blankett", "Källor"]


def test_investeringar_2_7_4_0_2_7_1_3(wb):
    ref = _reference("investeringar.tsv")[0]
    ws = wb["Investeringar"]
    assert ws["A8"].value == ref["rad"]
    assert [ws[c].value for c in ("B7", "C7", "D7", "E7")] == ["Utfall utgift 2019", "VP 2020 Utgift", "S:a avvik 2020",
                                                               "Utfall utgift 2020"]
    assert ws["E8"].value == pytest.approx(1.30719701)  # RR konto 40 totalt 1 307 197,01 kr, to the öre
    assert ws["D8"].value == "=C8-E8" and [ws[c].number_format for c in ("B8", "C8", "D8", "E8")] == [MNKR] * 4
    shown = [round(cell_value(wb, ws, c), 1) for c in ("B8", "C8", "D8", "E8")]
    assert shown == [float(ref[k]) for k in ("utfall_utgift_2019_mnkr", "vp_2020_utgift_mnkr", "sa_avvik_2020_mnkr",
                                             "utfall_utgift_2020_mnkr")]


def test_utfall_2020_is_the_rr_konto_40_total_and_the_budgetavrakning_utgifter(wb, filled_2020):
    from bokslut.reports.ledger import build_reports

    engine = filled_2020[2]
    reports = build_reports(engine, "191", 202013, ("resultatrakning", "budgetavrakning"))
    rr40 = next(r for r in reports["resultatrakning"].rows if r.values.get("account") == "40")
    utgifter = reports["budgetavrakning"].find(row="Utgifter").values["utfall"]
    assert rr40.values["totalt"] == utgifter == 130719701
    assert wb["Investeringar"]["E8"].value == pytest.approx(utgifter / 1e8)


def _tkr(text: str) -> float | None:
    return None if not text else int(text) / 1000


def test_externa_projekt_holds_the_project_appendix(wb):
    ws = wb["Externa projekt"]
    rows = {}
    for r in range(11, ws.max_row + 1):
        name = ws[f"A{r}"].value
        if isinstance(name, str) and name and not name.startswith(("*)", "(7)", "Övriga projekt")):
            rows[name.split(": ", 1)[-1]] = r
    expected = [p for p in _reference("projekt.tsv") if p["source_lines"] and int(p["id"][1:]) <= 20 and p["id"] != "P07"]
    assert sorted(rows) == sorted(p["projekt"] for p in expected)
    for p in expected:
        r = rows[p["projekt"]]
        eu = p["financier"].startswith(("ESF", "Europeiska"))
        label = ws[f"A{r}"].value
        assert (": " in label) == eu, label  # EU projects: "EU-program: projektnamn", in the EU block
        start, end = ws[f"B{r}"].value, ws[f"C{r}"].value
        if len(p["start_ym"]) == 7:
            assert (start.year, start.month) == tuple(map(int, p["start_ym"].split("-"))), p["id"]
            assert (end.year, end.month) == tuple(map(int, p["end_ym"].split("-"))), p["id"]
        else:  # year only in the seed (DEV, Studiesluss)
            assert (start.year, end.year) == (int(p["start_ym"]), int(p["end_ym"])), p["id"]
        assert ws[f"B{r}"].number_format == "yyyy-mm"
        total = _tkr(p["budget_amount"]) if p["budget_currency"].startswith("SEK") else None
        assert ws[f"D{r}"].value == (pytest.approx(total) if total is not None else None), p["id"]  # EUR: not converted
        assert ws[f"H{r}"].value == f"=F{r}+E{r}-G{r}"
    # the 2024 projects are not 2020's
    assert not any("ESF Framtidsval" in str(ws[f"A{r}"].value) for r in range(1, ws.max_row + 1))


def test_verksamhetsprojekt_shows_yfi_over_50_mnkr(wb):
    ws = wb["Verksamhetsprojekt"]
    names = [ws[f"A{r}"].value for r in range(11, 16)]
    assert names[0] == "YFI" and names[1:] == [None] * 4  # R01: > 50 mnkr, not an investment
    assert ws["L11"].value == pytest.approx(56.9)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", ".").rstrip("%"))


def _shown(value: float, decimals: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# nyckeltal -> (row, decimals of the value as the template prints it, percent)
PERSONAL = {"122": (12, 1, True), "123": (20, 1, True), "124": (28, 2, True), "127": (52, 2, True), "128": (60, 2, True),
            "129": (68, 0, False)}


def test_nyckeltal_122_to_129_in_the_workbook(wb):
    ws = wb["Nyckeltal personal"]
    refs = {r["nyckeltal"]: r for r in _reference("nyckeltal.tsv")}
    for fid, (row, decimals, percent) in PERSONAL.items():
        ref = refs[fid]
        assert ws[f"B{row}"].value == float(ref["täljare"]), fid
        assert ws[f"C{row}"].value == float(ref["nämnare"]), fid
        value = cell_value(wb, ws, f"D{row}") * (100 if percent else 1)
        assert _shown(value, decimals) == _dec(ref["värde_2020"]), fid
        prior = ws[f"E{row}"].value * (100 if percent else 1)
        assert _shown(prior, 2 if fid == "124" else decimals) == _dec(ref["värde_2019"]), fid
    # 125: underlag 686/951 and 84/111, the ratio with three decimals as the 2020 template prints it
    assert [ws[c].value for c in ("B36", "C36", "E36", "F36")] == [686, 951, 84, 111]
    assert ws["H36"].number_format == "0.000"
    assert _shown(cell_value(wb, ws, "H36"), 3) == Decimal("1.049")
    assert _shown(ws["I36"].value, 2) == Decimal("1.06")
    # 126: only the ratio (0,72; 2019 0,75)
    assert (ws["H44"].value, ws["I44"].value) == (pytest.approx(0.72), pytest.approx(0.75))


def test_nyckeltal_66_from_the_manual_file(wb):
    ws = wb["Nyckeltal 66"]
    assert (ws["B13"].value, ws["C13"].value) == (104, 140)
    # 104/140 = 74,3 %; the seed prints 74,1 % from unrounded monthly data (inconsistencies.tsv line 141)
    assert round(cell_value(wb, ws, "D13"), 3) == 0.743
    assert ws["E13"].value == pytest.approx(0.729)


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).replace("(-)", "").strip().lower()


# blankett_kolumner.tsv blankett -> (sheet, header row, first column of "1")
BLANKETTER = {"Verksamhetsprojekt": ("Verksamhetsprojekt", 9), "Investeringar (sheet name missing in seed)": ("Investeringar", 7),
              "Externa projekt": ("Externa projekt", 8)}


def test_blankett_columns_of_the_2020_package(wb):
    """Every numbered column of Verksamhetsprojekt, Investeringar and Externa projekt sits where the
    2020 blankett has it (column n = the n-th after the label column), with its header."""
    checked = 0
    for ref in _reference("blankett_kolumner.tsv"):
        if ref["blankett"] not in BLANKETTER or not ref["col_no"].isdigit():
            continue
        sheet, header_row = BLANKETTER[ref["blankett"]]
        ws = wb[sheet]
        col = int(ref["col_no"]) + 1  # column A holds the row label
        headers = " ".join(_norm(ws.cell(r, col).value) for r in range(header_row - 3, header_row + 1))
        word = _norm(ref["header_verbatim"]).split(" (")[0].split(" / ")[0].split()[0]
        assert word in headers, (ref["blankett"], ref["col_no"], ref["header_verbatim"], headers)
        checked += 1
    assert checked == 18 + 4 + 8


def test_rules_hold_for_2020(filled_2020):
    delivery, result, _ = filled_2020
    by_rule = {}
    for r in result.rules:
        by_rule.setdefault(r.rule_id, set()).add(r.status)
    assert by_rule["BL08"] == {"ok"}  # S:a avvik 2,7 = VP − utfall, and the manual file comments it
    assert "fel" not in set().union(*by_rule.values())
    assert not any(r.rule_id == "BL11" and "LISA" in r.message for r in result.rules)  # HR delivered for 2020


def test_resultatenheter_2020_says_the_namnd_had_none(wb):
    """The 2020 package: "Nämnden har inga resultatenheter" (its units start in 2021)."""
    texts = [c.value for row in wb["Resultatenheter"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Nämnden har inga resultatenheter" in texts
    assert not any("Jobbtorg Stockholm, västerort" in t or "Kommunala aktivitetsansvaret" in t for t in texts)
