"""Template form cells explain themselves (issue 11): every filled figure of the VB 2024 workbook is
recomputed from the raw published rows, its top rows add up to it, and the Källor sheet lists it at
its final coordinate."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import load_workbook

from bokslut.cli import EXIT_OK, main
from bokslut.lineage.cells import explain_filled, explain_record
from bokslut.lineage.record import SourceRecord
from bokslut.lineage.selection import LedgerSelection
from bokslut.lineage.sources_sheet import SHEET_TITLE
from bokslut.templates.mapping import UNITS
from bokslut.templates.measures import Ore, ore_in_unit
from tests.templates.conftest import filled, templates_warehouse  # noqa: F401 - session fixtures of the template tests

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def vb(filled):  # noqa: F811
    return filled["VB"]


@pytest.fixture(scope="module")
def vb_wb(vb):
    return load_workbook(vb.path)


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_every_filled_numeric_form_cell_recomputes_from_the_warehouse(templates_warehouse, vb, vb_wb):  # noqa: F811
    engine, _ = templates_warehouse
    cells = [c for c in vb.result.filled.form_cells() if _numeric(vb_wb[c.sheet][c.coordinate].value)]
    assert len(cells) > 60
    recomputed = sums = 0
    for cell in cells:
        where = f"{cell.sheet}!{cell.coordinate} {cell.label}"
        e = explain_filled(engine, vb.result.filled, cell.sheet, cell.coordinate, postings=5, workbook=vb_wb)
        assert e.value == vb_wb[cell.sheet][cell.coordinate].value, where
        if not cell.record.recomputable:
            assert e.recomputed is None and e.agrees is None, where  # a manual input: nothing to recompute from
            continue
        assert e.agrees is True, (where, e.value, e.recomputed, e.source)
        assert e.recomputed == e.value, where  # in the cell's unit, exactly as written
        recomputed += 1
        if cell.record.is_sum and e.contributions_count:
            full = explain_filled(engine, vb.result.filled, cell.sheet, cell.coordinate, postings=e.contributions_count)
            assert len(full.contributions) == full.contributions_count, where
            assert sum(c.amount_ore for c in full.contributions) == full.contributions_total_ore == int(cell.value), where
            assert ore_in_unit(sum(c.amount_ore for c in full.contributions), UNITS[e.unit]) == e.value, where
            assert all(c.load and c.load.sha256 and c.load.file_name for c in full.contributions), where
            sums += 1
    # ledger, budget, project and resultatenheter cells are among them (no LISA extract is loaded
    # in the generated 2024 warehouse, so the HR cells stay empty there)
    assert recomputed > 50 and sums > 40, (recomputed, sums)
    measures = {c.record.measure for c in cells if c.record.recomputable}
    assert {"gl.linje", "budget.linje", "gl.projekt", "gl.projekt_ib", "ansvar.resultat", "ansvar.bruttobudget"} <= measures


def _shift(record: SourceRecord, periods: int) -> SourceRecord:
    terms = [replace(t, part=replace(t.part, period_to=t.part.period_to - periods))
             if isinstance(t.part, LedgerSelection) else t for t in record.terms]
    return replace(record, terms=terms)


def test_a_wrong_record_does_not_recompute_to_the_value(templates_warehouse, vb, vb_wb):  # noqa: F811
    engine, _ = templates_warehouse
    cell = next(c for c in vb.result.filled.form_cells() if (c.sheet, c.coordinate) == ("Invent o maskin", "E8"))
    value = vb_wb["Invent o maskin"]["E8"].value
    good = explain_record(engine, "191", "E8", cell.record, value, cell.value)
    assert good.agrees is True and value == pytest.approx(3.0368653)
    wrong = explain_record(engine, "191", "E8", _shift(cell.record, 6), value, cell.value)  # through June only
    assert wrong.recomputed != value and wrong.agrees is False


def test_a_composite_cell_has_all_its_terms(vb):
    units = [c for c in vb.result.filled.form_cells() if c.sheet == "Resultatenheter" and c.label.startswith("resultat –")]
    assert units
    for cell in units:
        kinds = sorted((type(t.part).__name__, getattr(t.part, "sign", 1)) for t in cell.record.terms)
        assert kinds == [("BudgetSelection", -1), ("LedgerSelection", 1)], cell
        assert sum(t.value for t in cell.record.terms) == int(cell.value)
        assert "utfall − budget" in cell.record.source_text()
        assert "ansvar.resultat]: huvudbok förvaltning 191; period 202401–202413; konto 30–38, 40–88; anslag D; ansvar " \
            in cell.record.source_text() and " − budget BJ 2024 förvaltning 191; konto 30–38, 40–88; anslag D" in cell.record.source_text()


def test_text_and_manual_cells_give_no_recomputation(templates_warehouse, vb, vb_wb):  # noqa: F811
    engine, _ = templates_warehouse
    filled_wb = vb.result.filled
    manual = explain_filled(engine, filled_wb, "Nyckeltal 66", "B13", workbook=vb_wb)
    assert _numeric(manual.value) and manual.recomputed is None and manual.agrees is None
    assert "manuell uppgift nyckeltal.66.taljare" in manual.source
    label = explain_filled(engine, filled_wb, "Verksamhetsprojekt", "A11", workbook=vb_wb)
    assert isinstance(label, type(label)) and isinstance(label.value, str) and label.agrees is None
    formula = explain_filled(engine, filled_wb, "Invent o maskin", "D8", workbook=vb_wb)  # S:a avvik, the template's
    assert formula.value.startswith("=") and formula.source.startswith("formel i mallen") and formula.agrees is None
    contact = explain_filled(engine, filled_wb, "Nyckeltal 66", "B1", workbook=vb_wb)
    assert contact.value in (None, "(text från manuella uppgifter)")  # a name is never repeated


def test_unknown_sheet_or_cell_is_a_swedish_error(templates_warehouse, vb):  # noqa: F811
    engine, _ = templates_warehouse
    with pytest.raises(ValueError, match="Bladet 'Finns inte' finns inte.*Invent o maskin"):
        explain_filled(engine, vb.result.filled, "Finns inte", "A1")
    with pytest.raises(ValueError, match="Cell Z99 på bladet 'Invent o maskin'.*ifyllda celler: B8, C8, E8"):
        explain_filled(engine, vb.result.filled, "Invent o maskin", "Z99")


def test_kallor_lists_every_filled_form_cell_at_its_final_coordinate(vb, vb_wb):
    assert vb_wb.sheetnames[-1] == SHEET_TITLE
    ws = vb_wb[SHEET_TITLE]
    assert [c.value for c in ws[4]][:5] == ["Blad", "Cell", "Uppgift", "Värde", "Källa"]
    report_sheets = {s.sheet for s in vb.result.filled.mapping.sheets if s.kind != "form"}  # test_vb_report_sheets.py
    rows = [tuple(c.value for c in r[:5]) for r in ws.iter_rows(min_row=5) if r[0].value and r[0].value not in report_sheets]
    listed = {(r[0], r[1]) for r in rows}
    expected = {(c.sheet, c.coordinate) for c in vb.result.filled.form_cells() if c.written is not None}
    assert listed == expected and len(rows) == len(expected)
    for sheet, cell, _label, value, source in rows:
        if value != "(text från manuella uppgifter)":
            shown = vb_wb[sheet][cell].value
            assert value == (shown.isoformat()[:10] if hasattr(shown, "isoformat") else shown), (sheet, cell, value, shown)
        assert source
    # tables that grew moved the rows below them: the second Externa projekt table starts lower
    filled_wb = vb.result.filled
    eu, others = filled_wb.table("externa_projekt_eu"), filled_wb.table("externa_projekt_ovriga")
    moved = [t for t in filled_wb.tables if t.inserted]
    assert moved, "the VB 2024 workbook inserts table rows"
    if eu.inserted:
        assert others.first_row == 17 + eu.inserted
    for table in filled_wb.tables:
        for row in table.rows:
            money = [k for k, v in row.values.items() if isinstance(v, Ore)]
            for key in money:
                coordinate = f"{table.columns[key]}{row.row}"
                assert (table.sheet, coordinate) in listed
                by_cell = {(r[0], r[1]): r for r in rows}
                assert by_cell[(table.sheet, coordinate)][2] == f"{key} – {row.label}"
    assert all("Nyckeltal" not in r[0] or r[1] not in ("B1", "B2", "B3") or r[3] == "(text från manuella uppgifter)"
               for r in rows)  # contact names are not repeated
    e8 = next(r for r in rows if (r[0], r[1]) == ("Invent o maskin", "E8"))
    assert e8[3] == pytest.approx(3.0368653) and "konto 4–8 utom 789; anslag I" in e8[4]


@pytest.mark.parametrize(("fmt", "given"), [("text", "e8"), ("tsv", "e8"), ("text", "$E$8")])
def test_explain_cli_for_invent_o_maskin_e8(templates_warehouse, monkeypatch, capsys, tmp_path, fmt, given):  # noqa: F811
    _engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    code = main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--sheet", "Invent o maskin",
                 "--cell", given, "--postings", "3", "--format", fmt])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    if fmt == "text":
        assert "blad Invent o maskin, cell E8 (utfall)" in out and "Värde:      3,0 mnkr" in out
        assert "exakt: i cellen 3.0368653, omräknat 3.0368653 (mnkr)" in out
        assert "De 3 av 132 rader som bidrar mest, summa av alla 3\u00a0036\u00a0865,30 kr" in out
        assert "stämmer" in out and "STÄMMER INTE" not in out and "rader som bidrar mest" in out
        assert "huvudbok förvaltning 191; period 202401–202413; konto 4–8 utom 789; anslag I" in out
    else:
        lines = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
        assert lines["stammer"] == "ja" and float(lines["varde"]) == float(lines["omraknat"]) == pytest.approx(3.0368653)
        assert out.count("\n") >= 3 + 8


def test_t2_forecasts_and_year_to_date_cells_recompute(templates_warehouse, filled):  # noqa: F811
    """At T2 the forecast cells (prognos.forslag/andel/projekt, projekt.prognos_total) recompute too."""
    engine, _ = templates_warehouse
    t2 = filled["T2"]
    wb = load_workbook(t2.path)
    cells = [c for c in t2.result.filled.form_cells()
             if c.record.recomputable and _numeric(wb[c.sheet][c.coordinate].value)]
    measures = set()
    for cell in cells:
        e = explain_filled(engine, t2.result.filled, cell.sheet, cell.coordinate, postings=1, workbook=wb)
        assert e.agrees is True, (cell.sheet, cell.coordinate, cell.label, e.value, e.recomputed, e.source)
        measures.add(cell.record.measure)
    assert {"prognos.forslag", "prognos.andel", "gl.linje"} <= measures, measures
