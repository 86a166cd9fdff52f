"""Whether the ledger data a report is asked for is published: an unknown förvaltning or an unloaded
period is a Swedish error, never a set of all-zero reports (the command line, the flows and
``bokslut explain`` ask the same question here). Light at import: the flows import it at parse
time of a DAG task module, SQLAlchemy is loaded when the question is asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class NothingPublished(ValueError):
    """A report was asked for data the warehouse does not hold (Swedish message)."""


def require_published(engine: Engine, forvaltning: str, period: int) -> None:
    """``NothingPublished`` (Swedish) unless the förvaltning has published ledger data for ``period``:
    an unknown förvaltning or an empty period never turns into a set of all-zero reports."""
    import sqlalchemy as sa

    from bokslut.warehouse.schema import publication

    with engine.connect() as connection:
        periods = sorted(int(p) for p in connection.execute(
            sa.select(publication.c.partition).where(publication.c.source == "ledger",
                                                     publication.c.forvaltning == forvaltning)).scalars())
    if not periods:
        raise NothingPublished(f"Förvaltning {forvaltning} har ingen publicerad huvudbok i lagret: "
                               "kontrollera förvaltningskoden eller läs in huvudboken först.")
    if int(period) not in periods:
        same_year = [p for p in periods if p // 100 == int(period) // 100]
        hint = f"publicerade perioder {same_year[0]}–{same_year[-1]}" if same_year else \
            f"senast publicerade period {periods[-1]}"
        raise NothingPublished(f"Period {period} är inte publicerad för förvaltning {forvaltning} ({hint}); "
                               "läs in periodens huvudbok först.")
