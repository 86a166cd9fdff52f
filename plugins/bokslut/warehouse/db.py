"""Engine creation and schema migration for the warehouse (SQLite by default, PostgreSQL in production).

Two ways in:

* :func:`ready_engine` for commands that write (``load``, ``controls``, the DAG tasks): it brings the
  schema to head and re-seeds the reference data once per process. Two processes doing that at
  once are serialised (a lock file next to a SQLite warehouse, an advisory lock on PostgreSQL).
* :func:`reader_engine` for commands that only read (``report``, ``nyckeltal``, ``kaa``): it never
  writes — SQLite is opened read-only, PostgreSQL sessions are read-only — and it refuses, in
  Swedish, a warehouse whose schema is not at head (``bokslut db upgrade`` fixes that).

Problems with the warehouse itself raise :class:`WarehouseError` with a Swedish message that names
the server and database (never the password) or the SQLite file.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bokslut.problems import EnvironmentProblem
from bokslut.settings import get_settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PG_CONNECT_TIMEOUT = 15  # seconds; a firewalled host fails instead of hanging (override with ?connect_timeout=)
_PG_UPGRADE_LOCK = 0x626F6B73  # pg_advisory_xact_lock key of the schema upgrade ("boks")


class WarehouseError(EnvironmentProblem):
    """The warehouse cannot be used as asked (unreachable, read-only, behind the code, ...)."""


_last_url: sa.URL | None = None


def describe_url(url: str | sa.URL | None = None) -> str:
    """'lagret <file>' or 'databasen <db> på servern <host>:<port>', never with the password."""
    try:
        parsed = sa.make_url(url) if url is not None else _last_url or sa.make_url(get_settings().warehouse_url)
    except Exception:  # noqa: BLE001 - a URL that cannot be parsed is described without its text
        return "lagret (BOKSLUT_WAREHOUSE_URL går inte att tolka)"
    if parsed.get_backend_name() == "sqlite":
        return f"lagret {_sqlite_path(parsed) or 'i minnet'}"
    backend = {"postgresql": "PostgreSQL"}.get(parsed.get_backend_name(), parsed.get_backend_name())
    port = parsed.port or {"postgresql": 5432}.get(parsed.get_backend_name())
    user = f" som användaren {parsed.username}" if parsed.username else ""
    return f"databasen {parsed.database or '(ingen angiven)'} på {backend}-servern {parsed.host or 'localhost'}:{port}{user}"


def _parse(url: str) -> sa.URL:
    try:
        parsed = sa.make_url(url)
        parsed.get_dialect()  # an unknown dialect or a missing driver fails here, not at first use
    except (sa.exc.ArgumentError, ValueError) as exc:  # ValueError: e.g. a port that is not a number
        raise WarehouseError(
            "BOKSLUT_WAREHOUSE_URL går inte att tolka som en databasadress "
            f"({'okänd databastyp eller drivrutin saknas' if isinstance(exc, sa.exc.NoSuchModuleError) else 'fel form'}); "
            "ange t.ex. postgresql+psycopg://användare@värd:5432/databas eller sqlite:////sökväg/lager.sqlite."
        ) from None  # the URL may hold a password: never chained into a message
    return parsed


def _sqlite_path(parsed: sa.URL) -> Path | None:
    database = parsed.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: switching to WAL waits for a concurrent opener
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (reports) never block the loader
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_reader_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")  # belt and braces: the file is opened read-only too
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` or ``BOKSLUT_WAREHOUSE_URL``; the SQLite folder is created if missing."""
    engine = _engine_for(url or get_settings().warehouse_url)  # resolve first: the cache is keyed by URL
    _remember(engine.url)
    return engine


def _remember(url: sa.URL) -> None:
    """The URL an error message names when a driver error does not say which database it was."""
    global _last_url
    _last_url = url


def _pg_connect_args(parsed: sa.URL) -> dict[str, object]:
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        return {"connect_timeout": PG_CONNECT_TIMEOUT}
    return {}


def _create(parsed: sa.URL) -> Engine:
    try:
        return sa.create_engine(parsed, future=True, connect_args=_pg_connect_args(parsed))
    except ImportError as exc:
        raise WarehouseError(
            f"Drivrutinen för {parsed.drivername} i BOKSLUT_WAREHOUSE_URL är inte installerad ({exc.name}); "
            "använd postgresql+psycopg://användare@värd/databas eller sqlite:////sökväg/lager.sqlite."
        ) from None


_OPENED: list[Engine] = []


def _dispose_all() -> None:
    """At exit: close pooled connections, so the last SQLite connection checkpoints and removes the
    ``-wal``/``-shm`` files (the warehouse is then one self-contained file, readable read-only)."""
    for engine in _OPENED:
        with contextlib.suppress(Exception):
            engine.dispose()


atexit.register(_dispose_all)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    parsed = _parse(url)
    path = _sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = _create(parsed)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    _OPENED.append(engine)
    return engine


def alembic_config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


