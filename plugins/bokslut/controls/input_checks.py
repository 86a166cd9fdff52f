"""Input-format suites (``expectations/input_<source>.json``) run on a staged load before publishing.

The batch is the load's own rows (``SELECT * FROM <table> WHERE load_id = N``); a failing
``blocking`` expectation rejects the load, a failing ``warning`` is reported with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bokslut.controls.ge import ge_context, ge_error, sql_datasource
from bokslut.ingest.formats import SourceFormat
from bokslut.settings import EXPECTATIONS_DIR
from bokslut.sql import load_sql

SAMPLE = 5


@dataclass
class InputCheckResult:
    failures: list[str] = field(default_factory=list)  # blocking, Swedish
    warnings: list[str] = field(default_factory=list)


def _describe(result) -> str:  # noqa: ANN001 - GE ExpectationValidationResult
    meta = result.expectation_config.meta
    text = meta["description"]
    details = result.result or {}
    rows = details.get("details", {}).get("unexpected_rows") or []
    if rows:
        lines = ", ".join(str(r.get("source_line")) for r in rows[:SAMPLE])
        return f"{text} ({details.get('observed_value', len(rows))} rader, t.ex. rad {lines})"
    if details.get("unexpected_count"):
        sample = ", ".join(map(str, (details.get("partial_unexpected_list") or [])[:SAMPLE]))
        return f"{text} ({details['unexpected_count']} rader, t.ex. {sample})"
    return text


def run_input_checks(engine: Engine, fmt: SourceFormat, load_id: int) -> InputCheckResult:
    path = EXPECTATIONS_DIR / f"input_{fmt.name}.json"
    outcome = InputCheckResult()
    if not path.exists():
        return outcome
    import great_expectations as gx

    raw = json.loads(path.read_text(encoding="utf-8"))
    for expectation in raw["expectations"]:
        sql_file = expectation["meta"].get("sql_file")
        if sql_file:
            query = load_sql(sql_file).text
            expectation["kwargs"]["unexpected_rows_query"] = "\n".join(l for l in query.splitlines() if not l.startswith("--"))
    context = ge_context()
    batch = sql_datasource(context, engine).add_query_asset(
        name=f"load_{int(load_id)}", query=f"SELECT * FROM {fmt.table.name} WHERE load_id = {int(load_id)}"
    ).add_batch_definition_whole_table(name="load")
    suite = context.suites.add(gx.ExpectationSuite(**raw))
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=raw["name"], data=batch, suite=suite))
    # COMPLETE: unexpected_rows_expectation returns its rows (capped by GE) only in this format
    for result in validation.run(result_format="COMPLETE").results:
        if result.success:
            continue
        raised = ge_error(result)
        message = _describe(result) if not raised else f"{raw['name']}: kontrollen kunde inte köras ({raised})"
        target = outcome.warnings if result.expectation_config.meta.get("severity") == "warning" and not raised else outcome.failures
        target.append(message)
    return outcome
