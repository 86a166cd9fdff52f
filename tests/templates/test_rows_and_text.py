"""More items than template rows: rows are added and sums follow. Text from inputs stays text."""

from __future__ import annotations

import shutil

import pytest
import yaml
from openpyxl import load_workbook

from bokslut.settings import REFERENCE_DIR, TEMPLATES_DIR
from bokslut.templates.fill import fill_workbook
from bokslut.templates.xlsxops import cell_value

pytestmark = pytest.mark.integration

EVIL = '=HYPERLINK("http://example.invalid/x","klicka")'


@pytest.fixture(scope="module")
def forms_only(tmp_path_factory):
    """The VB template with a mapping of its form sheets only (no ledger reports: fast)."""
    folder = tmp_path_factory.mktemp("forms_only")
    shutil.copy(TEMPLATES_DIR / "vb.xlsx", folder / "vb.xlsx")
    mapping = yaml.safe_load((TEMPLATES_DIR / "vb.yaml").read_text(encoding="utf-8"))
    mapping["sheets"] = [s for s in mapping["sheets"] if s.get("kind", "form") == "form"]
    (folder / "vb.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return folder / "vb.yaml"


def reference(folder, units: int):
    folder.mkdir()
    shutil.copy(REFERENCE_DIR / "forvaltningar.csv", folder)
    projects = (REFERENCE_DIR / "projekt.csv").read_text(encoding="utf-8")
    projects += "191;2407;@Nytt projekt;verksamhetsprojekt;J;2024-01-01;2025-12-31;10000000;;;;\n"
    projects += "191;2408;-Ytterligare projekt;verksamhetsprojekt;J;2024-01-01;2025-12-31;10000000;;;;\n"
    (folder / "projekt.csv").write_text(projects, encoding="utf-8")
    lines = ["Förvaltning;Ansvar;Namn;Intraprenad"] + [f"191;{9000 + i};Enhet {i};N" for i in range(units)]
    (folder / "resultatenheter.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def manual(path):
    data = {"forvaltning": "191", "ar": 2024, "rapporttillfalle": "VB",
            "innovationssatsningar": [{"namn": EVIL, "typ": "+verksamhetsutveckling", "beskrivning": "-punkt\n-punkt",
                                       "ansvarig_chef": "@chef"}],
            "resultatenheter": {"9000": {"eget_handlande": "ja"}}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def many(templates_warehouse, forms_only, tmp_path_factory):
    engine, _ = templates_warehouse
    tmp = tmp_path_factory.mktemp("many")
    result = fill_workbook(engine, "191", 2024, "VB", tmp / "out.xlsx", mapping_path=forms_only,
                           manual_path=manual(tmp / "manual.yaml"), reference_dir=reference(tmp / "ref", 40))
    return result, load_workbook(result.path)


def test_projects_beyond_the_template_rows_are_inserted_and_sums_follow(many):
    result, wb = many
    ws = wb["Verksamhetsprojekt"]
    assert [ws[f"A{r}"].value for r in (11, 17, 18)] == ["ESF Framtidsval", "@Nytt projekt", "-Ytterligare projekt"]
    assert ws["A20"].value == "Summa" and ws["B20"].value == "=SUM(B11:B18)" and ws["O20"].value == "=SUM(O11:O18)"
    assert ws["B18"].number_format == "#,##0.0" and ws["B18"].value == 0  # no postings: a number, not empty
    assert cell_value(wb, ws, "L20") == pytest.approx(sum(ws[f"L{r}"].value for r in range(11, 19)))
    assert ws["A17"].data_type == "s" and ws["A18"].data_type == "s"
    table = result.filled.table("verksamhetsprojekt")
    assert table.inserted == 3 and table.sum_row == 20


def test_forty_units_in_a_32_row_table(many):
    _result, wb = many
    ws = wb["Resultatenheter"]
    assert ws["A46"].value == "Enhet 39" and ws["A48"].value == "Summa resultatenheter"
    assert ws["B48"].value == "=SUM(B7:B46)" and ws["H48"].value == "=IF(B48=0,0,G48/B48)"
    assert ws["C46"].value == "=B46*0.05" and ws["J46"].value == '=IF(OR(B46=0,F46<>"JA"),0,-E46/B46)'
    assert str(ws.data_validations.dataValidation[0].sqref) == "F7:F46"
    assert ws["F7"].value == "JA"  # "ja" in the manual file, normalised


def test_strings_from_inputs_never_become_formulas(many):
    result, wb = many
    ws = wb["Innovationssatsningar"]
    assert ws["A12"].value == EVIL and ws["A12"].data_type == "s"
    assert ws["B12"].value == "+verksamhetsutveckling" and ws["B12"].data_type == "s"
    assert ws["C12"].value == "-punkt\n-punkt" and ws["H12"].value == "@chef"
    reread = load_workbook(result.path, data_only=False)
    assert reread["Innovationssatsningar"]["A12"].data_type == "s"


def test_no_units_prints_the_template_sentence(templates_warehouse, forms_only, tmp_path):
    engine, _ = templates_warehouse
    result = fill_workbook(engine, "191", 2024, "VB", tmp_path / "out.xlsx", mapping_path=forms_only,
                           manual_path=manual(tmp_path / "manual.yaml"), reference_dir=reference(tmp_path / "ref", 0))
    ws = load_workbook(result.path)["Resultatenheter"]
    assert ws["A7"].value == "Nämnden har inga resultatenheter" and ws["B40"].value == "=SUM(B7:B38)"


def test_hr_key_figures_fill_the_underlag_when_the_hr_module_delivers(templates_warehouse, forms_only, tmp_path, monkeypatch):
    """The lazy HR measure against the API of bokslut.hr.keyfigures (issue 5), with 2024's figures."""
    import sys
    import types
    from decimal import Decimal

    def figure(fid, numerator, denominator, value):
        return types.SimpleNamespace(id=fid, numerator=Decimal(numerator), denominator=Decimal(denominator), value=Decimal(value))

    def key_figures(engine, forvaltning, year, months):
        assert (forvaltning, months) == ("191", 12)
        figures = [figure("122", 969, 1056, "91.8" if year == 2024 else "91.2"), figure("125a", 757, 1056, 72),
                   figure("125b", 68, 86, 79), figure("125", 79, 72, "1.10"), figure("129", 5688, 1076, 5286)]
        return types.SimpleNamespace(by_id=lambda: {f.id: f for f in figures}, notes=["Frånvarofil saknas: 127–128 saknas."])

    monkeypatch.setitem(sys.modules, "bokslut.hr.keyfigures", types.SimpleNamespace(key_figures=key_figures))
    engine, _ = templates_warehouse
    result = fill_workbook(engine, "191", 2024, "VB", tmp_path / "out.xlsx", mapping_path=forms_only,
                           manual_path=manual(tmp_path / "manual.yaml"), reference_dir=REFERENCE_DIR)
    wb = load_workbook(result.path)
    ws = wb["Nyckeltal personal"]
    assert (ws["B12"].value, ws["C12"].value, ws["E12"].value) == (969, 1056, pytest.approx(0.912))
    assert round(cell_value(wb, ws, "D12"), 4) == 0.9176
    assert (ws["B36"].value, ws["C36"].value, ws["E36"].value, ws["F36"].value) == (757, 1056, 68, 86)
    assert round(cell_value(wb, ws, "H36"), 2) == 1.10
    assert round(cell_value(wb, ws, "D68"), 0) == 5286  # 5 688 tkr / 1 076 årsarbetare, from unrounded inputs
    missing = [m for m in result.filled.missing if m.sheet == "Nyckeltal personal"]
    assert missing and all("Frånvarofil saknas" in m.reason for m in missing if m.name.startswith("nt127"))
