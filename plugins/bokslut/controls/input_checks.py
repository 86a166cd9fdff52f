"""Input-format suites (``expectations/input_<source>.json``) run on a staged load before publishing.

The batch is the load's own rows (``SELECT * FROM <table> WHERE load_id = N``); a failing
``blocking`` expectation rejects the load, a failing ``warning`` is reported with it.

``run_input_checks`` (the load's audit step) evaluates the suite compiled to SQL
(:mod:`bokslut.controls.input_sql`): one aggregate pass over the load, no Great Expectations
import. ``run_input_checks_ge`` runs the same suite through Great Expectations; it is the
reference the compiled SQL is tested against (tests/controls/test_input_sql_parity.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.controls.input_sql import (
    ROWS,
    SAMPLE,
    Outcome,
    compile_suite,
    describe,
    evaluate,
    load_suite,
    sql_file_text,
)
from bokslut.ingest.formats import SourceFormat
from bokslut.sql import literal_sql

__all__ = ["SAMPLE", "InputCheckResult", "run_input_checks", "run_input_checks_ge", "input_outcomes",
           "input_outcomes_ge"]


@dataclass
class InputCheckResult:
    failures: list[str] = field(default_factory=list)  # blocking, Swedish
    warnings: list[str] = field(default_factory=list)


def _verdict(suite_name: str, outcomes: list[Outcome]) -> InputCheckResult:
    outcome = InputCheckResult()
    for item in sorted(outcomes, key=lambda o: o.position):
        if item.success:
            continue
        if item.error:  # could not run: never a mere warning
            outcome.failures.append(f"{suite_name}: kontrollen kunde inte köras ({item.error})")
            continue
        target = outcome.warnings if item.severity == "warning" else outcome.failures
        target.append(item.message)
    return outcome


def input_outcomes(engine: Engine, fmt: SourceFormat, load_id: int) -> tuple[str, list[Outcome]] | None:
    """(suite name, verdict per expectation) from the compiled SQL; None when the source has no suite."""
    raw = load_suite(fmt.name)
    if raw is None:
        return None
    suite = compile_suite(raw, fmt.table)
    return suite.name, evaluate(engine, suite, load_id)


def run_input_checks(engine: Engine, fmt: SourceFormat, load_id: int) -> InputCheckResult:
    found = input_outcomes(engine, fmt, load_id)
    return InputCheckResult() if found is None else _verdict(*found)


# --- the Great Expectations reference ---------------------------------------------------------

def _ge_outcome(position: int, result) -> Outcome:  # noqa: ANN001 - GE ExpectationValidationResult
    from bokslut.controls.ge import ge_error

    config = result.expectation_config
    meta = config.meta
    details = result.result or {}
    if config.type == ROWS:
        rows = details.get("details", {}).get("unexpected_rows") or []
        count = details.get("observed_value", len(rows))
        sample = tuple(r.get("source_line") for r in rows)
    elif "unexpected_count" in details:
        count = details.get("unexpected_count") or 0  # GE says None on an empty batch
        sample = tuple(details.get("partial_unexpected_list") or [])
    else:
        count, sample = details.get("observed_value"), ()
    message = None if result.success else describe(config.type, meta["description"], count, sample)
    return Outcome(position, config.type, meta.get("severity", "blocking"), bool(result.success), count, sample,
                   message, ge_error(result))


def input_outcomes_ge(engine: Engine, fmt: SourceFormat, load_id: int) -> tuple[str, list[Outcome]] | None:
    """(suite name, verdict per expectation) from Great Expectations on the same load."""
    raw = load_suite(fmt.name)
    if raw is None:
        return None
    import great_expectations as gx

    from bokslut.controls.ge import ge_context, sql_datasource

    for expectation in raw["expectations"]:
        sql_file = expectation["meta"].get("sql_file")
        if sql_file:
            expectation["kwargs"]["unexpected_rows_query"] = sql_file_text(sql_file)
    context = ge_context()
    # A query asset takes no parameters: SQLAlchemy renders the load id as a literal.
    rows = sa.select(sa.text("*")).select_from(fmt.table).where(fmt.table.c.load_id == int(load_id))
    batch = sql_datasource(context, engine).add_query_asset(
        name=f"load_{int(load_id)}", query=literal_sql(rows, engine.dialect)
    ).add_batch_definition_whole_table(name="load")
    suite = context.suites.add(gx.ExpectationSuite(**raw))
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=raw["name"], data=batch, suite=suite))
    # COMPLETE: unexpected_rows_expectation returns its rows (capped by GE) only in this format
    results = validation.run(result_format="COMPLETE").results
    # GE returns the results in an order of its own, under ids it gave the expectations when the suite was added
    positions = {expectation.id: i for i, expectation in enumerate(suite.expectations)}
    return raw["name"], [_ge_outcome(positions.get(result.expectation_config.id, i), result)
                         for i, result in enumerate(results)]


def run_input_checks_ge(engine: Engine, fmt: SourceFormat, load_id: int) -> InputCheckResult:
    found = input_outcomes_ge(engine, fmt, load_id)
    return InputCheckResult() if found is None else _verdict(*found)
