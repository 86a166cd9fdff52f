"""Reading a returned input workbook: Swedish errors naming sheet and cell, nothing half-applied;
the catalogue covers every manual key; prefill and carry-over; LibreOffice; CLI; the landing folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from bokslut.domain.periods import get_point
from bokslut.templates.input_catalogue import (
    FIELD_PREFIX, FIRST_ROW, INSTRUCTIONS, KEY_ROW, META_SHEET, load_catalogue,
)
from bokslut.templates.input_workbook import MARKED_FILL, carry_over
from bokslut.templates.manual import ManualInputError, ManualInputs
from bokslut.templates.manual_file import load_manual
from bokslut.templates.mapping import mapping_document
from bokslut.xlsxcell import put

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "include" / "manual" / "191"


def catalogue_paths(point: str) -> set[str]:
    """Every manual path the workbook of ``point`` can give; a table row's code is ``X``."""
    paths = set()
    for section in load_catalogue().for_point(point):
        rows = [None] if section.single else list(section.fixed) or ["X"]
        for f in section.fields_for(point):
            for row in rows:
                if section.is_list:
                    paths.add(f"{section.key}.X.{f.key}")
                elif f.applies(point, row):
                    paths.add(section.path(row, f))
    return paths


# --------------------------------------------------------------------------- guardrail


@pytest.mark.parametrize("template", ["t1", "t2", "vb", "vb-2020"])
@pytest.mark.unit
def test_every_manual_path_of_a_mapping_is_in_the_catalogue(template):
    raw = mapping_document(ROOT / "include" / "templates" / f"{template}.yaml")  # t1/t2 extend tertial.yaml
    point = raw["point"]
    mapped = set()
    for sheet in raw["sheets"]:
        specs = list((sheet.get("cells") or {}).values())
        specs += [c for t in sheet.get("tables") or [] for c in t["columns"].values()]
        mapped |= {s["manual"].replace("{kod}", "X") for s in specs if isinstance(s, dict) and s.get("manual")}
    assert mapped and not mapped - catalogue_paths(point), f"{template}: saknas i manual_inputs.yaml"


def _unread_keys(manual: ManualInputs, point: str) -> set[str]:
    """Keys the fill asked the manual inputs for that the workbook of ``point`` cannot give (row codes as ``X``)."""
    sections = {s.key: s for s in load_catalogue().sections}
    asked = set()
    for key in manual.asked:
        parts = key.split(".")
        section = sections.get(parts[0])
        if section is not None and not section.single and not section.fixed and len(parts) > 1:
            parts[1] = "X"
        asked.add(".".join(parts))
    return asked - catalogue_paths(point)


@pytest.mark.integration
def test_every_manual_key_the_fill_reads_is_in_the_catalogue(filled):
    """Measures and rules ask ``ManualInputs.get`` for keys as they fill VB and T2: each must have its
    yellow cell, or finance could never give it in the workbook."""
    for point, delivery in filled.items():
        manual = delivery.result.filled.manual
        assert len(manual.asked) > 20, point
        assert not _unread_keys(manual, point), f"{point}: nycklar som inte finns i manual_inputs.yaml"


@pytest.mark.unit
def test_the_guardrail_fails_for_a_new_key():
    manual = ManualInputs()
    for key in ("verksamhetsprojekt.2401.kommentar", "verksamhetsprojekt.2401.ny_uppgift"):
        manual.get(key)
    assert _unread_keys(manual, "VB") == {"verksamhetsprojekt.X.ny_uppgift"}


@pytest.mark.unit
def test_every_example_file_value_has_a_field():
    for point in ("T1", "T2", "VB"):
        data = yaml.safe_load((EXAMPLES / f"{point}-2024.yaml").read_text(encoding="utf-8"))
        for section, rows in data.items():
            if section in ("forvaltning", "ar", "rapporttillfalle"):
                continue
            assert section in [s.key for s in load_catalogue().for_point(point)] or not rows, (point, section)


# -------------------------------------------------------------------------- carry over


