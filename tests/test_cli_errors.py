"""Every error path of the CLI: one Swedish ``fel:`` line on stderr, the documented exit code, no traceback.

Exit codes (``bokslut.errors``): 0 ok, 1 bad input, 2 usage, 3 environment, 130 interrupted.
Most cases run ``bokslut.cli.main`` in-process; the ones about processes (a non-root user, two
loads at once, SIGTERM) run the real ``.venv/bin/bokslut``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.cli import main
from bokslut.errors import EXIT_ENVIRONMENT, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK
from tests.conftest import _PG_PROBLEM, PG_URL
from tests.ingest.ledger_files import csv_text, row

BOKSLUT = Path(sys.executable).with_name("bokslut")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
REPORT = ["report", "resultatrakning", "--forvaltning", "191", "--period", "202401"]
SWEDISH_HINTS = ("å", "ä", "ö", " och ", " inte ", " finns ", " kan ", " kör ", " är ")


def one_error_line(err: str) -> str:
    """The single ``fel:`` line of ``err`` (there must be exactly one, and no traceback)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("fel:")]
    assert len(lines) == 1, err
    line = lines[0]
    assert any(hint in line.lower() for hint in SWEDISH_HINTS), line
    return line


def run_main(args: list[str], capsys) -> tuple[int, str]:  # noqa: ANN001
    code = main(args)
    return code, capsys.readouterr().err


def ledger_file(folder: Path, name: str, period: str = "202401", belopp: str = "100,00") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(csv_text([row(period, "5021", belopp), row(period, "1930", "-" + belopp)]), encoding="utf-8")
    return path


