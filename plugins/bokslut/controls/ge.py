"""Great Expectations plumbing shared by the control suites and the input suites (imported in tasks only)."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

# Libraries that log at INFO on every import, context and validation (GE registers each datasource
# type it knows: 200+ lines per task), and GE's usage-statistics client. A task log should show our
# lines and real problems (WARNING and up still come through).
QUIET_LOGGERS = ("great_expectations", "posthog", "backoff")


def quiet_library_logs() -> None:
    """Raise the noisy libraries' loggers to WARNING (idempotent: on import of this module, again in
    ``ge_context``).

    Children that set a level of their own (GE's ``data_context.types.base`` sets INFO when it is
    imported) are raised too, so nothing below WARNING gets through from these libraries.
    """
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (isinstance(logger, logging.Logger) and name.startswith(tuple(f"{q}." for q in QUIET_LOGGERS))
                and logging.NOTSET < logger.level < logging.WARNING):
            logger.setLevel(logging.WARNING)


quiet_library_logs()  # before anything imports GE: importing it logs every datasource type it registers


def ge_context():  # noqa: ANN201 - GE's context type
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_library_logs()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no tqdm spam in task logs
    return context


def sql_datasource(context, engine: Engine):  # noqa: ANN001, ANN201
    """A GE SQL datasource on the warehouse the engine points at (SQLite or PostgreSQL)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return context.data_sources.add_sqlite(name="warehouse", connection_string=url)
    return context.data_sources.add_postgres(name="warehouse", connection_string=url)


def ge_error(result) -> str | None:  # noqa: ANN001 - GE ExpectationValidationResult
    """The error message of an expectation that could not run, or None.

    GE does not raise: the error sits in ``exception_info``, either flat or keyed by metric.
    """
    info = result.exception_info or {}
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "okänt fel").splitlines()[0]
    return None