@pytest.mark.unit
def test_what_holds_carries_over_to_the_next_point_and_comments_do_not():
    catalogue = load_catalogue()
    t1 = yaml.safe_load((EXAMPLES / "T1-2024.yaml").read_text(encoding="utf-8"))
    t2 = carry_over(t1, "T2", catalogue)
    assert t2["verksamhetsprojekt"]["2401"] == {"budget": {"kostnad": 60.0, "intakt": -60.0}}
    assert "invent_o_maskin" not in t2
    vb = carry_over(yaml.safe_load((EXAMPLES / "T2-2024.yaml").read_text(encoding="utf-8")), "VB", catalogue)
    assert vb["verksamhetsprojekt"]["2404"] == {"budget": {"kostnad": 28.0, "intakt": -30.0}, "prognos_slut": __import__("datetime").date(2024, 12, 31)}
    assert "prognos" not in vb  # T1/T2 only
    assert {code: get_point(code).previous.code for code in ("T2", "VB")} == {"T2": "T1", "VB": "T2"}
    assert get_point("T1").previous is None


# --------------------------------------------------------------------------- workbook


@pytest.fixture(scope="module")
def vb_workbook(templates_warehouse, tmp_path_factory):
    """The VB input workbook prefilled from the example VB-2024.yaml."""
    from bokslut.templates.input_workbook import write_input_workbook

    engine, _settings = templates_warehouse
    path = tmp_path_factory.mktemp("indata") / "indata_VB.xlsx"
    result = write_input_workbook(engine, "191", 2024, "VB", path)
    assert result.dropped == [] and "verksamhetsprojekt.2401.kommentar" in result.written  # every example value has a cell
    return path


def _cell(path: Path, sheet: str, row_code: str, field_key: str):  # noqa: ANN202
    wb = load_workbook(path)
    ws = wb[sheet]
    column = next(c.column for c in ws[KEY_ROW] if c.value == FIELD_PREFIX + field_key)
    row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if str(ws.cell(r, 1).value) == row_code)
    return wb, ws, ws.cell(row, column)


def _edit(path: Path, target: Path, edits: list[tuple[str, str, str, object]]) -> dict[tuple, str]:
    wb = load_workbook(path)
    where = {}
    for sheet, row_code, field_key, value in edits:
        ws = wb[sheet]
        column = next(c.column for c in ws[KEY_ROW] if c.value == FIELD_PREFIX + field_key)
        row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if str(ws.cell(r, 1).value) == row_code)
        cell = ws.cell(row, column)
        if isinstance(value, str) and value.startswith("="):
            cell.value = value  # a formula, as Excel stores one
        else:
            put(cell, value)
        where[(sheet, row_code, field_key)] = f"{sheet}!{cell.coordinate}"
    wb.save(target)
    return where


@pytest.mark.integration
def test_prefilled_workbook_reads_back_as_its_yaml(vb_workbook):
    read = load_manual(vb_workbook, "191", 2024, "VB")
    example = load_manual(EXAMPLES / "VB-2024.yaml", "191", 2024, "VB")
    assert read.get("verksamhetsprojekt.2401.kommentar") == example.get("verksamhetsprojekt.2401.kommentar")
    assert read.get("nyckeltal.66.taljare") == 925 and read.get("resultatenheter.2130.eget_handlande") == "NEJ"
    assert read.rows("innovationssatsningar") == example.rows("innovationssatsningar")
    assert read.path == vb_workbook and len(read.sha256) == 64
    wb = load_workbook(vb_workbook)
    assert wb.sheetnames[0] == INSTRUCTIONS and wb[META_SHEET].sheet_state == "hidden" and wb.security.lockStructure
    assert wb["Verksamhetsprojekt"].protection.sheet and wb["Verksamhetsprojekt"].column_dimensions["A"].hidden


@pytest.mark.integration
def test_a_comment_a_rule_asks_for_is_marked_with_the_rule(vb_workbook):
    _wb, _ws, cell = _cell(vb_workbook, "Verksamhetsprojekt", "2406", "kommentar")
    assert cell.value is None and cell.fill.fgColor.rgb.endswith(MARKED_FILL.fgColor.rgb[-6:])
    assert "BL01" in cell.comment.text and "kommentar" in cell.comment.text
    _wb, _ws, given = _cell(vb_workbook, "Verksamhetsprojekt", "2401", "kommentar")
    assert given.value and given.comment is None and not given.protection.locked
    dv = [d for d in _ws.data_validations.dataValidation if given.coordinate in d.sqref]
    assert dv and dv[0].type == "textLength"


