"""Every ledger report figure explains itself (issue 11): its source record, re-run against the raw
published rows, gives the figure again; the rows it lists sum to it; the Källor sheet names each cell.

The generated 2024 year (``loaded_2024``), on a private copy: the copy gets an index on the posting
accounts so that recomputing ~2 000 cells per period stays within seconds (only speed: the queries
and their answers are those of a warehouse without it).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bokslut.lineage.reports import (
    check_report,
    explain_figure,
    explain_report_cell,
    explain_report_line,
    find_row,
    recompute,
    report_sheet_sources,
    term_totals,
)
from bokslut.domain.accounts import AccountSet
from bokslut.reports.ledger import REPORT_NAMES, build_reports
from bokslut.lineage.report_workbook import write_workbook
from bokslut.reports.xlsx import FIRST_DATA_ROW

pytestmark = pytest.mark.integration

YEAR_END, TERTIAL = 202413, 202404
# A cell summing at most this many rows lists them all (N = count); above it the top 10 are checked
# against the whole: listing every posting of "Summa Tillgångar" ~40 times adds minutes, not rigour.
ALL_ROWS_UP_TO = 1500


@pytest.fixture(scope="module")
def warehouse(loaded_2024, tmp_path_factory):
    engine, _settings = loaded_2024
    target = tmp_path_factory.mktemp("lineage_reports") / "w.sqlite"
    source, copy = sqlite3.connect(engine.url.database), sqlite3.connect(target)
    source.backup(copy)
    copy.execute("CREATE INDEX ix_test_posting_account ON posting (forvaltning, konto, period)")
    copy.execute("CREATE INDEX ix_test_budget_account ON budget (forvaltning, konto)")
    copy.commit()
    source.close()
    copy.close()
    own = sa.create_engine(f"sqlite:///{target}")
    yield own
    own.dispose()


@pytest.fixture(scope="module")
def reports(warehouse):
    return {period: build_reports(warehouse, "191", period) for period in (YEAR_END, TERTIAL)}


def _cells(report):
    return [(row, c.key) for row in report.rows for c in report.columns
            if c.kind == "amount" and row.values.get(c.key) not in (None, "")]


@pytest.mark.parametrize("period", [YEAR_END, TERTIAL])
def test_every_amount_cell_of_every_report_recomputes_from_the_raw_rows(warehouse, reports, period) -> None:
    assert set(reports[period]) == set(REPORT_NAMES)
    checked = 0
    for report in reports[period].values():
        assert check_report(warehouse, report) == []
        cells = _cells(report)
        assert cells and all(key in row.sources for row, key in cells)
        checked += len(cells)
    assert checked > 2000  # the whole year's reports, not a sample


def test_every_cell_lists_the_rows_it_sums(warehouse, reports) -> None:
    """With N = count the listed rows sum to the figure; bigger cells: the top 10 against the whole."""
    full = 0
    for report in reports[YEAR_END].values():
        cells = _cells(report)
        totals = term_totals(warehouse, (t for row, key in cells for t in row.sources[key].terms))
        for row, key in cells:
            value = row.values[key]
            _recomputed, count = recompute(row.sources[key], totals)
            shown = count if count <= ALL_ROWS_UP_TO else 10
            explanation = explain_figure(warehouse, report, row, key, postings=max(shown, 1))
            assert explanation.agrees is True, (explanation.subject, explanation.value, explanation.recomputed)
            assert explanation.contributions_total_ore == value and explanation.contributions_count == count
            assert len(explanation.contributions) == shown
            amounts = [abs(c.amount_ore) for c in explanation.contributions]
            assert amounts == sorted(amounts, reverse=True)
            if count <= ALL_ROWS_UP_TO:
                assert sum(c.amount_ore for c in explanation.contributions) == value, explanation.subject
                full += 1
            for contribution in explanation.contributions:
                assert contribution.period and contribution.load and contribution.load.sha256 and contribution.load.file_name
            if count:
                assert {c.load.load_id for c in explanation.contributions} <= {x.load_id for x in explanation.loads}
    assert full > 1500  # most cells list every row they sum


def test_a_broken_record_fails_the_check(warehouse, reports) -> None:
    report = reports[YEAR_END]["balansrakning"]
    row = find_row(report, "1210")
    wrong_term = replace(row.sources["ib"].terms[0], accounts=AccountSet.prefixes("1220"))
    broken = replace(row, sources={**row.sources, "ib": replace(row.sources["ib"], terms=(wrong_term,))})
    assert row.values["ib"] != 0  # else the broken record could agree by accident
    index = report.rows.index(row)
    tampered = replace(report, rows=[*report.rows[:index], broken, *report.rows[index + 1:]])
    problems = check_report(warehouse, tampered)
    assert len(problems) == 1 and "1210" in problems[0] and "omräknat" in problems[0]
    assert explain_figure(warehouse, tampered, broken, "ib").agrees is False
    # a figure changed after its record was made fails too
    changed = replace(row, values={**row.values, "ub_totalt": row.values["ub_totalt"] + 1})
    assert explain_figure(warehouse, report, changed, "ub_totalt").agrees is False
    # and a row without a record is named, never passed
    bare = replace(report, rows=[replace(row, sources={})])
    assert all("källuppgift saknas" in p for p in check_report(warehouse, bare)) and check_report(warehouse, bare)


def test_explain_balansrakning_line_1210(warehouse, reports) -> None:
    explanations = explain_report_line(warehouse, "191", YEAR_END, "balansrakning", "1210", postings=5)
    report = reports[YEAR_END]["balansrakning"]
    row = report.find(account="1210")
    assert [e.details["kolumn"] for e in explanations] == ["IB", "Förändring", "UB Externt", "UB Stadens bolag",
                                                         "UB Internt", "UB Totalt"]
    by_column = {e.details["kolumn"]: e for e in explanations}
    assert by_column["UB Totalt"].value == row.values["ub_totalt"] != 0
    for explanation in explanations:
        assert explanation.agrees is True and explanation.unit == "öre"
        assert "konto 1210" in explanation.source and "förvaltning 191" in explanation.source
    ib = by_column["IB"]
    assert "period 202400–202400" in ib.source and ib.contributions and len(ib.contributions) <= 5
    assert all(c.period == 202400 and c.konto == "1210" for c in ib.contributions)
    assert all(c.load.file_name.endswith(".csv") and len(c.load.sha256) == 64 for c in ib.contributions)
    assert "motpartsklasser" in by_column["UB Internt"].details
    one = explain_report_line(warehouse, "191", YEAR_END, "balansrakning", "1210", column="UB Totalt")
    assert len(one) == 1 and one[0].value == row.values["ub_totalt"]


def test_explain_other_reports_lines(warehouse) -> None:
    [budget, actual, deviation] = explain_report_line(warehouse, "191", YEAR_END, "budgetavrakning", "831")
    assert "budget BJ 2024" in budget.source and budget.details["budgetversion"] == "BJ"
    assert all(e.agrees for e in (budget, actual, deviation))
    assert deviation.value == budget.value - actual.value
    [summa] = explain_report_line(warehouse, "191", YEAR_END, "anl_rorelsekapital", "1896")
    assert summa.agrees and "stadskassans underlag" in summa.source
    assert any(c.load and "stadskassan" in c.load.file_name.lower() or c.konto is None for c in summa.contributions)
    [section_total] = explain_report_line(warehouse, "191", YEAR_END, "resultatrakning", "Årets resultat", column="totalt")
    assert section_total.agrees and "anslag D" in section_total.source


def test_unknown_or_ambiguous_lines_are_swedish_errors(warehouse) -> None:
    with pytest.raises(ValueError, match=r"Raden '1299' finns inte i Balansräkning.*närmast: .*12"):
        explain_report_line(warehouse, "191", YEAR_END, "balansrakning", "1299")
    with pytest.raises(ValueError, match=r"Raden 'Maskiner' är inte entydig.*1210 Maskiner.*121 Maskiner"):
        explain_report_line(warehouse, "191", YEAR_END, "balansrakning", "Maskiner")
    with pytest.raises(ValueError, match=r"Raden 'Summa' är inte entydig.*rad 1882"):
        explain_report_line(warehouse, "191", YEAR_END, "anl_rorelsekapital", "Summa")
    with pytest.raises(ValueError, match=r"Kolumnen 'UB' finns inte i Balansräkning; välj bland ib \(IB\)"):
        explain_report_line(warehouse, "191", YEAR_END, "balansrakning", "1210", column="UB")
    with pytest.raises(ValueError, match=r"Okänd rapport 'balansräkning'.*Menade du balansrakning\?"):
        explain_report_line(warehouse, "191", YEAR_END, "balansräkning", "1210")
    with pytest.raises(ValueError, match=r"Period 202501 är inte publicerad"):
        explain_report_line(warehouse, "191", 202501, "balansrakning", "1210")


def test_explain_a_cell_of_a_report_sheet_and_the_kallor_sheet(warehouse, reports, tmp_path) -> None:
    chosen = [reports[YEAR_END][name] for name in REPORT_NAMES]
    path = write_workbook(chosen, tmp_path / "rapporter.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[-1] == "Källor" and len(wb.sheetnames) == len(chosen) + 1
    kallor = wb["Källor"]
    rows = [r for r in kallor.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == sum(len(_cells(r)) for r in chosen)
    for sheet, cell, label, value, source in rows:
        assert wb[sheet][cell].value == pytest.approx(value) and label and source
        assert "källuppgift saknas" not in source
    assert "bokslut explain" in kallor["A2"].value and "--report" in kallor["A2"].value

    report = reports[YEAR_END]["balansrakning"]
    index = report.rows.index(report.find(account="1210"))
    coordinate = f"D{FIRST_DATA_ROW + index}"  # A Nivå, B Konto, C Benämning, D IB
    assert wb["Balansräkning"][f"B{FIRST_DATA_ROW + index}"].value == "1210"
    explanation = explain_report_cell(warehouse, report, coordinate, postings=3)
    assert explanation.agrees and explanation.value == report.rows[index].values["ib"]
    [source] = [s for s in report_sheet_sources("Balansräkning", report) if s.cell == coordinate]
    assert source.source == explanation.source and source.label == "1210 Maskiner – IB"
    with pytest.raises(ValueError, match="är inget belopp"):
        explain_report_cell(warehouse, report, f"C{FIRST_DATA_ROW + index}")
    with pytest.raises(ValueError, match="utanför tabellen"):
        explain_report_cell(warehouse, report, "D1")


@pytest.mark.parametrize("fmt", ["text", "tsv"])
def test_cli_explain_report_line(warehouse, monkeypatch, capsys, fmt) -> None:
    from bokslut.cli import EXIT_OK, main

    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", str(warehouse.url))
    code = main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--report", "balansrakning",
                 "--line", "1210", "--postings", "3", "--format", fmt])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    if fmt == "text":
        assert "Balansräkning, förvaltning 191, period 202400–202413, 1210 Maskiner, kolumn UB Totalt" in out
        assert "stämmer" in out and "STÄMMER INTE" not in out and "huvudbok_191_" in out
    else:
        lines = out.splitlines()
        assert sum(1 for line in lines if line.startswith("stammer\t")) == 6
        assert all(line == "stammer\tja" for line in lines if line.startswith("stammer\t"))
        assert any(line.startswith("kalla\tUB Totalt (IB + rörelse): huvudbok förvaltning 191") for line in lines)


def test_the_vb_templates_report_sheets_are_explained_cell_by_cell(warehouse, reports) -> None:
    """The VB workbook's ledger_report sheets are add_report_sheet renamed to the template's sheet
    name (templates/fill.py): report_sheet_sources under that name points at the same cells with the
    same values; every one of them recomputes (the first tests check the very same reports)."""
    from openpyxl import Workbook

    from bokslut.reports.xlsx import add_report_sheet
    from bokslut.settings import INCLUDE_DIR
    from bokslut.templates.mapping import load_mapping

    specs = [s for s in load_mapping(INCLUDE_DIR / "templates" / "vb.yaml").sheets if s.kind == "ledger_report"]
    assert {s.report for s in specs} == set(REPORT_NAMES)
    wb = Workbook()
    for spec in specs:
        report = reports[YEAR_END][spec.report]
        ws = add_report_sheet(wb, report)
        ws.title = spec.sheet
        sources = report_sheet_sources(spec.sheet, report)
        assert len(sources) == len(_cells(report)) > 0
        for number, source in enumerate(sources):
            written = ws[source.cell].value
            assert source.sheet == spec.sheet
            assert written == source.value if isinstance(source.value, str) else float(written) == pytest.approx(source.value)
            if number % 40 == 0:  # the cell's explanation is the record Källor names (every cell: test above)
                explanation = explain_report_cell(warehouse, report, source.cell, postings=1)
                assert explanation.source == source.source and explanation.agrees is True


def test_without_budget_and_extracts_the_derived_lines_still_recompute(warehouse, tmp_path) -> None:
    """Budget, anläggningsreskontra and stadskassan never loaded: their cells say "ej levererad" (no
    recomputation claimed) and the lines derived without them (Summa stadskassans konto from eget
    kapital) recompute like every other."""
    target = tmp_path / "utan_underlag.sqlite"
    source, copy = sqlite3.connect(warehouse.url.database), sqlite3.connect(target)
    source.backup(copy)
    copy.execute("DELETE FROM publication WHERE source IN ('budget', 'anlaggningsreskontra', 'stadskassan')")
    copy.commit()
    source.close()
    copy.close()
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        built = build_reports(engine, "191", YEAR_END)
        for report in built.values():
            assert check_report(engine, report) == []
        rorelse = built["anl_rorelsekapital"]
        external = find_row(rorelse, "1892")
        assert external.values["belopp"] == "ej levererad" and "ej levererad" in external.sources["belopp"].describe()
        [summa] = explain_report_line(engine, "191", YEAR_END, "anl_rorelsekapital", "1896")
        assert summa.agrees is True and "härledd" in summa.source
        [budget, _actual, _deviation] = explain_report_line(engine, "191", YEAR_END, "budgetavrakning", "831")
        assert budget.value == "ej levererad" and budget.agrees is None and budget.recomputed is None
        assert "budgetversion BJ är inte inläst" in budget.source
    finally:
        engine.dispose()
