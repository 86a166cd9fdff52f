"""Prognos method, the manual-input file, reference files and the mappings against their templates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bokslut.settings import TEMPLATES_DIR
from bokslut.domain import forecast
from bokslut.templates.manual import ManualInputError, to_decimal
from bokslut.templates.manual_file import load_manual
from bokslut.templates.mapping import MappingError, check_against, load_mapping
from bokslut.templates.placeholders import expand
from bokslut.domain.periods import get_point
from bokslut.templates.reference import ReferenceError, load_projects, load_result_units

pytestmark = pytest.mark.unit

# ------------------------------------------------------------------------------------ prognos


def test_suggestion_divides_the_outturn_by_the_pooled_seasonal_share():
    # By August: 400 of 1 000 in 2022 (40 %), 400 of 500 in 2023 (80 %); pooled 800/1 500.
    history = {2022: {p: 50 for p in range(1, 9)} | {9: 100, 13: 500}, 2023: {p: 50 for p in range(1, 9)} | {13: 100}}
    suggestion = forecast.suggest(650, 8, history)
    share = (400 + 400) / (400 + 600 + 400 + 100)
    assert suggestion.share == pytest.approx(share)
    assert suggestion.value_ore == round(650 / share)
    assert suggestion.years == (2022, 2023)


def test_suggestion_falls_back_to_a_straight_line_without_usable_history():
    assert forecast.suggest(800, 8, {}).value_ore == 1200
    assert forecast.suggest(800, 4, {}).method.startswith("linjär uppräkning ×12/4")
    # the same periods were almost nothing last year (share 1 %): not a usable profile
    assert forecast.suggest(800, 8, {2023: {1: 1, 13: 99}}).share is None


def test_complete_years_need_all_twelve_months_published():
    published = {202300 + m for m in range(0, 14)} | {202201, 202202}
    assert forecast.complete_years(published, range(2021, 2024)) == [2023]


# -------------------------------------------------------------------------------- manual file


def test_manual_file_is_checked_against_forvaltning_year_and_point(tmp_path):
    path = tmp_path / "VB-2024.yaml"
    path.write_text('forvaltning: "191"\nar: 2023\n', encoding="utf-8")
    with pytest.raises(ManualInputError, match="ar är 2023 men blanketterna gäller 2024"):
        load_manual(path, "191", 2024, "VB")
    path.write_text("kommentarer: {}\n", encoding="utf-8")
    with pytest.raises(ManualInputError, match="okänd"):
        load_manual(path, "191", 2024, "VB")
    path.write_text("verksamhetsprojekt:\n  2404: {kommentar: '  '}\n", encoding="utf-8")
    inputs = load_manual(path, "191", 2024, "VB")
    assert inputs.get("verksamhetsprojekt.2404.kommentar") is None  # blank is absent; numeric keys read as text
    assert len(inputs.sha256) == 64 and load_manual(tmp_path / "saknas.yaml", "191", 2024, "VB").path is None


@pytest.mark.parametrize("value, expected", [("12,5", Decimal("12.5")), (-3, Decimal(-3)), ("−1 234,5", Decimal("-1234.5")),
                                             (0.1, Decimal("0.1")), ("", None)])
def test_manual_numbers(value, expected):
    assert to_decimal(value, "x") == expected


def test_manual_number_errors_name_the_key():
    with pytest.raises(ManualInputError, match="resultatenheter.2130.ack_resultatfond_ib: 'tio' är inget tal"):
        to_decimal("tio", "resultatenheter.2130.ack_resultatfond_ib")


def test_example_manual_files_load():
    for point in ("T1", "T2", "VB"):
        path = TEMPLATES_DIR.parent / "manual" / "191" / f"{point}-2024.yaml"
        assert load_manual(path, "191", 2024, point).path == path


# ---------------------------------------------------------------------------- reference files


def test_reference_files_for_191():
    projects = {p.code: p for p in load_projects("191")}
    assert projects["2401"].is_eu and projects["2401"].decided_cost_ore == 185_000_000_00
    assert projects["2490"].kind == "investering"
    assert [u.code for u in load_result_units("191")] == ["2130", "5110"]
    assert [u.code for u in load_result_units("191", year=2024)] == ["2130", "5110"]
    assert load_result_units("191", year=2020) == []  # the 2020 package: "Nämnden har inga resultatenheter"


def test_result_units_exist_between_their_years(tmp_path):
    (tmp_path / "resultatenheter.csv").write_text(
        "Förvaltning;Ansvar;Namn;Intraprenad;Från år;Till år\n191;1;Gammal;N;;2021\n191;2;Ny;N;2022;\n191;3;Alltid;N;;\n",
        encoding="utf-8")
    assert [u.code for u in load_result_units("191", tmp_path, year=2021)] == ["1", "3"]
    assert [u.code for u in load_result_units("191", tmp_path, year=2022)] == ["2", "3"]
    (tmp_path / "resultatenheter.csv").write_text(
        "Förvaltning;Ansvar;Namn;Intraprenad;Från år\n191;1;X;N;tjugo\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="rad 2, kolumn Från år"):
        load_result_units("191", tmp_path, year=2024)


def test_reference_errors_name_file_line_and_column(tmp_path):
    (tmp_path / "projekt.csv").write_text("Förvaltning;Projekt;Namn;Typ;Beslutad kostnad\n191;1;X;pågående;1\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="projekt.csv rad 2, kolumn Typ"):
        load_projects("191", tmp_path)
    (tmp_path / "projekt.csv").write_text("Förvaltning;Projekt;Namn;Typ;Beslutad kostnad\n191;1;X;investering;mycket\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="rad 2, kolumn Beslutad kostnad"):
        load_projects("191", tmp_path)


# ----------------------------------------------------------------------------------- mappings


@pytest.mark.parametrize("point", ["T1", "T2", "VB"])
def test_each_mapping_fits_its_template(point):
    mapping = load_mapping(TEMPLATES_DIR / f"{point.lower()}.yaml")
    assert mapping.point == point and mapping.template.exists()
    assert check_against(mapping, load_workbook(mapping.template)) == []


@pytest.mark.parametrize("point", ["T1", "T2", "VB"])
def test_template_texts_are_the_2024_texts_of_the_mapping(point):
    """The xlsx shows what the mapping's texts give for 2024 and förvaltning 191 (no drift between them)."""
    mapping = load_mapping(TEMPLATES_DIR / f"{point.lower()}.yaml")
    wb = load_workbook(mapping.template)
    rp = get_point(point)
    values = {"ar": 2024, "period": rp.period(2024), "period_fran": 202401, "punkt": point, "rapport": rp.name_sv,
              "manader": rp.months_sv, "manad": rp.last_month_sv, "namnd": "Arbetsmarknadsnämnden", "forvaltning": "191",
              "forvaltningsnamn": "Arbetsmarknadsförvaltningen"}
    for sheet, cells in mapping.texts.items():
        for coordinate, text in cells.items():
            assert wb[sheet][coordinate].value == expand(text, values), f"{sheet}!{coordinate}"


