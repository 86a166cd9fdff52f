"""``bokslut load hr|ber``, ``bokslut nyckeltal`` and ``bokslut kaa``: outputs, exit codes, Swedish errors."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.hr.cli_helpers import parser, run


@pytest.fixture
def warehouse_env(hr_warehouse, monkeypatch):
    engine, settings = hr_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.mark.unit
def test_hr_and_ber_are_load_choices():
    args = parser().parse_args(["load", "hr", "x"])
    assert args.source == "hr"
    assert parser().parse_args(["load", "ber_kontakt", "x"]).source == "ber_kontakt"


@pytest.mark.integration
def test_nyckeltal_tsv_to_stdout(warehouse_env, capsys):
    assert run(["nyckeltal", "--forvaltning", "191", "--year", "2024"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "nyckeltal_id\tnumerator\tdenominator\tvalue\tvalue_prior_year"
    assert [line.split("\t")[0] for line in lines[1:]] == ["122", "123", "124", "125a", "125b", "125", "126", "127",
                                                           "128", "129"]
    assert lines[-1] == "129\t5688\t1076\t5285\t5127"


@pytest.mark.integration
def test_nyckeltal_tertial_and_xlsx(warehouse_env, tmp_path, capsys):
    path = tmp_path / "t1.tsv"
    assert run(["nyckeltal", "--forvaltning", "191", "--year", "2024", "--tertial", "T1", "-o", str(path)]) == 0
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith("nyckeltal_id\t")
    book = tmp_path / "n.xlsx"
    assert run(["nyckeltal", "--forvaltning", "191", "--year", "2024", "--format", "xlsx", "-o", str(book)]) == 0
    ws = load_workbook(book).active
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0] in ("122", "129")}
    assert rows["122"][2:6] == (969, 1056, 91.8, 91.2)  # numbers, not text
    assert rows["129"][4] == 5285


@pytest.mark.integration
def test_kaa_tsv_and_xlsx(warehouse_env, tmp_path):
    path = tmp_path / "kaa.tsv"
    assert run(["kaa", "--year", "2024", "-o", str(path)]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "metric\tgroup\tvalue" and "ungdomar_i_kaa_registret\ttotalt\t8222" in lines
    book = tmp_path / "kaa.xlsx"
    assert run(["kaa", "--year", "2024", "--format", "xlsx", "-o", str(book)]) == 0
    cells = {(r[0], r[1]): r[2] for r in load_workbook(book).active.iter_rows(values_only=True) if r and r[1]}
    assert cells[("ungdomar_i_kaa_registret", "totalt")] == 8222
    assert any(v in ("<5", "..") for v in cells.values())  # small cells stay text


@pytest.mark.integration
def test_bad_usage_and_bad_input(warehouse_env, tmp_path, capsys):
    assert run(["load", "hr", str(tmp_path), "--mapping", "x.yaml"]) == 2
    (tmp_path / "lönelista_191.csv").write_text("a;b\n", encoding="utf-8")
    assert run(["load", "hr", str(tmp_path)]) == 1
    assert run(["kaa", "--year", "2019"]) == 1
    err = capsys.readouterr().err
    assert "--mapping gäller en källa" in err and "okänd hr-fil" in err and "statistikåret 2019" in err
    with pytest.raises(SystemExit) as usage:
        run(["nyckeltal", "--forvaltning", "19", "--year", "2024"])
    assert usage.value.code == 2


@pytest.mark.integration
def test_missing_key_is_one_swedish_line(warehouse_env, tmp_path, monkeypatch, capsys):
    from bokslut.hr.pseudonym import KEY_ENV

    monkeypatch.delenv(KEY_ENV)
    (tmp_path / "anstallningar_191_202412.csv").write_text("Period\n", encoding="utf-8")
    assert run(["load", "hr", str(tmp_path)]) == 1
    assert f"fel: Nyckel för pseudonymisering saknas: sätt miljövariabeln {KEY_ENV}" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["nyckeltal", "--forvaltning", "999", "--year", "2024"], "Förvaltning 999 har inga publicerade LISA-uttag"),
    (["nyckeltal", "--forvaltning", "191", "--year", "2030"], "för 202912–203012"),
    (["kaa", "--forvaltning", "999", "--year", "2024"], "Förvaltning 999 har inga publicerade BER-uttag"),
])
@pytest.mark.integration
def test_unknown_forvaltning_or_year_is_an_error_not_empty_figures(warehouse_env, capsys, args, message):
    assert run(args) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith("fel: ") and message in line
