"""The runs, each as one sequence of plain functions that both the DAG tasks and the CLI call.

There is no second path to publish: ``bokslut load`` runs the same functions, in the same order,
as the DAGs' tasks (``dags/``; the DAGs that share a shape are built by ``bokslut.dag_factories``).

Modules, one job each::

    ledger     month-end: discover → group by förvaltning → per förvaltning (``close_forvaltning``;
               the DAG maps one task instance over each) stage → audit (input suite) → control
               (Kontokontroller on the data as it would be published) → publish → reports
    personal   LISA (HR) and BER (KAA): discover → stage → audit → publish → key figures / statistics
    templates  T1, T2, VB: resolve targets → check ready → build → deliver
    parallel   stages the independent files of one run side by side, in worker processes
"""

from __future__ import annotations


def engine_or_ready(engine=None):  # noqa: ANN001, ANN201 - a SQLAlchemy Engine
    """The engine a step was given (tests, the CLI's own), else the warehouse's at schema head."""
    if engine is not None:
        return engine
    from bokslut.warehouse.db import ready_engine

    return ready_engine()
