"""Dataset lineage of the DAG tasks for engineers: landing files in, warehouse tables and delivered files out.

A task reports what it actually read and wrote in this run (the delivered files, this installation's
warehouse) through Airflow's hook lineage collector. The OpenLineage provider reads the collector when
the task ends and puts those datasets into the task's COMPLETE (or FAIL) event
(docs/deployment.md, "Dataset lineage (OpenLineage)"). Declaring them at run time rather than as
static inlets/outlets is deliberate: the file names and the warehouse are only known then, and the
DAG files stay free of imports (parse time).

Called from the DAG tasks only: the CLI runs the same flows without Airflow. Importing this module
costs nothing at parse time; every Airflow import happens inside ``report``. Lineage is a
by-product: ``report`` never raises, a failure to record it only logs a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Ledger reports and the templates read these sources' tables (reports: ledger and budget;
# Kontokontroller: also the two extracts). Same order as bokslut.names.SOURCE_NAMES.
LEDGER_SOURCES = ("ledger", "budget", "anlaggningsreskontra", "stadskassan")


class _Bokslut:
    """The collector's "context" of every asset we report (it keys entries by context identity)."""


_CONTEXT = _Bokslut()


def file_uri(path: str | Path) -> str:
    """``file://`` URI of a file, with any personnummer in its name masked (events are an output)."""
    from bokslut.textsafety import mask_personnummer

    return Path(mask_personnummer(str(Path(path).absolute()))).as_uri()


def table_uri(table: str, warehouse_url: str | None = None) -> str | None:
    """Asset URI of a warehouse table, following OpenLineage's dataset naming.

    PostgreSQL: ``postgres://host:port/database/public/table`` (namespace ``postgres://host:port``,
    name ``database.public.table``). SQLite (demo, tests) has no OpenLineage naming and no Airflow
    converter: the table is reported as ``file:///<database file>/<table>``. Credentials never
    appear. Other databases: ``None`` (not reported).
    """
    import sqlalchemy as sa

    if warehouse_url is None:
        from bokslut.settings import get_settings

        warehouse_url = get_settings().warehouse_url
    url = sa.engine.make_url(warehouse_url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return f"postgres://{url.host or 'localhost'}:{url.port or 5432}/{url.database}/public/{table}"
    if backend == "sqlite" and url.database and url.database != ":memory:":
        return (Path(url.database).absolute() / table).as_uri()
    return None


def source_tables(sources: Iterable[str], warehouse_url: str | None = None) -> list[str]:
    """Table URIs of the sources' data tables (``ledger`` → posting, ``budget`` → budget, ...)."""
    from bokslut.ingest.formats import SOURCES

    tables = dict.fromkeys(SOURCES[s].table.name for s in sources if s in SOURCES)
    return [uri for t in tables if (uri := table_uri(t, warehouse_url))]


def report(*, inputs: Iterable[str] = (), outputs: Iterable[str] = ()) -> None:
    """Record asset URIs as the running task's inputs and outputs; never raises."""
    inputs, outputs = list(dict.fromkeys(inputs)), list(dict.fromkeys(outputs))
    if not inputs and not outputs:
        return
    try:
        from airflow.sdk.lineage import get_hook_lineage_collector

        collector = get_hook_lineage_collector()
        for uri in inputs:
            collector.add_input_asset(context=_CONTEXT, uri=uri)
        for uri in outputs:
            collector.add_output_asset(context=_CONTEXT, uri=uri)
    except Exception:  # noqa: BLE001 - lineage must never fail a closing run
        log.warning("Dataset lineage could not be recorded for this task", exc_info=True)


# ------------------------------------------------------------------ what the DAG tasks call


def report_staged(files: Iterable[dict]) -> None:
    """A staging task: every file it read (its landing path) in; the data table of every file it
    staged or published out (a rejected file's rows never reach its table)."""
    from bokslut.ingest.status import LoadStatus

    files = list(files)
    loaded = (LoadStatus.STAGED, LoadStatus.PUBLISHED)
    report(inputs=[file_uri(f["path"]) for f in files if f.get("path")],
           outputs=source_tables(f["source"] for f in files if f.get("status") in loaded))


def report_outputs(group: str, paths: Iterable[str | Path]) -> None:
    """A task that writes files for delivery: the warehouse tables of the source group it reads
    (``ledger``: the ledger and its extracts; ``hr``, ``ber``: their extracts) in, the files out."""
    from bokslut.names import SOURCE_GROUPS

    report(inputs=source_tables(LEDGER_SOURCES if group == "ledger" else SOURCE_GROUPS[group]),
           outputs=[file_uri(p) for p in paths])


def report_templates(deliveries: Iterable[dict]) -> None:
    """A template build: the warehouse tables and the manual inputs each filling read (a returned input
    workbook, by its archived copy, or the YAML) in; the delivered files out."""
    deliveries = list(deliveries)
    report(inputs=source_tables(LEDGER_SOURCES) + [file_uri(d["manual_file"]) for d in deliveries if d.get("manual_file")],
           outputs=[file_uri(p) for d in deliveries for p in d.get("files", ())])
