"""The bokslut command line: exit codes, one-line Swedish errors, TSV on stdout."""

from __future__ import annotations

import pytest

from bokslut.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from tests.ingest.ledger_files import csv_text, row


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
                                                "Anläggningsinformation", "Anläggnings- och rörelsekapital"]
