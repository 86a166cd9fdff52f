"""Engine creation and schema migration for the warehouse (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bokslut.settings import get_settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (reports) never block the loader
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` or ``BOKSLUT_WAREHOUSE_URL``; the SQLite folder is created if missing."""
    return _engine_for(url or get_settings().warehouse_url)  # resolve first: the cache is keyed by URL


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` and (re)load the shipped reference data."""
    from bokslut.warehouse.reference_data import seed_reference_data

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        seed_reference_data(connection)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_UPGRADED: set[str] = set()


def ready_engine(url: str | None = None) -> Engine:
    """An engine whose schema is at head (migrated once per process): what the CLI and the DAG tasks use."""
    engine = get_engine(url)
    key = engine.url.render_as_string(hide_password=False)
    if key not in _UPGRADED:
        upgrade(engine)
        _UPGRADED.add(key)
    return engine
