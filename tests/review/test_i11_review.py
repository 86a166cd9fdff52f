"""Adversarial review of issue 11 (input workbook round trip, lineage, explain): each test is a bug a
demanding user would hit; see the commit that adds it for the why."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from bokslut.templates.input_catalogue import FIELD_PREFIX, FIRST_ROW, KEY_ROW, Field, Section
from bokslut.templates.input_reader import _required, _value
from bokslut.templates.manual import ManualInputError, to_decimal

AMOUNT = Field("budget.kostnad", "Budget kostnad", "belopp", ("VB",), unit="mnkr")
WHOLE = Field("taljare", "Täljare", "heltal", ("VB",))
DAY = Field("prognos_slut", "Prognos slutdatum", "datum", ("VB",))


def _cell(value: object, as_text: bool = False):  # noqa: ANN202 - openpyxl Cell
    ws = Workbook().active
    cell = ws["C5"]
    cell.value = value
    if as_text:
        cell.data_type = "s"
    return cell


# ------------------------------------------------------------ numbers that are not numbers


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN"])
@pytest.mark.unit
def test_nan_and_infinity_are_not_numbers(text):
    """Decimal() accepts them: a pasted 'NaN' in an amount cell passed the reader and the build then
    stopped with an English 'cannot convert NaN to integer' or 'Oväntat fel (OverflowError)'."""
    with pytest.raises(ManualInputError, match="inget tal"):
        to_decimal(text, "Verksamhetsprojekt!E5")
    with pytest.raises(ManualInputError):
        to_decimal(float(text.replace("sNaN", "nan")), "x")  # a YAML .nan / .inf
    errors: list[str] = []
    assert _value(_cell(text, as_text=True), AMOUNT, "Verksamhetsprojekt!E5", errors) is None
    assert errors and "Verksamhetsprojekt!E5" in errors[0]


# --------------------------------------------- the workbook's own validation, when pasted past


@pytest.mark.parametrize(("field", "value"), [
    (AMOUNT, 5e12), (AMOUNT, "-2000000000000"), (WHOLE, 10**10), (DAY, datetime(1900, 1, 1)), (DAY, "2150-01-01"),
])
@pytest.mark.unit
def test_values_outside_the_workbooks_validation_are_refused(field, value):
    """Excel's data validation only stops typing; a pasted value (or one from LibreOffice) is stored as
    it is. The reader must refuse what the cell's validation refuses, naming the cell (issue 11:
    'every error names sheet and cell ... outside validation')."""
    errors: list[str] = []
    assert _value(_cell(value, as_text=isinstance(value, str)), field, "Blad!C5", errors) is None
    assert errors and errors[0].startswith("Blad!C5: ")


@pytest.mark.parametrize(("field", "value", "expected"), [
    (AMOUNT, -12.5, -12.5), (AMOUNT, 0, 0), (AMOUNT, "−3,5", "−3,5"), (WHOLE, 925.0, 925),
    (DAY, datetime(2024, 12, 31), date(2024, 12, 31)), (DAY, "2024-12-31", date(2024, 12, 31)),
])
@pytest.mark.unit
def test_values_inside_the_validation_still_read(field, value, expected):
    errors: list[str] = []
    assert _value(_cell(value, as_text=isinstance(value, str)), field, "Blad!C5", errors) == expected and not errors



@pytest.mark.parametrize(("field", "text", "expected"), [
    (WHOLE, "925", 925), (WHOLE, " 1 234 ", 1234), (Field("kvot", "Kvot", "tal", ("VB",)), "12,5", 12.5),
    (Field("kvot", "Kvot", "tal", ("VB",)), "−3", -3),
])
@pytest.mark.unit
def test_a_number_typed_as_text_in_a_number_cell_without_unit_is_a_number(field, text, expected):
    """Nyckeltal 66 täljare/nämnare (heltal) and kvot (tal) have no unit: the fill writes what it is given,
    so the text '925' (pasted, or typed in a text-formatted cell) landed as text in the template's number
    cell, where the kvot formula and 'explain' see no number."""
    from bokslut.templates.fill import _manual_value
    from bokslut.templates.mapping import CellSpec

    assert _manual_value("925", CellSpec(manual="nyckeltal.66.taljare"), "x") == "925"  # why the reader must convert
    errors: list[str] = []
    value = _value(_cell(text, as_text=True), field, "Nyckeltal!C5", errors)
    assert value == expected and type(value) is type(expected) and not errors


# ------------------------------------------------------------------ a blank that is not blank


@pytest.mark.unit
def test_a_required_answer_of_only_spaces_is_missing():
    """The reader treats a cell of spaces as blank (the key is absent), but the required-check counted
    it as given: a JA/NEJ every unit must answer went missing without the error naming the cell."""
    section = Section("resultatenheter", "Resultatenheter", "", ("VB",),
                      (Field("eget_handlande", "Eget handlande (JA/NEJ)", "ja_nej", ("VB",), required=True),))
    ws = Workbook().active
    ws.cell(KEY_ROW, 3).value = FIELD_PREFIX + "eget_handlande"
    ws.cell(FIRST_ROW, 1).value = "2130"
    ws.cell(FIRST_ROW, 3).value = "   "
    errors: list[str] = []
    _required(ws, FIRST_ROW, "2130", section, "VB", {3: section.fields[0]}, {}, errors)
    assert errors and "C5" in errors[0] and "saknas" in errors[0]



# ------------------------------------------------------------ a recomputation that cannot disagree


@pytest.mark.unit
def test_an_hr_cell_is_not_confirmed_by_the_function_that_computed_it(monkeypatch):
    from decimal import Decimal
    from types import SimpleNamespace

    import bokslut.hr.keyfigures as keyfigures
    from bokslut.lineage.cells import explain_record
    from bokslut.lineage.record import HrFigure, SourceRecord, Term

    wrong = Decimal(4242)  # whatever key_figures returns, right or wrong
    monkeypatch.setattr(keyfigures, "key_figures",
                        lambda *a, **k: SimpleNamespace(by_id=lambda: {"129a": SimpleNamespace(numerator=wrong)}))
    record = SourceRecord("hr.nyckeltal", {"nr": "129"}, "HR-nyckeltal",
                          [Term(HrFigure("129", "129a", "numerator", 2024, 12, False), float(wrong))])
    e = explain_record(None, "191", "Personal!C9", record, float(wrong), float(wrong))
    assert e.agrees is None and e.recomputed is None  # "kan inte räknas om", never a self-confirmed "stämmer"



@pytest.mark.parametrize(("unit", "ore", "off"), [("mnkr", 500_000_000_000, 400), ("mnkr", 2_000_000_000, 1),
                                                 ("tkr", 50_000_000_000, 40), ("kr", 10**15, 1)])
@pytest.mark.unit
def test_a_large_amount_off_by_kronor_does_not_agree(unit, ore, off):
    """``Explanation.agrees`` compared amounts with a relative tolerance of 1e-9: 'stämmer' (exit 0) for
    4 kr off a 5 000 mnkr figure, 1 öre off 20 mnkr. Both sides are whole öre: compare exactly."""
    from bokslut.lineage.model import Explanation
    from bokslut.templates.mapping import UNITS
    from bokslut.templates.measures import ore_in_unit

    shown = ore_in_unit(ore, UNITS[unit])
    assert Explanation("x", shown, unit, "", recomputed=ore_in_unit(ore + off, UNITS[unit])).agrees is False
    assert Explanation("x", shown, unit, "", recomputed=ore_in_unit(ore, UNITS[unit])).agrees is True
    assert Explanation("x", ore, "öre", "", recomputed=ore + off).agrees is False



@pytest.mark.unit
def test_explain_checks_the_cell_before_filling_and_a_stopped_database_is_swedish(monkeypatch, capsys):
    """A mistyped --cell was found only after the fill (minutes, and a recorded control run); a stopped
    PostgreSQL is one Swedish line naming host and port."""
    from bokslut.cli import main

    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", "postgresql+psycopg://postgres@127.0.0.1:5999/bokslut_review")
    assert main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--sheet", "Invent o maskin",
                 "--cell", "E8:E9"]) == 1
    assert "Ogiltig cell 'E8:E9'" in capsys.readouterr().err
    assert main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--control", "KK05.6"]) != 0
    err = capsys.readouterr().err
    assert "127.0.0.1:5999" in err and "Traceback" not in err and "Oväntat fel" not in err



@pytest.mark.parametrize("name", ["ifylld_VB.xlsx", "VB-2024.yaml"])
@pytest.mark.unit
def test_a_manual_file_named_but_missing_is_an_error_not_an_empty_fill(tmp_path, name):
    """``bokslut templates --manual ifyld.xlsx`` (a typo) filled the templates without any of finance's
    inputs and exited 0 ('Manuella uppgifter: ingen fil'); with --send they went out like that."""
    from bokslut.flows import templates as pipeline
    from bokslut.settings import Settings

    settings = Settings(tmp_path, "sqlite://", tmp_path / "landing", tmp_path / "archive", tmp_path / "out", 50_000)
    with pytest.raises(ManualInputError, match="finns inte"):
        pipeline.resolve_manual(settings, "191", 2024, "VB", tmp_path / name)



@pytest.mark.unit
def test_the_template_builds_lineage_names_the_manual_inputs_it_read(monkeypatch):
    """The template DAGs reported the warehouse tables as their only inputs: the returned input workbook
    (or YAML) each filling read, a landing file, was missing from the OpenLineage events."""
    from bokslut import dataset_lineage

    seen: dict = {}
    monkeypatch.setattr(dataset_lineage, "report", lambda **kw: seen.update(kw))
    monkeypatch.setattr(dataset_lineage, "source_tables", lambda *a, **k: ["postgres://db:5432/w/public/posting"])
    archived = "/data/archive/manual/0123456789abcdef/manuella_uppgifter_191_VB-2024.xlsx"
    dataset_lineage.report_templates([{"files": ["/out/191/VB-2024/blanketter_191_VB-2024.xlsx"], "manual_file": archived}])
    assert dataset_lineage.file_uri(archived) in seen["inputs"]
    assert seen["outputs"] == [dataset_lineage.file_uri("/out/191/VB-2024/blanketter_191_VB-2024.xlsx")]


# ===================================================================== against the 2024 warehouse

from tests.templates.conftest import filled, templates_warehouse  # noqa: E402, F401 - session fixtures


def _control_runs(engine) -> int:  # noqa: ANN001
    import sqlalchemy as sa

    from bokslut.warehouse.schema import control_run

    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(control_run)).scalar()


@pytest.mark.parametrize("period", ["0", "99", "202499", "abc"])
@pytest.mark.integration
def test_explain_refuses_a_malformed_period_in_swedish(templates_warehouse, monkeypatch, capsys, period):  # noqa: F811
    """``--period`` was a bare int: 'abc' gave argparse's English 'invalid int value', and 0 or 202499
    ran the Kontokontroller for that period and recorded the run in the warehouse."""
    from bokslut.cli import EXIT_USAGE, main

    engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    before = _control_runs(engine)
    with pytest.raises(SystemExit) as info:
        main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--control", "KK05.6", "--period", period])
    assert info.value.code == EXIT_USAGE
    assert "ogiltig period" in capsys.readouterr().err and _control_runs(engine) == before


@pytest.mark.integration
def test_explain_control_of_a_period_never_published_is_an_error_not_a_zero_that_agrees(templates_warehouse, monkeypatch,  # noqa: F811
                                                                                          capsys):
    """``bokslut controls`` and ``explain --report`` refuse a period that was never published; ``explain
    --control`` ran the controls on no data, printed 0 kr '– stämmer' and exited 0."""
    from bokslut.cli import EXIT_OK, main

    engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    before = _control_runs(engine)
    code = main(["explain", "--forvaltning", "191", "--year", "2025", "--point", "T1", "--control", "KK05.6"])
    captured = capsys.readouterr()
    assert code != EXIT_OK and "stämmer" not in captured.out
    assert "inte publicerad" in captured.err or "ingen publicerad" in captured.err
    assert _control_runs(engine) == before  # nothing recorded for a period without data


@pytest.mark.integration
def test_explain_a_range_instead_of_a_cell_is_a_swedish_error(templates_warehouse, filled):  # noqa: F811
    """'--cell E8:E9' reached openpyxl as a range: AttributeError, 'Oväntat fel' instead of a sentence."""
    from bokslut.errors import explain
    from bokslut.lineage.cells import explain_filled

    engine, _settings = templates_warehouse
    vb = filled["VB"]
    for cell in ("E8:E9", "8", "E"):
        with pytest.raises(Exception) as info:  # noqa: PT011 - the kind is what is checked
            explain_filled(engine, vb.result.filled, "Invent o maskin", cell, workbook=vb.path)
        code, message = explain(info.value)
        assert code == 1 and "Oväntat fel" not in message and cell in message, (cell, message)


@pytest.mark.integration
def test_manual_input_prefilled_from_a_yaml_with_yes_no_answers(templates_warehouse, tmp_path):  # noqa: F811
    """The fill takes YAML booleans for JA/NEJ (``eget_handlande: yes`` is True in YAML 1.1) and shows
    JA/NEJ; ``bokslut manual-input`` prefilled from the same file stopped with a TypeError
    ('Oväntat fel'), so finance could not get the workbook at all."""
    import yaml

    from bokslut.templates.input_workbook import write_input_workbook
    from bokslut.templates.manual_file import load_manual
    from tests.templates.test_input_reader import EXAMPLES

    engine, _settings = templates_warehouse
    data = yaml.safe_load((EXAMPLES / "VB-2024.yaml").read_text(encoding="utf-8"))
    codes = [code for code, row in data["resultatenheter"].items() if isinstance(row, dict) and "eget_handlande" in row]
    data["resultatenheter"][codes[0]]["eget_handlande"] = True
    data["resultatenheter"][codes[1]]["eget_handlande"] = False
    seed = tmp_path / "VB-2024.yaml"
    seed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "indata.xlsx"
    write_input_workbook(engine, "191", 2024, "VB", out, manual_path=seed)
    back = load_manual(out, "191", 2024, "VB")
    assert back.get(f"resultatenheter.{codes[0]}.eget_handlande") == "JA"
    assert back.get(f"resultatenheter.{codes[1]}.eget_handlande") == "NEJ"


def _verdict_runs(engine) -> int:  # noqa: ANN001
    """Control runs the template readiness gate may take as the verdict on the data."""
    import sqlalchemy as sa

    from bokslut.warehouse.schema import control_run

    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(control_run)
                                  .where(control_run.c.status.in_(("ok", "varning", "fel")))).scalar()


@pytest.mark.integration
def test_explain_and_the_input_workbook_never_become_the_month_end_gate(templates_warehouse, filled, tmp_path):  # noqa: F811
    """``explain --control``, ``explain --sheet`` (a fill) and ``manual-input`` (a dry fill) run the
    Kontokontroller on the published data. ``flows.templates.readiness`` takes the newest finished run
    on the published loads as the verdict: those reads record their runs as 'förklaring', never as one."""
    from bokslut.controls.runner import NOT_A_VERDICT
    from bokslut.lineage.cells import explain_cell
    from bokslut.lineage.controls import explain_control
    from bokslut.templates.input_workbook import write_input_workbook

    engine, _settings = templates_warehouse
    before, all_before = _verdict_runs(engine), _control_runs(engine)
    explain_control(engine, "191", 202413, "KK05.6", postings=1)
    explain_cell(engine, "191", 2024, "VB", "Invent o maskin", "E8", postings=1)
    write_input_workbook(engine, "191", 2024, "VB", tmp_path / "indata.xlsx")
    assert _verdict_runs(engine) == before
    assert _control_runs(engine) == all_before + 3  # still recorded, for the audit trail
    import sqlalchemy as sa

    from bokslut.warehouse.schema import control_run

    with engine.connect() as connection:
        newest = connection.execute(sa.select(control_run.c.status).order_by(control_run.c.run_id.desc()).limit(3)).scalars().all()
    assert newest == [NOT_A_VERDICT] * 3


@pytest.mark.integration
def test_explain_a_cell_uses_the_returned_workbook_the_build_used(templates_warehouse, tmp_path, monkeypatch, capsys):  # noqa: F811
    """The build takes finance's returned workbook from <landing>/manual/ before the YAML; ``explain
    --sheet`` filled from the YAML only, so it showed (and confirmed as 'stämmer') another value than
    the delivered workbook holds."""
    from bokslut.cli import EXIT_OK, main
    from bokslut.templates.input_workbook import write_input_workbook
    from tests.templates.test_input_reader import _edit

    engine, settings = templates_warehouse
    landing = tmp_path / "landing"
    (landing / "manual").mkdir(parents=True)
    blank = tmp_path / "indata.xlsx"
    write_input_workbook(engine, "191", 2024, "VB", blank)
    _edit(blank, landing / "manual" / "tillbaka.xlsx", [("Nyckeltal", "66", "taljare", 777)])
    for name, value in (("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url), ("BOKSLUT_LANDING_DIR", str(landing)),
                        ("BOKSLUT_ARCHIVE_DIR", str(tmp_path / "archive")), ("BOKSLUT_OUTBOX_DIR", str(tmp_path / "out"))):
        monkeypatch.setenv(name, value)
    from bokslut.flows import templates as pipeline
    delivery, result = pipeline.build_with_result({"forvaltning": "191", "year": 2024, "point": "VB"})
    assert delivery["manual_file"] == str(result.filled.manual.path) and "tillbaka" not in delivery["manual_file"]
    delivered = next(c for c in result.filled.form_cells() if c.sheet == "Nyckeltal 66" and c.coordinate == "B13")
    assert delivered.written == 777
    capsys.readouterr()
    assert main(["explain", "--forvaltning", "191", "--year", "2024", "--point", "VB", "--sheet", "Nyckeltal 66",
                 "--cell", "B13", "--format", "tsv"]) == EXIT_OK
    rows = dict(line.split("\t", 1) for line in capsys.readouterr().out.splitlines() if "\t" in line)
    assert rows["varde"] == "777"
    # the source names the workbook as the build does (the archived copy), never finance's own file name
    assert "manuella_uppgifter_191_VB-2024.xlsx" in rows["kalla"] and "tillbaka" not in rows["kalla"]


@pytest.mark.integration
def test_t2_workbook_carries_over_what_finance_returned_at_t1(templates_warehouse, tmp_path, monkeypatch, capsys):  # noqa: F811
    """The build takes a returned T1 workbook from <landing>/manual/ before the T1 YAML; the T2 input
    workbook carried over from the YAML only, so it prefilled the project budget finance had corrected
    at T1 with the old figure, and a T2 filled from it would publish that."""
    from bokslut.cli import EXIT_OK, main
    from bokslut.templates.input_workbook import write_input_workbook
    from bokslut.templates.manual_file import load_manual
    from tests.templates.test_input_reader import EXAMPLES, _edit

    engine, settings = templates_warehouse
    landing = tmp_path / "landing"
    (landing / "manual").mkdir(parents=True)
    t1 = tmp_path / "t1.xlsx"
    write_input_workbook(engine, "191", 2024, "T1", t1)
    assert load_manual(t1, "191", 2024, "T1").get("verksamhetsprojekt.2401.budget.kostnad") == 60
    _edit(t1, landing / "manual" / "t1_tillbaka.xlsx", [("Verksamhetsprojekt", "2401", "budget.kostnad", 61.5)])
    for name, value in (("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url), ("BOKSLUT_LANDING_DIR", str(landing)),
                        ("BOKSLUT_ARCHIVE_DIR", str(tmp_path / "archive"))):
        monkeypatch.setenv(name, value)
    manual_dir = tmp_path / "manual"  # the T1 YAML as in include/manual, no T2 file yet: T2 carries over
    (manual_dir / "191").mkdir(parents=True)
    (manual_dir / "191" / "T1-2024.yaml").write_bytes((EXAMPLES / "T1-2024.yaml").read_bytes())
    monkeypatch.setenv("BOKSLUT_MANUAL_DIR", str(manual_dir))
    out = tmp_path / "t2.xlsx"
    assert main(["manual-input", "--forvaltning", "191", "--year", "2024", "--point", "T2", "-o", str(out)]) == EXIT_OK
    assert load_manual(out, "191", 2024, "T2").get("verksamhetsprojekt.2401.budget.kostnad") == 61.5
