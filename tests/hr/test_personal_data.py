"""No personnummer anywhere but in the archive: generate → ``bokslut load hr|ber`` → nyckeltal and
KAA outputs (CLI and DAG functions), then every text in every warehouse table, every log line and
every output file is searched for every personnummer of the test data in all its spellings."""

from __future__ import annotations

import csv
import logging
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.hr.pseudonym import normalise_personnummer, spellings
from tests.hr.cli_helpers import run as _run

SEPARATORS = re.compile(r"[-+\s]")
DIGITS = re.compile(r"\d{10,}")


def _numbers(root: Path) -> set[str]:
    """Every personnummer in the generated HR and BER files, normalised."""
    found = set()
    for path in sorted((root / "hr").glob("*.csv")) + sorted((root / "ber").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            found |= {normalise_personnummer(row["Personnummer"]) for row in csv.DictReader(fh, delimiter=";")}
    return found


class Finder:
    """Finds any spelling of the given numbers in a text: with and without century, hyphen or plus."""

    def __init__(self, numbers: set[str]):
        self.cores = {n[2:] for n in numbers}  # YYMMDDNNNN is inside every spelling
        assert all(s.replace("-", "").replace("+", "")[-10:] in self.cores for n in numbers for s in spellings(n))

    def hits(self, text: str) -> set[str]:
        """The numbers (as YYMMDDNNNN) found in ``text``, however they are spelled."""
        out = set()
        for run in DIGITS.findall(SEPARATORS.sub("", text)):
            out |= {run[i:i + 10] for i in range(len(run) - 9)} & self.cores
        return out


def _file_texts(folder: Path) -> dict[Path, str]:
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts[path] = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            texts[path] = path.read_text(encoding="utf-8", errors="replace")
    return texts


@pytest.mark.slow
def test_no_personnummer_outside_the_archive(tmp_path, monkeypatch, caplog, capsys):
    from bokslut.generator import generate
    from bokslut.hr import pipeline
    from bokslut.warehouse.db import get_engine
    from tests.hr.conftest import EMPLOYMENT_HEADER, pnr, write

    landing, out = tmp_path / "landing", tmp_path / "out"
    for name, value in {"BOKSLUT_DATA_DIR": tmp_path / "data", "BOKSLUT_LANDING_DIR": landing,
                        "BOKSLUT_ARCHIVE_DIR": tmp_path / "archive", "BOKSLUT_OUTBOX_DIR": out,
                        "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'data' / 'w.sqlite'}"}.items():
        monkeypatch.setenv(name, str(value))
    caplog.set_level(logging.DEBUG)
    generate(2024, landing, rows=20_000)
    numbers = _numbers(landing)
    assert len(numbers) > 9_000  # ~1 400 staff over two years and 8 222 young people
    finder = Finder(numbers)
    # A rejected delivery too: a wrong check digit and a broken row that holds a real test number.
    someone = sorted(numbers)[0]
    (tmp_path / "bad").mkdir()
    write(tmp_path / "bad", "anstallningar_191_202401.csv", EMPLOYMENT_HEADER, [
        f"202401;191;{pnr('19800101', '980', bad_check=True)};A1;1910100;tillsvidare;100;N;K;N;2015-03-01;;",
        f"202401;191;{someone[:8]}-{someone[8:]};A2;1910100",
    ])

    assert _run(["load", "hr", str(landing / "hr")]) == 0
    assert _run(["load", "ber", str(landing / "ber")]) == 0
    assert _run(["load", "hr", str(tmp_path / "bad")]) == 1
    assert _run(["nyckeltal", "--forvaltning", "191", "--year", "2024"]) == 0
    assert _run(["nyckeltal", "--forvaltning", "191", "--year", "2024", "--tertial", "T2", "--format", "xlsx",
                 "-o", str(out / "cli" / "nyckeltal.xlsx")]) == 0
    assert _run(["kaa", "--year", "2024", "-o", str(out / "cli" / "kaa.tsv")]) == 0
    assert _run(["kaa", "--year", "2024", "--format", "xlsx", "-o", str(out / "cli" / "kaa.xlsx")]) == 0
    written = pipeline.build_outputs("hr", [{"status": "publicerad", "partitions": ["191:202412"]}])
    written += pipeline.build_outputs("ber", [{"status": "publicerad", "partitions": ["191:202411"]}])
    assert len(written) == 4
    captured = capsys.readouterr()
    assert "122\t969\t1056\t91.8\t91.2" in captured.out

    # The warehouse: every column of every table, as text.
    engine = get_engine()
    leaks: dict[str, set[str]] = {}
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        assert {"hr_employment", "hr_absence", "hr_contracted_time", "ber_registration", "ber_contact",
                "quarantine", "load_audit"} <= set(tables)
        for table in tables:
            rows = connection.execute(sa.text(f"SELECT * FROM {table}")).all()
            for row in rows:
                for value in row:
                    if value is not None and (hit := finder.hits(str(value))):
                        leaks.setdefault(f"table {table}", set()).update(hit)
        assert connection.execute(sa.text("SELECT COUNT(*) FROM quarantine")).scalar() >= 2
    for name, text in {"log": caplog.text, "stdout": captured.out, "stderr": captured.err}.items():
        if hit := finder.hits(text):
            leaks[name] = hit
    outputs = _file_texts(out)
    assert len(outputs) >= 7
    for path, text in outputs.items():
        if hit := finder.hits(text):
            leaks[str(path)] = hit
    assert leaks == {}, {k: sorted(v)[:3] for k, v in leaks.items()}

    # Positive control: the archive keeps the originals, and there the search finds them.
    archived = _file_texts(tmp_path / "archive")
    assert any(p.parent.name == "hr_anstallning" for p in archived)
    assert finder.hits("\n".join(archived.values())) == finder.cores
