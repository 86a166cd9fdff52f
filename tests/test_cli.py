"""The bokslut command line: exit codes, one-line Swedish errors, TSV on stdout."""

from __future__ import annotations

import pytest

from bokslut.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from tests.ingest.ledger_files import csv_text, row

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'w.sqlite'}")


def test_load_folder_then_report_to_stdout(tmp_path, capsys):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "a.csv").write_text(csv_text([row("202401", "5021", "12,50")]), encoding="utf-8")
    (folder / "b.csv").write_text(csv_text([row("202402", "5021", "7,50")]), encoding="utf-8")
    assert main(["load", "ledger", str(folder)]) == EXIT_OK
    said = capsys.readouterr()
    # stdout is for data: Airflow's console logging is moved to stderr (the one line Airflow's
    # unit-test mode, set by conftest, prints while it is being imported is not ours)
    assert [line for line in said.out.splitlines() if "unit_tests.cfg" not in line] == []
    err = said.err
    assert "a.csv: publicerad" in err and "b.csv: publicerad" in err
    assert main(["report", "resultatrakning", "--forvaltning", "191", "--period", "202402"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "level\taccount\tname\texternt\tstadens_bolag\tinternt\ttotalt"
    assert any(line.startswith("4\t5021\t") and line.endswith("\t20.00") for line in out.splitlines())


def test_bad_file_exits_1_with_swedish_summary(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([row(belopp="x")]), encoding="utf-8")
    assert main(["load", "ledger", str(bad)]) == EXIT_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("fel: bad.csv: 1 rad(er) med fel – filen publicerades inte.")
    assert err[-1].endswith("Publicerade data i filernas perioder är oförändrade.")


def test_missing_path_is_one_line_error(tmp_path, capsys):
    assert main(["load", "ledger", str(tmp_path / "saknas.csv")]) == EXIT_INPUT
    assert capsys.readouterr().err.strip() == f"fel: Filen eller mappen {tmp_path / 'saknas.csv'} finns inte."


@pytest.mark.parametrize(("args", "message"), [
    (["report", "balansrakning", "--forvaltning", "191", "--period", "202415"], "ogiltig period '202415'"),
    (["report", "balansrakning", "--forvaltning", "19", "--period", "202401"], "ogiltig förvaltning '19'"),
    (["load", "okand", "x.csv"], "invalid choice: 'okand'"),
])
def test_usage_errors_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_xlsx_report_written(tmp_path, capsys):
    path = tmp_path / "l.csv"
    path.write_text(csv_text([row("202401")]), encoding="utf-8")
    main(["load", "ledger", str(path)])
    target = tmp_path / "out" / "br.xlsx"
    assert main(["report", "alla", "--forvaltning", "191", "--period", "202401", "--format", "xlsx", "-o", str(target)]) == EXIT_OK
    from openpyxl import load_workbook

    assert load_workbook(target).sheetnames == ["Balansräkning", "Resultaträkning", "Budgetavräkning",
                                                "Anläggningsinformation", "Anläggnings- och rörelsekapital", "Källor"]


def _forvaltning_file(folder, forvaltning: str, belopp: str, *, rows_for: str | None = None):
    rows = [row("202401", "5021", belopp)]
    rows[0][0] = rows_for or forvaltning
    path = folder / f"huvudbok_{forvaltning}_202401.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def test_every_command_takes_forvaltning():
    """Every command but ``db`` (one schema for the whole city) takes --forvaltning."""
    import argparse

    from bokslut.cli import _parser

    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    without = {name for name, parser in sub.choices.items()
               if not any("--forvaltning" in a.option_strings for a in parser._actions)}  # noqa: SLF001
    assert without == {"db"}


def test_load_of_several_forvaltningar_publishes_the_good_ones(tmp_path, capsys):
    folder = tmp_path / "ledger"
    folder.mkdir()
    _forvaltning_file(folder, "191", "10,00")
    _forvaltning_file(folder, "150", "25,00")
    _forvaltning_file(folder, "310", "x")
    assert main(["load", "ledger", str(folder)]) == EXIT_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert "Förvaltning 150: klar; Förvaltning 191: klar; Förvaltning 310: avvisad." in err
    assert err[-1].startswith("fel: huvudbok_310_202401.csv: 1 rad(er) med fel")
    for forvaltning, total in (("191", "10.00"), ("150", "25.00")):
        assert main(["report", "resultatrakning", "--forvaltning", forvaltning, "--period", "202401"]) == EXIT_OK
        lines = capsys.readouterr().out.splitlines()
        assert any(line.startswith("4\t5021\t") and line.endswith(f"\t{total}") for line in lines), forvaltning
    assert main(["report", "resultatrakning", "--forvaltning", "310", "--period", "202401"]) == EXIT_INPUT


def test_load_forvaltning_filters_the_files(tmp_path, capsys):
    folder = tmp_path / "ledger"
    folder.mkdir()
    _forvaltning_file(folder, "191", "10,00")
    _forvaltning_file(folder, "150", "25,00")
    assert main(["load", "ledger", str(folder), "--forvaltning", "150"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "huvudbok_150_202401.csv: publicerad" in err and "huvudbok_191" not in err
    assert main(["report", "resultatrakning", "--forvaltning", "191", "--period", "202401"]) == EXIT_INPUT
    assert "Förvaltning 191 har ingen publicerad huvudbok" in capsys.readouterr().err
    assert main(["load", "ledger", str(folder), "--forvaltning", "420"]) == EXIT_INPUT
    assert capsys.readouterr().err.strip().splitlines()[-1] == "fel: inga filer för förvaltning 420 bland de angivna."


def test_file_with_another_forvaltnings_rows_is_rejected(tmp_path, capsys):
    path = _forvaltning_file(tmp_path, "150", "25,00", rows_for="191")
    assert main(["load", "ledger", str(path)]) == EXIT_INPUT
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("fel: huvudbok_150_202401.csv: Filen innehåller rader för förvaltning 191 men lästes in "
                           "för förvaltning 150")
    assert main(["report", "resultatrakning", "--forvaltning", "191", "--period", "202401"]) == EXIT_INPUT


def test_demo_data_for_a_derived_forvaltning_and_load_ber_filtered(tmp_path, capsys, monkeypatch):
    out = tmp_path / "demo"
    assert main(["demo-data", "--year", "2024", "-o", str(out), "--rows", "1000", "--forvaltning", "150"]) == EXIT_OK
    assert "150:" in capsys.readouterr().err
    names = {p.name for p in out.rglob("*.csv")}
    assert "huvudbok_150_202413.csv" in names and "budget_150_2024.csv" in names
    assert not any("_191_" in name for name in names)

    # load hr|ber --forvaltning filters the extracts too
    monkeypatch.setenv("BOKSLUT_PSEUDONYM_KEY", "test-nyckel-som-ar-tillrackligt-lang-0123456789")
    assert main(["load", "ber", str(out / "ber"), "--forvaltning", "191"]) == EXIT_INPUT
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("fel: inga filer att läsa in för förvaltning 191")
    assert main(["load", "ber", str(out / "ber"), "--forvaltning", "150"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "registreringar_150_202411.csv: publicerad" in err and "kontakter_150_202411.csv: publicerad" in err


def test_demo_data_refuses_a_bad_forvaltning_list(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo-data", "-o", str(tmp_path), "--forvaltning", "191,15"])
    assert exc.value.code == EXIT_USAGE
    assert "ogiltig förvaltning '191,15'" in capsys.readouterr().err
