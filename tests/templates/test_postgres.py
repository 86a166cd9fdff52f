"""The same fill on PostgreSQL (production): every form cell equals the SQLite workbook's."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from bokslut.templates.fill import fill_workbook
from bokslut.flows.templates import readiness
from tests.conftest import REFERENCE_DIR, drop_pg_schema, load_generated, make_pg_engine
from tests.templates.sheets import ledger_sheet_differences

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
FORM_SHEETS = ("Verksamhetsprojekt", "Resultatenheter", "Invent o maskin", "Ej aktiverbara utgifter-inkomst",
               "Innovationssatsningar", "Externa projekt", "Nyckeltal 66", "Nyckeltal personal")


@pytest.fixture(scope="module")
def pg_2024(generated_2024, tmp_path_factory):
    from bokslut.settings import Settings

    engine, admin, schema = make_pg_engine()
    tmp = tmp_path_factory.mktemp("pg_templates")
    load_generated(engine, generated_2024, Settings(tmp, "sqlite://", tmp / "l", tmp / "a", tmp / "o", 50_000))
    yield engine
    drop_pg_schema(engine, admin, schema)


def test_vb_on_postgresql_equals_sqlite(pg_2024, filled, tmp_path):
    assert readiness(pg_2024, "191", 2024, "VB").ready
    result = fill_workbook(pg_2024, "191", 2024, "VB", tmp_path / "vb.xlsx")
    ours, sqlite = load_workbook(result.path), load_workbook(filled["VB"].path)
    for sheet in FORM_SHEETS:
        for row in sqlite[sheet].iter_rows():
            for cell in row:
                assert ours[sheet][cell.coordinate].value == cell.value, f"{sheet}!{cell.coordinate}"
    keys = ["source_line", "section", "row", "budget_inkl_budgetjust", "utfall", "avvikelse", "derivation"]
    assert ledger_sheet_differences(ours["Budgetavräkning"], REFERENCE_DIR / "2024" / "budgetavrakning.tsv", keys=keys) == []


def test_every_vb_figure_recomputes_on_postgresql(pg_2024, tmp_path):
    """The lineage queries (raw rows, bound parameters, string concatenation of the voucher) on the
    production database: each form, report and control figure of the VB workbook agrees."""
    from bokslut.lineage.cells import explain_filled
    from bokslut.lineage.sources_sheet import SHEET_TITLE

    result = fill_workbook(pg_2024, "191", 2024, "VB", tmp_path / "vb.xlsx")
    wb = load_workbook(result.path)
    numeric = [(r[0].value, r[1].value) for r in wb[SHEET_TITLE].iter_rows(min_row=5)
               if r[0].value and isinstance(r[3].value, (int, float)) and not isinstance(r[3].value, bool)]
    assert len(numeric) > 200
    verdicts = {}
    for sheet, coordinate in numeric:
        e = explain_filled(pg_2024, result.filled, sheet, coordinate, postings=2, workbook=wb)
        assert e.agrees is not False, (sheet, coordinate, e.value, e.recomputed, e.source)
        verdicts[e.agrees] = verdicts.get(e.agrees, 0) + 1
        if e.contributions:
            assert e.contributions[0].load and e.contributions[0].load.sha256
    assert verdicts.get(True, 0) > 0.8 * len(numeric), verdicts
