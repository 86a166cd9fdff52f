"""Layouts versioned by year: choosing the version, reading it, and what a wrong one says."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bokslut.errors import EXIT_INPUT, explain
from bokslut.reports import hierarchy
from bokslut.reports.figures import LedgerFigures
from bokslut.reports.layouts import LayoutError, borrowed_note, layout_versions, load_layout
from bokslut.reports.ledger import REPORT_NAMES
from bokslut.reports.tsv import write_tsv
from bokslut.lineage.report_workbook import write_workbook

pytestmark = pytest.mark.unit

MINIMAL = "key: demo\ntitle: Demo {year}\nrows:\n  - {{section: Avsnitt {year}, groups: [10]}}\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts" / "demo"
    folder.mkdir(parents=True)
    for year in (2020, 2024):
        (folder / f"{year}.yaml").write_text(MINIMAL.format(year=year), encoding="utf-8")
    (folder / "README.md").write_text("not a layout", encoding="utf-8")  # ignored: not YAML
    return tmp_path / "layouts"


@pytest.mark.parametrize(("year", "version"), [(2020, 2020), (2021, 2020), (2023, 2020), (2024, 2024), (2031, 2024)])
def test_the_nearest_earlier_version_is_chosen(root, year, version):
    layout = load_layout("demo", year, root)
    assert (layout["version"], layout["title"]) == (version, f"Demo {version}")


def test_a_year_before_the_first_version_uses_the_earliest_and_says_so(root, caplog):
    layout = load_layout("demo", 2019, root)
    assert (layout["version"], layout["title"]) == (2020, "Demo 2020")
    note = borrowed_note(layout, 2019)
    assert note.startswith("Det finns ingen layout för Demo 2020 2019; rapporten följer layouten från 2020")
    assert "Beloppen påverkas inte" in note and "demo/2019.yaml" in note
    assert note in caplog.text  # logged for the operator as well
    assert borrowed_note(load_layout("demo", 2020, root), 2020) is None


def test_versions_are_listed_by_year(root):
    assert sorted(layout_versions("demo", root)) == [2020, 2024]


def test_missing_report_folder_or_versions(root):
    with pytest.raises(LayoutError, match="har ingen layout: mappen .*okand saknas"):
        load_layout("okand", 2024, root)
    (root / "tom").mkdir()
    with pytest.raises(LayoutError, match="innehåller ingen ÅÅÅÅ.yaml"):
        load_layout("tom", 2024, root)


@pytest.mark.parametrize("name", ["ny.yaml", "2024-v2.yaml", "2025.yml"])
def test_a_file_not_named_by_its_year_is_an_error_not_ignored(root, name):
    (root / "demo" / name).write_text(MINIMAL.format(year=2025), encoding="utf-8")
    with pytest.raises(LayoutError, match=f"{name} ska heta efter första året den gäller"):
        load_layout("demo", 2024, root)


@pytest.mark.parametrize(("text", "problem"), [
    ("key: demo\ntitle: [unclosed\n", r"inte giltig YAML \(rad \d+\)"),
    ("- just\n- a list\n", "ska vara en mappning"),
    ("key: annan\ntitle: X\nrows: [{section: A, groups: [10]}]\n", "key är 'annan' men filen ligger i mappen demo"),
    ("key: demo\nrows: [{section: A, groups: [10]}]\n", "title .* saknas"),
    ("key: demo\ntitle: X\nrows: []\n", "rows .* saknas eller är tom"),
    ("key: demo\ntitle: X\nrows: [Anläggningstillgångar]\n", "rad 1 under rows är inte en mappning"),
])
def test_a_malformed_version_names_its_file_and_problem(root, text, problem):
    (root / "demo" / "2022.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LayoutError, match=problem) as caught:
        load_layout("demo", 2022, root)
    assert "2022.yaml" in str(caught.value)
    assert explain(caught.value) == (EXIT_INPUT, str(caught.value))  # the CLI's one Swedish line, exit 1
    assert load_layout("demo", 2021, root)["version"] == 2020  # the other versions stay usable


def test_a_layout_not_in_utf8_is_said_plainly(root):
    (root / "demo" / "2022.yaml").write_bytes("key: demo\ntitle: Balansräkning\n".encode("utf-16"))
    with pytest.raises(LayoutError, match="är inte UTF-8"):
        load_layout("demo", 2022, root)


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_shipped_report_has_a_layout_from_2020_on(name):
    for year in (2020, 2023, 2024, 2025):
        layout = load_layout(name, year)
        assert layout["key"] == name and borrowed_note(layout, year) is None
    assert load_layout(name, 2019)["version"] == 2020  # the 2020 package's comparative year


def test_a_report_for_a_year_before_every_version_carries_the_note():
    from bokslut.reports import statements

    for report in (hierarchy.balansrakning(figures(2019)), hierarchy.resultatrakning(figures(2019)),
                   statements.budgetavrakning(figures(2019), None), statements.anlaggning(figures(2019), None),
                   statements.anl_rorelsekapital(figures(2019), None)):
        assert any(n.startswith(f"Det finns ingen layout för {report.title} 2019") for n in report.notes), report.key
    assert not any("ingen layout" in n for n in hierarchy.balansrakning(figures(2020)).notes)


@pytest.mark.parametrize("row", [{"section": "A"}, {"section": "A", "groups": [1]}, {"groups": [10]}, {"total": 5}])
def test_a_hierarchy_row_of_the_wrong_shape_is_a_swedish_error(row):
    layout = {"key": "balansrakning", "title": "Balansräkning", "version": 2030, "rows": [row]}
    with pytest.raises(LayoutError, match=r"Balansräkning \(version 2030\), rad 1: ange antingen total"):
        hierarchy._checked(layout)


def test_print_levels_are_checked():
    layout = {"key": "balansrakning", "title": "Balansräkning", "version": 2030, "print_levels": [1],
              "rows": [{"total": "Summa"}]}
    with pytest.raises(LayoutError, match="print_levels ska vara en lista av 4, 3 och 2"):
        hierarchy._checked(layout)


# ---------------------------------------------------------------- the year's labels, in every output

NAMES = {"12": "Maskiner och inventarier", "122": "Inventarier", "1220": "Inventarier",
         "15": "Kundfordringar", "151": "Kundfordringar,", "1512": "Kundfordringar AGRESSO",
         "20": "Eget kapital", "201": "Eget kapital", "2011": "Eget kapital, ingående värde",
         "35": "Bidrag", "351": "Statsbidrag", "3511": "Statsbidrag från Skolverket",
         "50": "Löner och arvoden", "502": "Månadslöner", "5021": "Månadsavlönad personal"}


def figures(year: int) -> LedgerFigures:
    balances = {
        ("1220", "D", "externt"): (100_000, 20_000),
        ("1512", "D", "internt"): (50_000, -10_000),
        ("2011", "D", "internt"): (-150_000, 0),
        ("3511", "D", "externt"): (0, -40_000),
        ("5021", "D", "externt"): (0, 30_000),
    }
    return LedgerFigures("191", year * 100 + 13, balances, NAMES, set())


def labels(report) -> list[tuple[object, str]]:
    return [(r.values["level"], r.values["name"]) for r in report.rows]


def test_2020_balance_sheet_prints_2020_labels_and_2_digit_groups_only():
    assert labels(hierarchy.balansrakning(figures(2020))) == [
        (1, "Anläggningstillgångar"), (2, "Maskiner och inventarier"),
        (1, "Omsättningstillgångar"), (2, "Kundfordringar"),
        (0, "Summa tillgångar"),
        (1, "Eget kapital"), (2, "Eget kapital"),
        (1, "Avsättningar"), (1, "Långfristiga skulder"), (1, "Kortfristiga skulder"),
        (0, "Summa skulder och eget kapital"),
    ]


def test_2024_and_later_balance_sheets_keep_the_2024_labels_and_accounts():
    for year in (2024, 2025):
        rows = labels(hierarchy.balansrakning(figures(year)))
        assert (0, "Summa Tillgångar") in rows and (0, "Summa Skulder & Eget kapital") in rows
        assert (4, "Inventarier") in rows and (3, "Kundfordringar,") in rows


def test_the_figures_do_not_depend_on_the_layout_version():
    def totals(year: int) -> list[dict]:
        report = hierarchy.resultatrakning(figures(year))
        return [{k: v for k, v in r.values.items() if k != "name"} for r in report.rows if r.kind == "total"]

    assert totals(2020) == totals(2024)
    result = hierarchy.resultatrakning(figures(2020))
    assert result.find(name="Årets resultat").values["totalt"] == -10_000
    assert result.find(name="Verksamhetens intäkter(-)").values["externt"] == -40_000
    assert hierarchy.resultatrakning(figures(2024)).find(name="Verksamhetens intäkter (-)").values["externt"] == -40_000


def test_tsv_and_xlsx_print_the_years_labels(tmp_path):
    report = hierarchy.resultatrakning(figures(2020))
    buffer = io.StringIO()
    write_tsv(report, buffer)
    text = buffer.getvalue()
    assert "\tVerksamhetens intäkter(-)\t" in text and "\tAvskrivningar(+)\t" in text
    assert "Verksamhetens intäkter (-)" not in text and "Månadsavlönad personal" not in text

    sheet = load_workbook(write_workbook([report], tmp_path / "rr.xlsx")).active
    cells = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Verksamhetens intäkter(-)", "Generella statsbidrag och utjämning(-)", "Årets resultat"} <= cells
    assert "Verksamhetens intäkter (-)" not in cells


# ---------------------------------------------------------------- row reports: a wrong row is named


@pytest.mark.parametrize(("report", "edit", "problem"), [
    ("budgetavrakning", lambda rows: rows[0].update(measure="drift_och_underhal"),
     r"Budgetavräkning \(version 2020\), rad 1: okänt mått 'drift_och_underhal'; kända mått: "),
    ("budgetavrakning", lambda rows: rows[2].pop("derivation"), r"rad 3: derivation saknas"),
    ("anl_rorelsekapital", lambda rows: rows[0].pop("measure"), r"rad 1: okänt mått None"),
    ("anlaggning", lambda rows: rows[1].pop("section"), r"Anläggningsinformation \(version 2020\), rad 2: section saknas"),
])
def test_a_row_report_names_the_wrong_row(monkeypatch, report, edit, problem):
    import copy

    from bokslut.reports import statements

    layout = copy.deepcopy(load_layout(report, 2020))
    edit(layout["rows"])
    monkeypatch.setattr(statements, "load_layout", lambda key, year: layout)
    build = getattr(statements, report)
    with pytest.raises(LayoutError, match=problem):
        build(figures(2020), None)


def test_a_row_report_needs_its_settings(monkeypatch):
    from bokslut.reports import statements

    layout = {k: v for k, v in load_layout("anlaggning", 2020).items() if k != "depreciation_groups"}
    monkeypatch.setattr(statements, "load_layout", lambda key, year: layout)
    with pytest.raises(LayoutError, match=r"Anläggningsinformation \(version 2020\): depreciation_groups saknas"):
        statements.anlaggning(figures(2020), None)