def published(url: str) -> list[tuple]:
    """What reports read: the publication table and the published postings (sorted)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(sa.text(
                "SELECT p.source, p.forvaltning, p.partition, p.load_id, COUNT(x.load_id) "
                "FROM publication p LEFT JOIN posting x ON x.load_id = p.load_id "
                "GROUP BY p.source, p.forvaltning, p.partition, p.load_id")).all())
    finally:
        engine.dispose()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fresh SQLite warehouse, data folder and archive under tmp_path (in this process's env)."""
    data = tmp_path / "data"
    values = {
        "BOKSLUT_DATA_DIR": str(data),
        "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{data / 'w.sqlite'}",
        "BOKSLUT_ARCHIVE_DIR": str(tmp_path / "archive"),
        "BOKSLUT_OUTBOX_DIR": str(tmp_path / "out"),
        "BOKSLUT_LANDING_DIR": str(tmp_path / "landing"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BOKSLUT_CHUNK_ROWS", raising=False)
    return values


@pytest.fixture
def loaded(env, tmp_path, capsys):  # noqa: ANN001
    """The env with January 2024 published; returns the warehouse URL."""
    code, err = run_main(["load", "ledger", str(ledger_file(tmp_path / "in", "jan.csv"))], capsys)
    assert code == EXIT_OK, err
    return env["BOKSLUT_WAREHOUSE_URL"]


# --- 1. the database cannot be reached or the URL is wrong ------------------------------------------

@pytest.mark.parametrize("command", [REPORT, ["load", "ledger", "__FILE__"], ["controls", "--forvaltning", "191",
                                                                              "--period", "202401"]])
@pytest.mark.unit
def test_closed_port_names_server_and_database_not_password(command, env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", "postgresql+psycopg://bokslut:hemligt42@127.0.0.1:5999/lagret")
    args = [str(ledger_file(tmp_path / "in", "a.csv")) if a == "__FILE__" else a for a in command]
    code, err = run_main(args, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert "127.0.0.1:5999" in line and "lagret" in line and "svarar inte" in line
    assert "hemligt42" not in err


@pytest.mark.skipif(bool(_PG_PROBLEM), reason=f"no PostgreSQL at {PG_URL}")
@pytest.mark.parametrize(("change", "expected"), [
    ({"database": "finns_inte_xyz"}, "databasen finns inte"),
    ({"username": "ingen_sadan_roll", "password": "hemligt42"}, "användaren finns inte"),
])
@pytest.mark.unit
def test_postgres_wrong_database_or_user(change, expected, env, monkeypatch, capsys):
    url = sa.make_url(PG_URL).set(**change)
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", url.render_as_string(hide_password=False))
    code, err = run_main(REPORT, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert expected in line and f"{url.host}:{url.port or 5432}" in line and url.database in line
    assert "hemligt42" not in err


@pytest.mark.parametrize("url", [
    "inte en adress",
    "postgresql+psycopg://u:hemligt42@värd:port/db",  # port that is not a number
    "postgres://u:hemligt42@localhost/db",  # the old scheme SQLAlchemy no longer knows
    "mysql://u:hemligt42@localhost/db",  # driver not installed
    "postgresql+psycopg://u:hemligt42@namnet-finns-inte.invalid/db",
])
@pytest.mark.unit
def test_malformed_or_unreachable_url(url, env, monkeypatch, capsys):
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", url)
    code, err = run_main(REPORT, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert "hemligt42" not in err and "Oväntat" not in line


# --- 2. a read-only, old, empty or corrupt warehouse -------------------------------------------------

@pytest.mark.unit
def test_reader_engine_never_writes_and_reads(loaded):
    from bokslut.warehouse.db import get_engine, reader_engine

    get_engine(loaded).dispose()  # close the loader's connections: WAL checkpointed, no -wal file
    path = Path(sa.make_url(loaded).database)
    before = sha256(path)
    engine = reader_engine(loaded)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting")).scalar() == 2
        with pytest.raises(sa.exc.OperationalError):
            connection.execute(sa.text("DELETE FROM posting"))
    engine.dispose()
    assert sha256(path) == before


@pytest.mark.unit
def test_reader_engine_asks_for_db_upgrade_when_behind(env):
    from bokslut.warehouse.db import WarehouseError, current_revision, get_engine, reader_engine, upgrade

    engine = get_engine()
    upgrade(engine, "0002")
    behind = current_revision(engine)
    with pytest.raises(WarehouseError, match="kör 'bokslut db upgrade'"):
        reader_engine()
    assert current_revision(engine) == behind  # nothing migrated


@pytest.mark.unit
def test_reader_engine_on_missing_and_empty_file(env):
    from bokslut.warehouse.db import WarehouseError, reader_engine

    path = Path(sa.make_url(env["BOKSLUT_WAREHOUSE_URL"]).database)
    with pytest.raises(WarehouseError, match="finns inte"):
        reader_engine()
    assert not path.exists()  # a reader does not create the warehouse
    path.parent.mkdir(parents=True)
    path.touch()
    with pytest.raises(WarehouseError, match="saknar schema"):
        reader_engine()
    assert path.stat().st_size == 0


@pytest.mark.unit
def test_report_does_not_migrate_an_old_warehouse(env, capsys):
    from bokslut.warehouse.db import current_revision, get_engine, upgrade

    engine = get_engine()
    upgrade(engine, "0002")
    code, err = run_main(REPORT, capsys)
    assert current_revision(engine) == "0002"
    assert code == EXIT_ENVIRONMENT and "bokslut db upgrade" in one_error_line(err)


def _run_as_nobody(args: list[str], env: dict[str, str], *, python: bool = False) -> subprocess.CompletedProcess:
    prefix = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"] if IS_ROOT else []
    program = [sys.executable, "-c"] if python else [str(BOKSLUT)]
    full_env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/tmp"}
    return subprocess.run([*prefix, *program, *args], env=full_env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def readonly_warehouse(capsys):  # noqa: ANN001
    """A published warehouse in a folder and file nobody may write (chmod 0555 / 0444); as root
    the commands run as 'nobody' (setpriv), since chmod does not stop root."""
    if IS_ROOT and not SETPRIV:
        pytest.skip("running as root without setpriv: cannot drop to a user that chmod stops")
    if IS_ROOT and _run_as_nobody(["import bokslut.cli"], {}, python=True).returncode != 0:
        reason = (f"user 'nobody' cannot run {sys.executable}: a folder above the checkout is not readable "
                  "by other users (chmod o+rx)")
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must run these tests (.ci/run makes its folder readable)
        pytest.skip(reason)
    top = Path(tempfile.mkdtemp(prefix="bokslut_ro_"))
    top.chmod(0o755)
    folder = top / "lager"
    values = {"BOKSLUT_DATA_DIR": str(top / "data"), "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{folder / 'w.sqlite'}",
              "BOKSLUT_ARCHIVE_DIR": str(top / "archive"), "BOKSLUT_OUTBOX_DIR": str(top / "out"),
              "BOKSLUT_LANDING_DIR": str(top / "landing")}
    staging = {**values, "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{top / 'staging' / 'w.sqlite'}"}
    old = {k: os.environ.get(k) for k in staging}
    os.environ.update(staging)
    try:
        code = main(["load", "ledger", str(ledger_file(top / "in", "jan.csv"))])
        assert code == EXIT_OK, capsys.readouterr().err
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    folder.mkdir()
    with sqlite3.connect(top / "staging" / "w.sqlite") as src, sqlite3.connect(folder / "w.sqlite") as dst:
        src.backup(dst)  # a clean copy, still in WAL mode, without -wal/-shm (as after the last writer closed)
    src.close()
    dst.close()
    for p in [top, *top.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)  # readable by nobody
    (top / "data").mkdir(exist_ok=True)
    (top / "data").chmod(0o777)  # the error log may be written
    (folder / "w.sqlite").chmod(0o444)
    folder.chmod(0o555)
    before = sha256(folder / "w.sqlite")
    yield values, folder
    assert sha256(folder / "w.sqlite") == before
    folder.chmod(0o755)
    shutil.rmtree(top, ignore_errors=True)


@pytest.mark.unit
def test_reader_engine_works_on_readonly_file_and_folder(readonly_warehouse):
    values, folder = readonly_warehouse
    code = ("from bokslut.warehouse.db import reader_engine; import sqlalchemy as sa\n"
            "with reader_engine().connect() as c: print(c.execute(sa.text('SELECT COUNT(*) FROM posting')).scalar())")
    proc = _run_as_nobody([code], values, python=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "2", proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["w.sqlite"]  # nothing written next to it either


@pytest.mark.unit
def test_load_on_readonly_warehouse_is_one_line(readonly_warehouse, tmp_path):
    values, folder = readonly_warehouse
    src = ledger_file(Path(tempfile.mkdtemp(prefix="bokslut_in_")), "feb.csv", "202402")
    src.parent.chmod(0o755)
    src.chmod(0o644)
    proc = _run_as_nobody(["load", "ledger", str(src)], values)
    assert proc.returncode == EXIT_ENVIRONMENT, proc.stderr
    assert "skrivskyddat" in one_error_line(proc.stderr)
    shutil.rmtree(src.parent)


@pytest.mark.unit
def test_report_works_on_readonly_warehouse(readonly_warehouse):
    values, _folder = readonly_warehouse
    proc = _run_as_nobody(REPORT, values)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stdout.startswith("level\taccount")


@pytest.mark.unit
def test_controls_work_on_readonly_warehouse_in_a_throwaway_copy(readonly_warehouse):
    values, folder = readonly_warehouse
    proc = _run_as_nobody(["controls", "--forvaltning", "191", "--period", "202401"], values)
    assert "Traceback" not in proc.stderr
    assert "tillfällig kopia" in proc.stderr
    assert proc.stdout.startswith("control_id\t"), proc.stderr
    assert proc.returncode in (EXIT_OK, EXIT_INPUT), proc.stderr  # the controls' own verdict on the tiny ledger
    assert sorted(p.name for p in folder.iterdir()) == ["w.sqlite"]  # the fixture checks the file is unchanged


@pytest.mark.unit
def test_nyckeltal_and_kaa_open_the_warehouse_read_only(readonly_warehouse):
    values, _folder = readonly_warehouse
    for args in (["nyckeltal", "--forvaltning", "191", "--year", "2024"], ["kaa", "--year", "2024"]):
        proc = _run_as_nobody(args, values)
        assert "Traceback" not in proc.stderr and "skrivskyddat" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("damage", ["random", "truncated"])
@pytest.mark.parametrize("command", ["report", "load"])
@pytest.mark.unit
def test_corrupt_warehouse_file(damage, command, loaded, tmp_path, capsys):
    from bokslut.warehouse.db import get_engine

    get_engine(loaded).dispose()
    path = Path(sa.make_url(loaded).database)
    if damage == "random":
        path.write_bytes(os.urandom(64 * 1024))
    else:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    args = REPORT if command == "report" else ["load", "ledger", str(ledger_file(tmp_path / "in", "feb.csv", "202402"))]
    code, err = run_main(args, capsys)
    assert code == EXIT_ENVIRONMENT, err
    line = one_error_line(err)
    assert str(path) in line and "skadad" in line and "säkerhetskopian" in line


@pytest.mark.unit
def test_empty_warehouse_file_is_a_fresh_warehouse_for_load(env, tmp_path, capsys):
    path = Path(sa.make_url(env["BOKSLUT_WAREHOUSE_URL"]).database)
    path.parent.mkdir(parents=True)
    path.touch()
    code, err = run_main(["load", "ledger", str(ledger_file(tmp_path / "in", "jan.csv"))], capsys)
    assert code == EXIT_OK, err


# --- 3. the archive folder --------------------------------------------------------------------------

def _load_feb(tmp_path: Path, capsys) -> tuple[int, str]:  # noqa: ANN001
    return run_main(["load", "ledger", str(ledger_file(tmp_path / "in2", "jan_rattad.csv", "202401", "250,00"))], capsys)


@pytest.mark.unit
def test_archive_dir_is_a_file(loaded, tmp_path, monkeypatch, capsys):
    before = published(loaded)
    blocker = tmp_path / "arkivfil"
    blocker.write_text("ingen mapp")
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(blocker))
    code, err = _load_feb(tmp_path, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert str(blocker) in line and "inte en mapp" in line
    assert published(loaded) == before


@pytest.mark.unit
def test_archive_disk_full_simulated(loaded, tmp_path, monkeypatch, capsys):
    before = published(loaded)

    def full(src, dst, *a, **k):  # noqa: ANN001, ANN002, ANN003
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src), None, str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    code, err = _load_feb(tmp_path, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert "slut på diskutrymme" in line and str(tmp_path / "archive") in line
    assert published(loaded) == before


@pytest.fixture
def tmpfs(tmp_path):  # noqa: ANN001
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if not IS_ROOT or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                     capture_output=True).returncode != 0:
        pytest.skip("needs root and a working 'mount -t tmpfs' to make a real full or read-only disk")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.unit
def test_archive_on_full_disk(loaded, tmp_path, tmpfs, monkeypatch, capsys):
    (tmpfs / "fyllnad").write_bytes(b"x" * 60_000)
    before = published(loaded)
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(tmpfs / "arkiv"))
    big = tmp_path / "in2" / "jan_stor.csv"
    big.parent.mkdir()
    big.write_text(csv_text([row("202401", "5021", "1,00", vernr=str(i)) for i in range(200)]
                            + [row("202401", "1930", "-200,00")]), encoding="utf-8")
    code, err = run_main(["load", "ledger", str(big)], capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert "slut på diskutrymme" in line and str(tmpfs / "arkiv") in line
    assert published(loaded) == before


@pytest.mark.unit
def test_archive_on_readonly_filesystem(loaded, tmp_path, tmpfs, monkeypatch, capsys):
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    before = published(loaded)
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(tmpfs / "arkiv"))
    code, err = _load_feb(tmp_path, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert "skrivskyddat" in line and str(tmpfs / "arkiv") in line
    assert published(loaded) == before


# --- 4. the --mapping file ---------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "expected"), [
    (None, "finns inte"),
    ("columns: [oj\n  : :", "inte giltig YAML"),
    ("source: ledger\nkolumner: {}\n", "saknar avsnittet 'columns'"),
    ("source: budget\ncolumns: {Belopp: Summa}\n", "gäller källan 'budget'"),
])
@pytest.mark.unit
def test_broken_mapping_file(content, expected, loaded, tmp_path, capsys):
    before = published(loaded)
    mapping = tmp_path / "mappning.yaml"
    if content is not None:
        mapping.write_text(content, encoding="utf-8")
    src = ledger_file(tmp_path / "in2", "jan2.csv", "202401", "300,00")
    code, err = run_main(["load", "ledger", str(src), "--mapping", str(mapping)], capsys)
    assert code == EXIT_INPUT
    assert expected in one_error_line(err)
    assert published(loaded) == before


# --- 5. two loads at once on a fresh warehouse --------------------------------------------------------

def _cli_env(folder: Path) -> dict[str, str]:
    return {**os.environ, "BOKSLUT_DATA_DIR": str(folder / "data"),
            "BOKSLUT_WAREHOUSE_URL": f"sqlite:///{folder / 'data' / 'w.sqlite'}",
            "BOKSLUT_ARCHIVE_DIR": str(folder / "archive"), "BOKSLUT_OUTBOX_DIR": str(folder / "out"),
            "BOKSLUT_LANDING_DIR": str(folder / "landing"), "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.mark.unit
def test_two_loads_race_on_a_fresh_warehouse_and_new_year(tmp_path):
    env = _cli_env(tmp_path)
    files = [ledger_file(tmp_path / "in", f"{p}.csv", p) for p in ("202401", "202402")]
    procs = [subprocess.Popen([str(BOKSLUT), "load", "ledger", str(f)], env=env, stderr=subprocess.PIPE, text=True)
             for f in files]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for code, err in results:
        assert "Traceback" not in err, err
        assert code == EXIT_OK or (code != EXIT_OK and len([x for x in err.splitlines() if x.startswith("fel:")]) == 1), err
    assert any(code == EXIT_OK for code, _ in results), results
    from bokslut.warehouse.db import head_revision

    engine = sa.create_engine(env["BOKSLUT_WAREHOUSE_URL"])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
        assert connection.execute(sa.text("SELECT COUNT(*) FROM period WHERE year = 2024")).scalar() == 15
        assert connection.execute(sa.text("SELECT COUNT(*) FROM load_audit WHERE status NOT IN "
                                          "('publicerad', 'avvisad')")).scalar() == 0
        published_parts = set(connection.execute(sa.text("SELECT partition FROM publication")).scalars())
    engine.dispose()
    assert published_parts == {p for (code, _), p in zip(results, ("202401", "202402"), strict=True) if code == 0}


@pytest.mark.unit
def test_ensure_periods_twice_in_parallel_transactions(tmp_path):
    """The second of two processes that both saw the year missing inserts nothing and does not fail."""
    from bokslut.warehouse.db import upgrade
    from bokslut.warehouse.reference_data import ensure_periods

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    upgrade(engine)
    with engine.begin() as connection:
        ensure_periods(connection, {2031})
        connection.execute(sa.text("DELETE FROM period WHERE period > 203107"))
    with engine.begin() as connection:
        ensure_periods(connection, {2031})  # the year is "known": nothing to do
    import bokslut.warehouse.reference_data as rd

    with engine.begin() as connection:  # as if the year were unknown when read: inserts skip the existing rows
        rows = [{"period": 203100 + pp, "year": 2031, "pp": pp, "kind": "manad", "tertial": None, "label": "x"}
                for pp in range(15)]
        connection.execute(rd._insert_missing(connection, rd.period), rows)  # noqa: SLF001
        assert connection.execute(sa.text("SELECT COUNT(*) FROM period WHERE year = 2031")).scalar() == 15
    engine.dispose()


# --- 6. the unexpected, 7. settings ------------------------------------------------------------------

@pytest.mark.unit
def test_unexpected_error_is_one_line_and_logged_without_data(loaded, monkeypatch, capsys):
    import bokslut.reports.ledger as ledger_reports

    def boom(*a, **k):  # noqa: ANN002, ANN003
        raise KeyError("19121212-1212 Tolvan Tolvansson")

    monkeypatch.setattr(ledger_reports, "build_reports", boom)
    code, err = run_main(REPORT, capsys)
    assert code == EXIT_ENVIRONMENT
    line = one_error_line(err)
    assert line.startswith("fel: Oväntat fel (KeyError); kör med --debug för detaljer")
    assert "19121212" not in err
    log = Path(os.environ["BOKSLUT_DATA_DIR"]) / "logs" / "bokslut-errors.log"
    text = log.read_text(encoding="utf-8")
    assert "KeyError" in text and "19121212" not in text and "Tolvan" not in text


@pytest.mark.unit
def test_debug_shows_the_traceback(env, monkeypatch, capsys):
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", "postgresql+psycopg://u:hemligt42@127.0.0.1:5999/lagret")
    code = main(["--debug", *REPORT])
    err = capsys.readouterr().err
    assert code == EXIT_ENVIRONMENT and "Traceback" in err and err.strip().splitlines()[-1].startswith("fel:")


@pytest.mark.parametrize("value", ["mycket", "-5", "0", "1e5"])
@pytest.mark.unit
def test_bad_chunk_rows_setting(value, env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOKSLUT_CHUNK_ROWS", value)
    code, err = run_main(["load", "ledger", str(ledger_file(tmp_path / "in", "jan.csv"))], capsys)
    assert code == EXIT_ENVIRONMENT
    assert "BOKSLUT_CHUNK_ROWS" in one_error_line(err)


# --- SIGTERM in the middle of a load -----------------------------------------------------------------

@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("stor")
    subprocess.run([str(BOKSLUT), "demo-data", "--year", "2024", "--rows", "300000", "-o", str(out)],
                   check=True, capture_output=True, timeout=600)
    return max((out / "ledger").iterdir(), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("files", ["one", "several"])
@pytest.mark.integration
def test_sigterm_mid_load_cleans_up(big_ledger, tmp_path, files):
    """Killed while staging a file, or after earlier files of the same call were staged: nothing
    stays staged, nothing is published."""
    env = {**_cli_env(tmp_path), "BOKSLUT_CHUNK_ROWS": "1000"}  # many small chunks: staging takes a while
    target = big_ledger
    if files == "several":  # two whole files staged, a later one being read when the signal comes
        target = big_ledger.parent
    proc = subprocess.Popen([str(BOKSLUT), "load", "ledger", str(target)], env=env,
                            stderr=subprocess.PIPE, text=True)
    db = tmp_path / "data" / "w.sqlite"
    deadline = time.monotonic() + 120
    wanted = "status = 'laddar'" if files == "one" else "status = 'laddad'"
    needed = 1 if files == "one" else 2
    seen = False
    while not seen and time.monotonic() < deadline and proc.poll() is None:  # wait until rows are being staged
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                seen = c.execute(f"SELECT COUNT(*) FROM load_audit WHERE {wanted}").fetchone()[0] >= needed
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    assert seen and proc.poll() is None, "the load ended before it could be interrupted"
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "avbröts" in one_error_line(err)
    with sqlite3.connect(db) as c:
        statuses = c.execute("SELECT load_id, status FROM load_audit").fetchall()
        assert statuses and all(status == "avvisad" for _, status in statuses), statuses
        assert c.execute("SELECT COUNT(*) FROM posting").fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM publication").fetchone()[0] == 0


@pytest.mark.postgres
@pytest.mark.unit
def test_reader_engine_on_postgres_is_read_only_and_upgrades_serialise():
    import threading

    from tests.conftest import drop_pg_schema, make_pg_engine

    engine, admin, schema = make_pg_engine()
    try:
        from bokslut.warehouse.db import reader_engine, upgrade

        url = engine.url.render_as_string(hide_password=False)
        errors: list[BaseException] = []

        def again() -> None:
            try:
                upgrade(sa.create_engine(url))
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=again) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        reader = reader_engine(url)
        with reader.connect() as connection:
            assert connection.execute(sa.text("SELECT COUNT(*) FROM period")).scalar() == 0
            with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
                connection.execute(sa.text("DELETE FROM period"))
        reader.dispose()
    finally:
        drop_pg_schema(engine, admin, schema)


@pytest.mark.unit
def test_sums_beyond_what_the_warehouse_counts_exactly_are_bad_input_and_publish_nothing(env, tmp_path, capsys):
    """Each amount is within the limit, their sum is not: a Swedish line, exit 1, nothing staged left."""
    from bokslut.warehouse.db import get_engine
    from tests.ingest.ledger_files import csv_text, row

    big = "999 999 999 999,99"
    path = tmp_path / "stora.csv"
    path.write_text(csv_text([row("202401", "5021", big)] * 100_000), encoding="utf-8")
    code, err = run_main(["load", "ledger", str(path)], capsys)
    assert code == EXIT_INPUT, err
    assert "heltalsöverflöd" in one_error_line(err)
    with get_engine().connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting")).scalar() == 0
        assert connection.execute(sa.text("SELECT COUNT(*) FROM publication")).scalar() == 0