@contextlib.contextmanager
def _sqlite_upgrade_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema upgrades of one SQLite file across processes (a lock file next to it).

    SQLite runs DDL outside the migration's transaction, so two processes upgrading a fresh file at
    once would both create the tables. The lock file (``<file>.lock``) stays; it is empty.
    """
    path = _sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock
        fcntl = None  # type: ignore[assignment]
    if path is None or fcntl is None:
        yield
        return
    try:
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o664)
    except OSError:  # a folder we may not write: the upgrade itself will say why, in Swedish
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` and (re)load the shipped reference data.

    Safe when several processes do it at once: they run one after the other, and the later ones
    find the schema at head and only re-seed the reference data.
    """
    from bokslut.warehouse.reference_data import seed_reference_data

    with _sqlite_upgrade_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # DDL is transactional there: the lock suffices
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK})
        command.upgrade(alembic_config(connection), revision)
        seed_reference_data(connection)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_UPGRADED: set[str] = set()


def ready_engine(url: str | None = None) -> Engine:
    """An engine whose schema is at head (migrated once per process): what the writing commands use."""
    engine = get_engine(url)
    key = engine.url.render_as_string(hide_password=False)
    if key not in _UPGRADED:
        upgrade(engine)
        _UPGRADED.add(key)
    return engine


def reader_engine(url: str | None = None) -> Engine:
    """An engine that never writes, for the commands that only read (``report``, ``nyckeltal``, ``kaa``).

    SQLite is opened read-only (``mode=ro``), so a write-protected file or folder works; PostgreSQL
    sessions are ``READ ONLY``. The schema must already be at head: a missing or older schema is a
    :class:`WarehouseError` asking for ``bokslut db upgrade`` (nothing is migrated here).
    """
    url = url or get_settings().warehouse_url
    engine = _reader_for(url)
    _remember(_parse(url))
    _check_revision(engine, describe_url(url))
    return engine


@lru_cache(maxsize=8)
def _reader_for(url: str) -> Engine:
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        engine = _create(parsed)
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(postgresql_readonly=True)
        return engine
    path = _sqlite_path(parsed)
    if path is None:
        raise WarehouseError("Ett lager i minnet kan inte läsas av ett nytt kommando; ange en fil i BOKSLUT_WAREHOUSE_URL.")
    if not path.is_file():
        raise WarehouseError(
            f"Lagret {path} finns inte; läs in data med 'bokslut load' (eller kör 'bokslut db upgrade') först, "
            "eller rätta BOKSLUT_WAREHOUSE_URL/BOKSLUT_DATA_DIR."
        )
    engine = sa.create_engine(
        "sqlite://", creator=lambda: _open_sqlite_readonly(path), poolclass=sa.pool.QueuePool, future=True
    )
    sa.event.listen(engine, "connect", _sqlite_reader_pragmas)
    _OPENED.append(engine)
    return engine


def _open_sqlite_readonly(path: Path):  # noqa: ANN202 - a sqlite3.Connection
    """``mode=ro``; when that needs a write (a WAL file without its ``-shm`` in a folder we may not
    write) and no writer is active (no ``-wal`` file), ``immutable=1`` reads the checkpointed file."""
    import sqlite3

    uri = f"file:{quote(str(path.resolve()))}"
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError as exc:
        connection.close()
        if Path(f"{path}-wal").exists() or "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _check_revision(engine: Engine, where: str) -> None:
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise WarehouseError(f"{where[0].upper()}{where[1:]} saknar schema (tomt lager); kör 'bokslut db upgrade' "
                             "eller läs in data med 'bokslut load' först.")
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        ScriptDirectory.from_config(cfg).get_revision(current)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        raise WarehouseError(f"{where[0].upper()}{where[1:]} har schemaversion {current}, som är nyare än programmets "
                             f"({head}); uppdatera programmet.") from None
    raise WarehouseError(f"{where[0].upper()}{where[1:]} har schemaversion {current} men programmet kräver {head}; "
                         "kör 'bokslut db upgrade' (med en användare som får skriva i lagret).")


def writable(url: str | None = None) -> bool:
    """Whether this process may write the warehouse: for SQLite, the file and its folder (WAL
    files live beside it); a server database is assumed writable (it says so itself if not)."""
    parsed = _parse(url or get_settings().warehouse_url)
    if parsed.get_backend_name() != "sqlite":
        return True
    path = _sqlite_path(parsed)
    return path is None or (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


@contextlib.contextmanager
def scratch_copy(engine: Engine) -> Iterator[Engine]:
    """A writable throw-away copy of a read-only SQLite warehouse (SQLite's online backup), for a
    command that must write working tables (the Kontokontroller record their run) but whose
    results are not kept. Deleted on exit."""
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bokslut_kopia_") as folder:
        target = Path(folder) / "warehouse.sqlite"
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        scratch = sa.create_engine(f"sqlite:///{target}", future=True)
        sa.event.listen(scratch, "connect", _sqlite_pragmas)
        try:
            yield scratch
        finally:
            scratch.dispose()