def test_template_number_formats_are_one_decimal_and_units_are_printed():
    wb = load_workbook(TEMPLATES_DIR / "vb.xlsx")
    assert {wb["Verksamhetsprojekt"][f"{c}11"].number_format for c in "BCDEFGHIJKLMNO"} == {"#,##0.0"}
    assert wb["Verksamhetsprojekt"]["A8"].value == "Mnkr" and wb["Invent o maskin"]["A7"].value == "mnkr"
    assert "tkr" in wb["Resultatenheter"]["B5"].value and wb["Externa projekt"]["A9"].value == "Belopp i tkr"
    assert wb["Resultatenheter"]["H7"].number_format == "0.0%" and wb["Resultatenheter"]["I7"].number_format == "#,##0"
    assert wb["Externa projekt"]["B11"].number_format == "yyyy-mm"
    assert wb["Nyckeltal 66"]["B13"].fill.fgColor.rgb.endswith("FFFF99")  # gulmarkerad ruta


def test_mapping_errors_are_explained(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("template: vb.xlsx\npoint: VB\nsheets:\n  - sheet: Blad\n    tables:\n      - {rows: verksamhetsprojekt, "
                   "first_row: 5, template_rows: 1, columns: {A: {field: etikett}}}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="template_rows måste vara minst 2"):
        load_mapping(bad)
    bad.write_text("template: vb.xlsx\npoint: VB\nsheets:\n  - sheet: Verksamhetsprojekt\n    cells:\n      B8: {measure: finns.inte}\n",
                   encoding="utf-8")
    mapping = load_mapping(bad)
    assert check_against(mapping, load_workbook(TEMPLATES_DIR / "vb.xlsx")) == ["Verksamhetsprojekt!B8: okänt mått 'finns.inte'"]
    bad.write_text("template: vb.xlsx\npoint: VB\nsheets:\n  - sheet: Invent o maskin\n    cells:\n      D8: {text: x}\n", encoding="utf-8")
    assert "har en formel i mallen" in check_against(load_mapping(bad), load_workbook(TEMPLATES_DIR / "vb.xlsx"))[0]
    with pytest.raises(MappingError, match="finns inte"):
        load_mapping(Path(tmp_path / "saknas.yaml"))


def test_a_missing_reference_file_is_an_error_not_an_empty_list(tmp_path):
    """A mounted reference folder without projekt.csv must not print 'no projects'."""
    for load in (lambda: load_projects("191", tmp_path), lambda: load_result_units("191", tmp_path)):
        with pytest.raises(ReferenceError, match="saknas"):
            load()
