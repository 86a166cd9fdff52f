"""Per-load aggregates written at ingest: what controls and reports read instead of every row.

An aggregate's rows belong to a load exactly as the load's detail rows do: written in the
transaction that marks the load staged, deleted with the rows of a replaced partition in the
publishing transaction, and with every row of a rejected load. So the aggregate of the published
data is always the aggregate of the published rows.

The rows are aggregated as they stream past (``LoadAggregate``: Arrow's hash aggregation per chunk,
the partial sums combined at the end), so the load's rows are not read back; when the sums could
leave int64 the database aggregates them instead (include/sql/warehouse/posting_aggregate.sql),
where an overflow is an error, never a wrapped figure.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from bokslut.sql import load_sql
from bokslut.warehouse.bulk import bulk_insert
from bokslut.warehouse.schema import posting_aggregate

# source -> (aggregate table, the statement that fills it from one load's rows)
AGGREGATES: dict[str, tuple[sa.Table, str]] = {"ledger": (posting_aggregate, "warehouse/posting_aggregate")}
KEYS = ["forvaltning", "period", "konto", "motpart", "anslag", "vertyp", "blank_projekt", "blank_verksamhet"]
EXACT_LIMIT = 2**63 - 1  # every sum is exact while the sum of |amount| over the load stays below this
COMPACT_ROWS = 1_000_000  # partial groups kept before they are combined: memory stays flat


class LoadAggregate:
    """The aggregate of one load's rows, built chunk by chunk as they are inserted."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[pa.Table] = []
        self.bound = 0  # an upper bound of the sum of |amount_ore| so far (Python int: exact)

    def add(self, rows: pa.Table) -> None:
        if self.source not in AGGREGATES or rows.num_rows == 0:
            return
        amount = rows.column("amount_ore")
        absolute = pc.abs(amount)
        self.bound += int(pc.max(absolute).as_py()) * rows.num_rows
        if self.bound > EXACT_LIMIT:
            self.parts = []  # the database aggregates this load (write)
            return
        table = pa.table({
            **{k: rows.column(k) for k in KEYS[:6]},
            "blank_projekt": pc.equal(rows.column("projekt"), ""),
            "blank_verksamhet": pc.equal(rows.column("verksamhet"), ""),
            "amount_ore": amount,
            "abs_amount_ore": absolute,
            "postings": pa.array(np.ones(rows.num_rows, dtype=np.int64)),
        })
        self.parts.append(_combine([table]))
        if sum(p.num_rows for p in self.parts) > COMPACT_ROWS:
            self.parts = [_combine(self.parts)]

    def write(self, connection: sa.Connection, load_id: int) -> None:
        """Store the aggregate under ``load_id``, inside the caller's transaction."""
        if self.source not in AGGREGATES:
            return
        if self.bound > EXACT_LIMIT:
            connection.execute(load_sql(AGGREGATES[self.source][1]), {"load_id": int(load_id)})
            return
        if not self.parts:
            return
        groups = _combine(self.parts)
        groups = groups.append_column("load_id", pa.array([int(load_id)] * groups.num_rows, pa.int64()))
        bulk_insert(connection, AGGREGATES[self.source][0], groups)


def _combine(parts: list[pa.Table]) -> pa.Table:
    """Sum partial groups (or rows: each counts as one posting) by the aggregate's keys."""
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    summed = table.group_by(KEYS, use_threads=False).aggregate(
        [("amount_ore", "sum"), ("abs_amount_ore", "sum"), ("postings", "sum")])
    return summed.select([*KEYS, "amount_ore_sum", "abs_amount_ore_sum", "postings_sum"]).rename_columns(
        [*KEYS, "amount_ore", "abs_amount_ore", "postings"])


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
