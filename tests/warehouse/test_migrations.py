"""Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bokslut.warehouse.db import current_revision, upgrade
from bokslut.warehouse.schema import account, counterparty_class, metadata
import pytest

pytestmark = pytest.mark.unit


def test_migrated_schema_matches_the_declared_tables(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_seeds_reference_data(engine):
    upgrade(engine)  # second time: nothing to do, nothing duplicated
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(counterparty_class)).scalar() == 4
        fixed = connection.execute(sa.select(sa.func.count()).select_from(account).where(account.c.fixed_line)).scalar()
    assert fixed == 218  # the 4-digit lines of the 2024 balance sheet and income statement
    assert current_revision(engine) is not None


def test_reference_data_is_read_from_bokslut_reference_dir(tmp_path, monkeypatch):
    """Production mounts the editable reference data elsewhere (docs/deployment.md): the warehouse
    seeds from that folder, not from the shipped copy."""
    import shutil

    from bokslut.settings import REFERENCE_DIR

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    kontoplan = folder / "kontoplan.csv"
    kontoplan.write_text(kontoplan.read_text(encoding="utf-8") + "9998;Lokalt testkonto;;;N\n", encoding="utf-8")
    monkeypatch.setenv("BOKSLUT_REFERENCE_DIR", str(folder))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    upgrade(engine)
    with engine.connect() as connection:
        name = connection.execute(sa.select(account.c.name).where(account.c.code == "9998")).scalar()
    engine.dispose()
    assert name == "Lokalt testkonto"
