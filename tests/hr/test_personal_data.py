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


@pytest.mark.integration
def test_no_personnummer_outside_the_archive(tmp_path, monkeypatch, caplog, capsys):
    from bokslut.generator import generate
    from bokslut.flows import personal as pipeline
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


# --- File names and broken files -------------------------------------------------------------------
#
# Files whose NAMES hold personnummer in every spelling, and broken files whose rows hold them: no
# spelling may reach stdout/stderr, the log, any column of load_audit or the quarantine (or any other
# table) or the archive's file names. The landing folder is the user's own: the CLI leaves the files
# where they are; the DAGs rename such a file before its path enters XCom (mask_landing_name).

def _long(n: str) -> str:
    return f"{n[:8]}-{n[8:]}"


NAME_SPELLINGS = {  # spelling of the number in the file name, YYYYMMDDNNNN → text
    "12": lambda n: n,
    "long-hyphen": _long,
    "short-hyphen": lambda n: f"{n[2:8]}-{n[8:]}",
    "10": lambda n: n[2:],
    "plus": lambda n: f"{n[2:8]}+{n[8:]}",
    "short-space": lambda n: f"{n[2:8]} {n[8:]}",
    "long-space": lambda n: f"{n[:8]} {n[8:]}",
}


@pytest.fixture(scope="module")
def broken_delivery(tmp_path_factory):
    """Runs ``bokslut load hr|ber`` over named and broken files once; returns what was said and kept."""
    import contextlib
    import io

    from tests.hr.conftest import (
        ABSENCE_HEADER,
        EMPLOYMENT_HEADER,
        REGISTRATION_HEADER,
        TEST_KEY,
        pnr,
        write,
    )

    tmp = tmp_path_factory.mktemp("personal_names")
    hr, ber, unknown = tmp / "landing" / "hr", tmp / "landing" / "ber", tmp / "landing" / "okand"
    for folder in (hr, ber, unknown):
        folder.mkdir(parents=True)
    numbers: set[str] = set()

    def person(born: str, serial: str = "980", *, bad_check: bool = False) -> str:
        text = pnr(born, serial, bad_check=bad_check)
        numbers.add(text.replace("-", ""))
        return text

    def name(born: str, spelling: str) -> str:
        return NAME_SPELLINGS[spelling](person(born, "986").replace("-", ""))

    def emp(who: str, emp_id: str = "A1", grade: str = "100") -> str:
        return f"202412;191;{who};{emp_id};1910100;tillsvidare;{grade};N;K;N;2015-03-01;;"

    # 1. a good file, published: only the name holds a number
    write(hr, f"anstallning_{name('19980101', 'long-hyphen')}_dec.csv", EMPLOYMENT_HEADER,
          [emp(person("19800101")), emp(person("19750615", "982"), "A2")])
    # 2. a bad value that is a personnummer (in Sysselsättningsgrad), 12-digit name
    write(hr, f"anstallning_{name('19980202', '12')}.csv", EMPLOYMENT_HEADER,
          [emp(person("19800303")), emp(person("19800404"), "A2", grade=person("19800505"))])
    # 3. a row with too many fields holding a number, short spelling with hyphen
    write(hr, f"frånvaro {name('19980303', 'short-hyphen')}.csv", ABSENCE_HEADER,
          [f"202412;191;{person('19800606')};A1;sjuk;2024-03-04;2024-03-06;100;2400,00;{person('19800707')}"])
    # 4. truncated in the middle of a character, name "x…+…y"
    truncated = (EMPLOYMENT_HEADER + "\n" + emp(person("19800808")) + "\n202412;191;" + person("19800909")
                 + ";A2;1910100;tillsvidare;100;N;K;N;2015-03-01;;Avg").encode("utf-8") + "å".encode("utf-8")[:1]
    (hr / f"avtalad_x{name('19980404', 'plus')}y.csv").write_bytes(truncated)
    # 5. wrong encoding (UTF-16), name with a space in the short spelling
    (hr / f"anstallning {name('19980505', 'short-space')}.csv").write_text(
        EMPLOYMENT_HEADER + "\n" + emp(person("19801010")) + "\n", encoding="utf-16")
    # 6. no header row: the first row is data
    write(hr, f"anstallning_{name('19980606', 'long-space')}.csv", emp(person("19801111")),
          [emp(person("19801212"), "A2")])
    # 7. an invalid personnummer (check digit), 10-digit name
    write(hr, f"anstallning-{name('19980707', '10')}.csv", EMPLOYMENT_HEADER,
          [emp(person("19810101")), emp(person("19810202", bad_check=True), "A2")])
    # BER: a registration with a bad row and an invalid number; a contact file with commas
    write(ber, f"registrering_{name('19980808', 'long-hyphen')}.csv", REGISTRATION_HEADER, [
        f"202411;{person('20080101')};2008-01-01;K;Skärholmen;2024-01-15;;;;;;;",
        f"202411;{person('20080202', bad_check=True)};2008-02-02;M;Skärholmen;2024-01-15;;;;;;;",
        f"202411;{person('20080303')};2008-03-03;M;Skärholmen;2024-01-15;;;;;;;;{person('20080404')}",
    ])
    (ber / f"kontakt_{name('19980909', 'plus')}.csv").write_text(
        "Period,Personnummer,Datum\n202411," + person("20080505") + ",2024-03-01\n", encoding="utf-8")
    # a file of no known extract, and a path that does not exist
    write(unknown, f"lisa_{name('19981010', 'long-hyphen')}_dec.csv", EMPLOYMENT_HEADER, [emp(person("19820101"))])
    missing = tmp / f"saknas_{name('19981111', 'short-hyphen')}.csv"

    log_stream = io.StringIO()
    handler = logging.StreamHandler(log_stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for var, value in {"BOKSLUT_DATA_DIR": tmp / "data", "BOKSLUT_LANDING_DIR": tmp / "landing",
                           "BOKSLUT_ARCHIVE_DIR": tmp / "archive", "BOKSLUT_OUTBOX_DIR": tmp / "out",
                           "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{tmp / 'data' / 'w.sqlite'}"}.items():
            mp.setenv(var, str(value))
        from bokslut.hr.pseudonym import KEY_ENV

        mp.setenv(KEY_ENV, TEST_KEY)
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                codes = [_run(["load", "hr", str(hr)]), _run(["load", "ber", str(ber)]),
                         _run(["load", "hr", str(unknown)]), _run(["load", "hr", str(missing)])]
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        from bokslut.warehouse.db import get_engine

        engine = get_engine()
        with engine.connect() as connection:
            tables = {t: [dict(r._mapping) for r in connection.execute(sa.text(f"SELECT * FROM {t}"))]
                      for t in sa.inspect(connection).get_table_names()}
    return {"codes": codes, "stdout": out.getvalue(), "stderr": err.getvalue(), "log": log_stream.getvalue(),
            "tables": tables, "archive": tmp / "archive", "landing": tmp / "landing", "missing": missing,
            "finder": Finder(numbers), "numbers": numbers}


@pytest.mark.unit
def test_broken_files_are_rejected_and_said_so(broken_delivery):
    d = broken_delivery
    assert d["codes"] == [1, 1, 1, 1]
    audit = d["tables"]["load_audit"]
    assert len(audit) == 9  # every named file of hr/ and ber/ has its audit row
    statuses = sorted(r["status"] for r in audit)
    assert statuses == ["avvisad"] * 8 + ["publicerad"]
    assert all("(personnummer dolt)" in r["file_name"] for r in audit)
    messages = " | ".join(r["message"] for r in audit)
    for reason in ("slutar mitt i ett tecken", "okänd teckenkodning", "Obligatorisk kolumn saknas",
                   "rad(er) med fel", "fel kolumnavgränsare"):
        assert reason in messages
    reasons = " | ".join(q["reason"] for q in d["tables"]["quarantine"])
    assert "kontrollsiffra" in reasons and "inget tal" in reasons and "fält men rubrikraden har" in reasons
    assert "okänd hr-fil" in d["stderr"] and "finns inte" in d["stderr"]
    # positive control: the numbers are in the landing folder's names and contents (and the missing name)
    files = [p for p in d["landing"].rglob("*") if p.is_file()]
    contents = [p.read_bytes().decode("utf-16" if p.read_bytes()[:2] == b"\xff\xfe" else "utf-8", "replace")
                for p in files]
    landing = "\n".join([str(d["missing"]), *map(str, files), *contents])
    assert d["finder"].hits(landing) == d["finder"].cores


@pytest.mark.unit
def test_no_personnummer_in_any_table(broken_delivery):
    """Every column of load_audit, quarantine and the HR/BER tables (``archived_path`` aside, below)."""
    finder, leaks = broken_delivery["finder"], {}
    for table, rows in broken_delivery["tables"].items():
        for row in rows:
            for column, value in row.items():
                if column == "archived_path" or value is None:
                    continue
                if hit := finder.hits(str(value)):
                    leaks.setdefault(f"{table}.{column}", set()).update(hit)
    assert leaks == {}, {k: sorted(v)[:3] for k, v in leaks.items()}
    assert broken_delivery["tables"]["quarantine"]


@pytest.mark.unit
def test_no_personnummer_in_the_log(broken_delivery):
    assert broken_delivery["finder"].hits(broken_delivery["log"]) == set()


@pytest.mark.unit
def test_no_personnummer_on_stdout_or_stderr(broken_delivery):
    finder = broken_delivery["finder"]
    assert finder.hits(broken_delivery["stdout"]) == set()
    assert finder.hits(broken_delivery["stderr"]) == set()


@pytest.mark.unit
def test_no_personnummer_in_archive_names_or_archived_path(broken_delivery):
    finder = broken_delivery["finder"]
    names = "\n".join(str(p.relative_to(broken_delivery["archive"])) for p in broken_delivery["archive"].rglob("*"))
    assert names and finder.hits(names) == set()
    paths = "\n".join(r["archived_path"] or "" for r in broken_delivery["tables"]["load_audit"])
    assert finder.hits(paths) == set()
    # the archive still holds the originals (rotation needs the numbers in them)
    assert finder.hits("\n".join(_file_texts(broken_delivery["archive"]).values()))


@pytest.mark.unit
def test_a_file_without_header_is_described_without_its_row(broken_delivery):
    message = next(r["message"] for r in broken_delivery["tables"]["load_audit"] if "Obligatorisk" in r["message"])
    assert "1910100" not in message and "tillsvidare" not in message and "2015-03-01" not in message


@pytest.mark.unit
def test_a_landing_file_named_with_a_personnummer_is_renamed_masked(tmp_path):
    from bokslut.hr.readers import mask_landing_name

    first = tmp_path / "anstallning_19980101-9806.csv"
    second = tmp_path / "anstallning_980101-9806.csv"
    plain = tmp_path / "anstallning_191_202412.csv"
    for path in (first, second, plain):
        path.write_text("x", encoding="utf-8")
    assert mask_landing_name(first).name == "anstallning_(personnummer dolt).csv"
    assert mask_landing_name(second).name == "anstallning_(personnummer dolt)_2.csv"
    assert mask_landing_name(plain) == plain
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anstallning_(personnummer dolt).csv", "anstallning_(personnummer dolt)_2.csv", "anstallning_191_202412.csv"]


@pytest.mark.unit
def test_an_hr_file_loaded_as_ledger_by_mistake_leaks_nothing(tmp_path, monkeypatch, capsys):
    """A header-less LISA extract named with a personnummer, given to `bokslut load ledger`: the
    ledger path masks the name, the archive name and the quoted line 1 just the same."""
    import sqlalchemy as sa

    from bokslut.cli import main
    from tests.hr.conftest import pnr

    for key, sub in (("BOKSLUT_DATA_DIR", "data"), ("BOKSLUT_ARCHIVE_DIR", "archive"), ("BOKSLUT_OUTBOX_DIR", "out"),
                     ("BOKSLUT_LANDING_DIR", "landing")):
        monkeypatch.setenv(key, str(tmp_path / sub))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'data' / 'w.sqlite'}")
    in_name, in_row = pnr("19980101"), pnr("19750524", "981")
    path = tmp_path / f"lisa_franvaro_{in_name}.csv"
    path.write_text(f"202412;191;{in_row};A1;sjuk;2024-12-02;2024-12-03;100;0\n", encoding="utf-8")

    assert main(["load", "ledger", str(path)]) == 1

    finder = Finder({normalise_personnummer(in_name), normalise_personnummer(in_row)})
    said = capsys.readouterr()
    assert finder.hits(said.out + said.err) == set(), said.err
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'data' / 'w.sqlite'}")
    with engine.connect() as connection:
        for table in ("load_audit", "quarantine"):
            rows = connection.execute(sa.text(f"SELECT * FROM {table}")).all()
            assert finder.hits(" ".join(map(str, rows))) == set(), table
    engine.dispose()
    assert finder.hits(" ".join(p.name for p in (tmp_path / "archive").rglob("*"))) == set()