@pytest.mark.integration
def test_bad_inputs_are_refused_all_at_once_naming_sheet_and_cell(vb_workbook, tmp_path):
    bad = tmp_path / "fel.xlsx"
    where = _edit(vb_workbook, bad, [
        ("Verksamhetsprojekt", "2401", "budget.kostnad", "tolv"),
        ("Verksamhetsprojekt", "2402", "prognos_slut", "31/12/2025"),
        ("Resultatenheter", "2130", "eget_handlande", "KANSKE"),
        ("Resultatenheter", "5110", "eget_handlande", None),
        ("Verksamhetsprojekt", "2403", "kommentar", "x" * 2001),
        ("Externa projekt", "2403", "beslut", None),
        ("Nyckeltal", "66", "taljare", 92.5),
        ("Ej aktiverbara", "_", "prognos_utgifter", "=1+1"),
    ])
    with pytest.raises(ManualInputError) as info:
        load_manual(bad, "191", 2024, "VB")
    text = str(info.value)
    assert "8 fel, inget av arbetsbokens innehåll används" in text
    for key, expected in (
        (("Verksamhetsprojekt", "2401", "budget.kostnad"), "'tolv' är inget tal"),
        (("Verksamhetsprojekt", "2402", "prognos_slut"), "är inget datum"),
        (("Resultatenheter", "2130", "eget_handlande"), "'KANSKE' är inte JA eller NEJ"),
        (("Resultatenheter", "5110", "eget_handlande"), "saknas för 5110"),
        (("Verksamhetsprojekt", "2403", "kommentar"), "texten har 2001 tecken, högst 2000"),
        (("Externa projekt", "2403", "beslut"), "den krävs när Belopp att balansera är ifyllt"),
        (("Nyckeltal", "66", "taljare"), "är inget heltal"),
        (("Ej aktiverbara", "_", "prognos_utgifter"), "formler är inte tillåtna"),
    ):
        assert re.search(re.escape(where[key]) + r": [^\n]*" + re.escape(expected), text), (where[key], expected, text)


@pytest.mark.integration
def test_a_removed_sheet_is_refused_not_read_as_empty(vb_workbook, tmp_path):
    wb = load_workbook(vb_workbook)
    wb.remove(wb["Resultatenheter"])
    wb.save(tmp_path / "utan.xlsx")
    with pytest.raises(ManualInputError, match="Resultatenheter: bladet saknas i arbetsboken"):
        load_manual(tmp_path / "utan.xlsx", "191", 2024, "VB")


@pytest.mark.integration
def test_numbers_as_text_are_read_as_the_yaml_loader_would(vb_workbook, tmp_path):
    edited = tmp_path / "text.xlsx"
    _edit(vb_workbook, edited, [("Verksamhetsprojekt", "2401", "budget.kostnad", "60,5"),
                                ("Nyckeltal", "66", "foregaende_ar", "70,8 %")])
    read = load_manual(edited, "191", 2024, "VB")
    assert read.get("verksamhetsprojekt.2401.budget.kostnad") == "60,5"
    assert read.get("nyckeltal.66.foregaende_ar") == "70,8 %"


