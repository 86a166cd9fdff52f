"""Per-load aggregates written at ingest: what controls and reports read instead of every row.

An aggregate's rows belong to a load exactly as the load's detail rows do: written in the
transaction that marks the load staged, deleted with the rows of a replaced partition in the
publishing transaction, and with every row of a rejected load. So the aggregate of the published
data is always the aggregate of the published rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from bokslut.sql import load_sql
from bokslut.warehouse.schema import posting_aggregate

# source -> (aggregate table, the statement that fills it from one load's rows)
AGGREGATES: dict[str, tuple[sa.Table, str]] = {"ledger": (posting_aggregate, "warehouse/posting_aggregate")}


def write_aggregate(connection: sa.Connection, source: str, load_id: int) -> None:
    """Aggregate the rows of ``load_id``, inside the caller's transaction."""
    if source in AGGREGATES:
        connection.execute(load_sql(AGGREGATES[source][1]), {"load_id": int(load_id)})


def delete_aggregate(connection: sa.Connection, source: str, load_id: int, partition: str | None = None) -> None:
    """Delete the aggregate of ``load_id``; of one partition only (``"191:202401"``) when given."""
    if source not in AGGREGATES:
        return
    table = AGGREGATES[source][0]
    condition = table.c.load_id == int(load_id)
    if partition is not None:  # aggregated sources are partitioned by förvaltning and period
        forvaltning, period = partition.split(":")
        condition &= (table.c.forvaltning == forvaltning) & (table.c.period == int(period))
    connection.execute(table.delete().where(condition))
