"""Which published monthly snapshot a figure is computed from.

Every HR and BER extract is a monthly snapshot published per (förvaltning, month); all of them are
kept. A figure for the months up to M of year Y uses the newest published snapshot of the year
from M on (a December snapshot holds the whole year, with LISA's later corrections), so any
year's figures can be recomputed from history (``docs/hr-kaa.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bokslut.warehouse.schema import publication


@dataclass(frozen=True)
class Snapshot:
    source: str
    period: int  # YYYYMM
    load_id: int


def newest_snapshot(connection: sa.Connection, source: str, forvaltning: str, first: int, last: int) -> Snapshot | None:
    """The newest published snapshot of ``source`` with month in [first, last] (YYYYMM), or None."""
    row = connection.execute(
        sa.select(publication.c.partition, publication.c.load_id)
        .where(publication.c.source == source, publication.c.forvaltning == forvaltning,
               publication.c.partition >= str(first), publication.c.partition <= str(last))
        .order_by(publication.c.partition.desc())
        .limit(1)
    ).first()
    return None if row is None else Snapshot(source, int(row.partition), int(row.load_id))


def published_forvaltningar(connection: sa.Connection, sources: tuple[str, ...]) -> list[str]:
    query = sa.select(publication.c.forvaltning).where(publication.c.source.in_(sources)).distinct()
    return sorted(connection.execute(query).scalars())
