"""Shared fixtures. Airflow's environment is set before anything imports airflow."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="bokslut_airflow_")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("AIRFLOW_HOME", _AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bokslut.settings import Settings  # noqa: E402
from bokslut.warehouse.db import upgrade  # noqa: E402

# The city's published 2024 and 2020 figures, transcribed into the repository (tests/reference/README.md).
REFERENCE_DIR = PROJECT_ROOT / "tests" / "reference"
PG_URL = os.environ.get("BOKSLUT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


_PG_PROBLEM = _pg_available()


def pytest_report_header(config):  # noqa: ANN001
    if _PG_PROBLEM:
        return f"PostgreSQL tests SKIPPED: no server answers at {PG_URL} ({_PG_PROBLEM})"
    return f"PostgreSQL tests run against {PG_URL}"


# Every test belongs to exactly one tier (README "Tests"); `make test-fast` runs the unit tier.
TIERS = ("unit", "integration", "dag", "celery_stack")
# Session fixtures that generate or load a full synthetic year: a test using one is never a unit test.
FULL_YEAR_FIXTURES = frozenset({
    "generated_2024", "generated_2020", "loaded_2024", "hr_warehouse",
    "set_2024", "set_2020", "x2024", "x2020", "x2024_scaled",
    "templates_warehouse", "filled", "libreoffice",
})


def tier_problems(items) -> list[str]:  # noqa: ANN001
    """One line per test whose tier markers are not exactly one, or that claims 'unit' with a full year."""
    problems = []
    for item in items:
        tiers = sorted({mark.name for mark in item.iter_markers() if mark.name in TIERS})
        if len(tiers) != 1:
            problems.append(f"{item.nodeid}: tier markers {tiers or 'none'} (exactly one of {', '.join(TIERS)})")
        elif tiers == ["unit"] and FULL_YEAR_FIXTURES & set(getattr(item, "fixturenames", ())):
            used = sorted(FULL_YEAR_FIXTURES & set(item.fixturenames))
            problems.append(f"{item.nodeid}: marked unit but uses the full-year fixture(s) {used} (integration)")
    return problems


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    problems = tier_problems(items)
    if problems:
        raise pytest.UsageError("Tests without exactly one tier marker:\n  " + "\n  ".join(problems))


@pytest.fixture(autouse=True)
def _log_handlers_on_current_stderr():
    """Logging handlers configured in an earlier test (Airflow's setup) may still hold that test's
    closed capture stream; point them at the current one so a log call is not a '--- Logging error ---'."""
    import logging
    import sys

    loggers = [logging.getLogger(), *(x for x in logging.Logger.manager.loggerDict.values()
                                      if isinstance(x, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler and getattr(handler.stream, "closed", False):
                handler.stream = sys.stderr  # not setStream(): it flushes the closed one


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        warehouse_url=f"sqlite:///{tmp_path / 'data' / 'warehouse.sqlite'}",
        landing_dir=tmp_path / "landing",
        archive_dir=tmp_path / "archive",
        outbox_dir=tmp_path / "out",
        chunk_rows=1000,
    )


@pytest.fixture
def sqlite_engine(settings: Settings):
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(settings.warehouse_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def make_pg_engine():
    """An engine on a fresh schema of the test database (dropped by the caller)."""
    if _PG_PROBLEM:
        pytest.skip(f"PostgreSQL answers not at {PG_URL}: {_PG_PROBLEM}")
    schema = f"bokslut_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    # search_path in the URL (not connect_args) so tools that take a URL (Great Expectations) see the schema too
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = sa.create_engine(url)
    upgrade(engine)
    return engine, admin, schema


def drop_pg_schema(engine, admin, schema: str) -> None:
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_engine():
    engine, admin, schema = make_pg_engine()
    yield engine
    drop_pg_schema(engine, admin, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, settings: Settings):
    """The same test on the embedded default and on the production database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
    else:
        yield request.getfixturevalue("pg_engine")


@pytest.fixture(scope="session")
def generated_2024(tmp_path_factory) -> Path:
    """The synthetic 2024 year (default size), generated once per test session."""
    from bokslut.generator import generate

    out = tmp_path_factory.mktemp("generated_2024")
    generate(2024, out)
    return out


@pytest.fixture(scope="session")
def generated_2020(tmp_path_factory) -> Path:
    from bokslut.generator import generate

    out = tmp_path_factory.mktemp("generated_2020")
    generate(2020, out)
    return out


LEDGER_SOURCES = ("ledger", "budget", "anlaggningsreskontra", "stadskassan")


def load_generated(engine, folder: Path, settings: Settings) -> None:
    """Load every generated extract through the product's one gated flow, as the DAG does."""
    from bokslut.flows.ledger import load_paths
    from bokslut.ingest.write_audit_publish import LoadStatus

    batch = load_paths([folder / source for source in LEDGER_SOURCES if (folder / source).is_dir()],
                       engine=engine, settings=settings)
    for item in batch["files"]:
        assert item["status"] == LoadStatus.PUBLISHED, (item["file_name"], item["message"])


@pytest.fixture(scope="session")
def loaded_2024(generated_2024, tmp_path_factory):
    """(engine, settings) of a SQLite warehouse holding the generated 2024 year, published."""
    tmp = tmp_path_factory.mktemp("loaded_2024")
    settings = Settings(tmp, f"sqlite:///{tmp / 'w.sqlite'}", tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    engine = sa.create_engine(settings.warehouse_url)
    upgrade(engine)
    load_generated(engine, generated_2024, settings)
    yield engine, settings
    engine.dispose()


@pytest.fixture(scope="module")
def airflow_db():
    """A fresh Airflow metadata database for a module of ``dag`` tests (``dag.test()`` records its runs there)."""
    from airflow.utils import db

    db.resetdb(skip_init=False)
    yield
