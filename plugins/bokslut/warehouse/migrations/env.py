"""Alembic environment: runs on the connection handed over by ``bokslut.warehouse.db.upgrade``."""

from __future__ import annotations

from alembic import context

from bokslut.warehouse.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTER TABLE
)
with context.begin_transaction():
    context.run_migrations()