@pytest.mark.integration
def test_a_workbook_for_another_target_foreign_or_damaged_is_refused(vb_workbook, tmp_path):
    with pytest.raises(ManualInputError, match="arbetsboken gäller förvaltning 191 men blanketterna gäller 192"):
        load_manual(vb_workbook, "192", 2024, "VB")
    with pytest.raises(ManualInputError, match="rapporttillfälle VB men blanketterna gäller T2"):
        load_manual(vb_workbook, "191", 2024, "T2")
    foreign = tmp_path / "annan.xlsx"
    Workbook().save(foreign)
    with pytest.raises(ManualInputError, match="inte skapad med bokslut manual-input"):
        load_manual(foreign, "191", 2024, "VB")
    damaged = tmp_path / "trasig.xlsx"
    damaged.write_bytes(vb_workbook.read_bytes()[:2000])
    with pytest.raises(ManualInputError, match="skadad|går inte att öppna"):
        load_manual(damaged, "191", 2024, "VB")
    text = tmp_path / "text.xlsx"
    text.write_text("inte en arbetsbok", encoding="utf-8")
    with pytest.raises(ManualInputError, match="filen är skadad eller ingen Excel-arbetsbok"):
        load_manual(text, "191", 2024, "VB")


@pytest.mark.integration
def test_libreoffice_opens_and_saves_it_and_it_still_reads_back(vb_workbook, tmp_path):
    from tests.templates.conftest import SOFFICE_HINT, convert, soffice

    if soffice() is None:
        pytest.skip(SOFFICE_HINT)
    convert([vb_workbook], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    saved = tmp_path / "lo" / vb_workbook.name
    again = load_manual(saved, "191", 2024, "VB")
    original = load_manual(vb_workbook, "191", 2024, "VB")
    assert again.data == original.data
    convert([vb_workbook], "pdf", tmp_path / "pdf")
    assert (tmp_path / "pdf" / f"{vb_workbook.stem}.pdf").stat().st_size > 1000


# ---------------------------------------------------------------------- CLI and landing


@pytest.mark.integration
def test_cli_writes_the_workbook(templates_warehouse, tmp_path, monkeypatch, capsys):
    from bokslut.cli import main

    _engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(tmp_path / "landing"))
    out = tmp_path / "indata.xlsx"
    assert main(["manual-input", "--forvaltning", "191", "--year", "2024", "--point", "T2", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"Skrev {out}" in err and "förifyllt från T2-2024.yaml" in err and "Inte med i arbetsboken" not in err
    assert load_manual(out, "191", 2024, "T2").get("verksamhetsprojekt.2404.datumkommentar")
    with pytest.raises(SystemExit) as exit_info:
        main(["manual-input", "--forvaltning", "191", "--year", "2024", "--point", "T2", "-o", str(tmp_path / "x.yaml")])
    assert exit_info.value.code == 2
    # a workbook returned in the landing folder is the start of the next one
    (tmp_path / "landing" / "manual").mkdir(parents=True)
    returned = tmp_path / "landing" / "manual" / "tillbaka.xlsx"
    _edit(out, returned, [("Invent o maskin", "_", "kommentar", "Ny kommentar från ekonomi.")])
    again = tmp_path / "ny.xlsx"
    assert main(["manual-input", "--forvaltning", "191", "--year", "2024", "--point", "T2", "-o", str(again)]) == 0
    assert "förifyllt från tillbaka.xlsx" in capsys.readouterr().err
    assert load_manual(again, "191", 2024, "T2").get("invent_o_maskin.kommentar") == "Ny kommentar från ekonomi."


@pytest.mark.integration
def test_build_takes_the_returned_workbook_from_the_landing_folder_and_archives_it(templates_warehouse, vb_workbook, tmp_path):
    import hashlib
    import shutil

    from bokslut.flows import templates as pipeline
    from bokslut.settings import Settings

    _engine, base = templates_warehouse
    settings = Settings(tmp_path, base.warehouse_url, tmp_path / "landing", tmp_path / "archive", tmp_path / "out", 50_000)
    landing = settings.landing_dir / "manual"
    landing.mkdir(parents=True)
    edited = landing / "vb_ifylld.xlsx"
    _edit(vb_workbook, edited, [("Verksamhetsprojekt", "2406", "kommentar", "Verksamheten går över i ordinarie drift.")])
    sha = hashlib.sha256(edited.read_bytes()).hexdigest()
    delivery, result = pipeline.build_with_result({"forvaltning": "191", "year": 2024, "point": "VB"}, settings)
    assert result.filled.manual.sha256 == sha and delivery["manual_sha256"] == sha
    archived = settings.archive_dir / "manual" / sha[:16] / "manuella_uppgifter_191_VB-2024.xlsx"
    assert archived.read_bytes() == edited.read_bytes() and result.filled.manual.path == archived
    copy = Path(delivery["folder"]) / "manuella_uppgifter_191_VB-2024.xlsx"
    assert str(copy) in delivery["files"] and copy.read_bytes() == edited.read_bytes()
    assert not [f for f in delivery["findings"] if f["rule_id"] in ("BL01", "BL02") and f["status"] == "varning"]
    # the explicit file wins; two workbooks for one target are refused
    explicit = pipeline.resolve_manual(settings, "191", 2024, "VB", EXAMPLES / "VB-2024.yaml")
    assert explicit == EXAMPLES / "VB-2024.yaml"
    shutil.copyfile(edited, landing / "kopia.xlsx")
    with pytest.raises(ManualInputError, match="har 2 arbetsböcker med manuella uppgifter för VB-2024"):
        pipeline.build({"forvaltning": "191", "year": 2024, "point": "VB"}, settings)
    # another target ignores them
    assert pipeline.returned_workbook(settings, "191", 2024, "T2") is None


@pytest.mark.unit
def test_a_foreign_or_damaged_file_in_the_landing_folder_stops_the_build_naming_it(tmp_path):
    from bokslut.flows import templates as pipeline
    from bokslut.settings import Settings

    settings = Settings(tmp_path, "sqlite://", tmp_path / "landing", tmp_path / "archive", tmp_path / "out", 50_000)
    assert pipeline.resolve_manual(settings, "191", 2024, "VB").name == "VB-2024.yaml"  # no manual/ folder: the YAML
    folder = settings.landing_dir / "manual"
    folder.mkdir(parents=True)
    (folder / "~$lås.xlsx").write_bytes(b"")  # Excel's lock file is not a workbook and is skipped
    assert pipeline.returned_workbook(settings, "191", 2024, "VB") is None
    Workbook().save(folder / "annan.xlsx")
    with pytest.raises(ManualInputError, match=r"Landningsmappen manual/: annan\.xlsx: arbetsboken är inte skapad"):
        pipeline.resolve_manual(settings, "191", 2024, "VB")
    (folder / "annan.xlsx").write_bytes(b"PK trasig")
    with pytest.raises(ManualInputError, match=r"annan\.xlsx: filen är skadad"):
        pipeline.resolve_manual(settings, "191", 2024, "VB")


@pytest.mark.integration
def test_prefill_values_without_a_row_are_named_and_a_missing_prefill_file_is_an_error(templates_warehouse, tmp_path):
    from bokslut.templates.input_workbook import write_input_workbook

    engine, _settings = templates_warehouse
    seed = tmp_path / "T1.yaml"
    seed.write_text('forvaltning: "191"\nar: 2024\nrapporttillfalle: T1\nverksamhetsprojekt:\n'
                    '  "2401": {budget: {kostnad: 60.0}}\n  "9999": {budget: {kostnad: 1.0}}\n', encoding="utf-8")
    result = write_input_workbook(engine, "191", 2024, "T1", tmp_path / "t1.xlsx", manual_path=seed)
    assert result.dropped == ["verksamhetsprojekt.9999.budget.kostnad"]
    assert load_manual(tmp_path / "t1.xlsx", "191", 2024, "T1").get("verksamhetsprojekt.2401.budget.kostnad") == 60
    with pytest.raises(ManualInputError, match="Filen att förifylla från, .*saknas.yaml, finns inte"):
        write_input_workbook(engine, "191", 2024, "T1", tmp_path / "x.xlsx", manual_path=tmp_path / "saknas.yaml")


@pytest.mark.integration
def test_validations_and_names_stay_within_excels_limits(vb_workbook):
    """Excel offers to repair a workbook whose validation texts or sheet names are too long."""
    wb = load_workbook(vb_workbook)
    assert all(len(name) <= 31 for name in wb.sheetnames)
    validations = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert {dv.type for dv in validations} == {"decimal", "whole", "date", "list", "textLength"}
    for dv in validations:
        assert dv.sqref and len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
        assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
