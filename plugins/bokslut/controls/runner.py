"""Run the Kontokontroller for one förvaltning and period, before publishing (write-audit-publish).

1. The candidate data is every published ledger period, with a staged load in place of the
   periods it would replace; it is aggregated once into ``control_snapshot``. The supplementary
   extracts (stadskassan, anläggningsreskontra) are chosen the same way.
2. Each control group's SQL computes its lines (value, expected, difference) from the snapshot;
   lines the data decides (accounts and groups the year holds) are named from the suite.
3. A line whose input was not delivered (``requires`` in the suite) is "ej kontrollerbar".
   Great Expectations runs the same SQL as ``UnexpectedRowsExpectation`` on the snapshot through a
   SQL datasource and decides which of the other lines differ. A line the SQL shows off but GE
   does not (or the reverse) stops the run: both must agree.
4. The severity of the line's expectation turns a difference into fel, varning or info.
5. The results are stored in ``control_result`` and returned as records; nothing is sent here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.controls import inputs
from bokslut.controls.ge import ge_context, ge_error, sql_datasource
from bokslut.controls.model import (
    NOT_CHECKABLE,
    ControlResult,
    ControlRun,
    OffendingPosting,
    OffendingVoucher,
    Ranking,
)
from bokslut.controls.scope import PeriodBounds
from bokslut.domain.periods import control_scope
from bokslut.controls.suites import (
    ControlExpectation,
    ControlSuite,
    bound_statement,
    inline_binds,
    load_control_suites,
)
from bokslut.sql import literal_sql, load_sql
from bokslut.warehouse.schema import account, control_result, control_run, control_snapshot, load_audit, publication

log = logging.getLogger(__name__)
FAILING_ROWS = (
    "SELECT * FROM ({sql}) AS kk WHERE kk.control_id IN ({ids}) "
    "AND kk.expected_ore IS NOT NULL AND (kk.difference_ore IS NULL OR kk.difference_ore <> 0)"
)
OFFENDING_VOUCHERS = 10  # vouchers listed per failing line; how many more there are is counted
OFFENDING_POSTINGS_PER_VOUCHER = 20
POSTING_COLUMNS = ("period", "konto", "ansvar", "verksamhet", "projekt", "motpart", "anslag", "vertyp", "vernr",
                   "amount_ore")
MATCHING_TABLE = "offending_posting"  # temporary: the postings behind one failing line
MATCHING_COLUMNS = ("period INTEGER, konto VARCHAR(4), ansvar VARCHAR(20), verksamhet VARCHAR(20), projekt VARCHAR(20), "
                    "motpart VARCHAR(4), anslag VARCHAR(1), vertyp VARCHAR(2), vernr VARCHAR(30), amount_ore BIGINT")
# Vouchers of the matching postings, ranked; then their postings (largest in the same direction
# first). :by_net 1 ranks by net * :direction and leaves out what cancels: vouchers that net to
# zero, and a voucher and its reversal (a voucher whose net is the exact opposite of another's; of
# n vouchers netting +x and m netting -x, the first min(n, m) of each, by period and vernr, pair
# off and the later ones remain). :by_net 0 ranks by absolute amounts and keeps every voucher.
OFFENDING_SQL = """
WITH matching AS ({matching}),
voucher AS (
    SELECT period, vertyp, vernr, SUM(amount_ore) AS net_ore, SUM(ABS(amount_ore)) AS abs_ore, COUNT(*) AS postings
    FROM matching GROUP BY period, vertyp, vernr
),
nets AS (
    SELECT net_ore, COUNT(*) AS vouchers FROM voucher GROUP BY net_ore
),
paired AS (
    SELECT v.*, COALESCE(o.vouchers, 0) AS opposite,
           ROW_NUMBER() OVER (PARTITION BY v.net_ore ORDER BY v.period, v.vertyp, v.vernr) AS nth
    FROM voucher AS v LEFT JOIN nets AS o ON o.net_ore = -v.net_ore
),
scored AS (
    SELECT period, vertyp, vernr, net_ore, postings,
           CASE WHEN :by_net = 1 THEN :direction * net_ore ELSE abs_ore END AS score
    FROM paired
    WHERE CASE WHEN :by_net = 1 THEN net_ore <> 0 AND nth > opposite ELSE abs_ore <> 0 END
),
ranked AS (
    SELECT period, vertyp, vernr, net_ore, postings, score, COUNT(*) OVER () AS vouchers,
           ROW_NUMBER() OVER (ORDER BY score DESC, period, vertyp, vernr) AS voucher_rank
    FROM scored
),
listed AS (
    SELECT m.period, m.konto, m.ansvar, m.verksamhet, m.projekt, m.motpart, m.anslag, m.vertyp, m.vernr,
           m.amount_ore, r.net_ore, r.postings, r.score, r.vouchers, r.voucher_rank,
           ROW_NUMBER() OVER (
               PARTITION BY r.voucher_rank
               ORDER BY CASE WHEN :by_net = 1 THEN :direction * m.amount_ore ELSE ABS(m.amount_ore) END DESC,
                        m.konto, m.ansvar, m.verksamhet, m.projekt, m.motpart, m.anslag, m.amount_ore
           ) AS posting_rank
    FROM matching AS m
    JOIN ranked AS r ON r.period = m.period AND r.vertyp = m.vertyp AND r.vernr = m.vernr
    WHERE r.voucher_rank <= :voucher_limit
)
SELECT * FROM listed WHERE posting_rank <= :posting_limit ORDER BY voucher_rank, posting_rank
"""


EXTRACT_SOURCES = ("stadskassan", "anlaggningsreskontra")  # read by KK09 and KK12 besides the ledger


def candidate_partitions(connection: sa.Connection, forvaltning: str, staged_load_ids: Iterable[int],
                         source: str = "ledger") -> dict[int, int]:
    """period -> load_id of the ``source`` data a control run sees (staged loads of other sources are ignored)."""
    rows = connection.execute(
        sa.select(publication.c.partition, publication.c.load_id).where(
            publication.c.source == source, publication.c.forvaltning == forvaltning)
    )
    partitions = {int(p): load_id for p, load_id in rows}
    for load_id in staged_load_ids:
        staged = connection.execute(sa.select(load_audit.c.source, load_audit.c.partitions).where(
            load_audit.c.load_id == load_id)).first()
        if staged is None or staged.source != source:
            continue
        for partition in (staged.partitions or "").split(","):
            forv, _, per = partition.partition(":")
            if forv == forvaltning:
                partitions[int(per)] = int(load_id)
    return partitions


def candidate_pairs(partitions: dict[int, int]) -> list[tuple[int, int]]:
    """The (period, load_id) pairs of the candidate data, bound as one list: ``(period, load_id) IN :candidates``."""
    return [(int(p), int(l)) for p, l in sorted(partitions.items())]


def _snapshot(engine: Engine, bounds: PeriodBounds,
              staged_load_ids: tuple[int, ...]) -> tuple[int, dict[str, dict[int, int]]]:
    """Aggregate the candidate postings; return the run id and the candidate partitions per source."""
    with engine.begin() as connection:
        partitions = {source: candidate_partitions(connection, bounds.forvaltning, staged_load_ids, source)
                      for source in ("ledger", *EXTRACT_SOURCES)}
        ledger = partitions["ledger"]
        run_id = connection.execute(control_run.insert().values(
            forvaltning=bounds.forvaltning, period=bounds.period, scope=control_scope(bounds.period),
            candidate_loads=json.dumps({str(p): l for p, l in sorted(ledger.items())}),
            status="pågår", started_at=datetime.now(UTC),
        )).inserted_primary_key[0]
        values = bounds.sql_values()
        connection.execute(*bound_statement(load_sql("controls/snapshot").text, {
            "run_id": run_id, "forvaltning": bounds.forvaltning, "prior_start": values["prior_start"],
            "period": values["period"], "candidates": candidate_pairs(ledger)}))
        # A view per run: GE reads it as a table asset, plain SQL as a name. A view's body takes no
        # parameters: SQLAlchemy renders the run id as a literal.
        rows = sa.select(sa.text("*")).select_from(control_snapshot).where(control_snapshot.c.run_id == int(run_id))
        connection.execute(sa.text(f"CREATE VIEW {_batch(run_id)} AS {literal_sql(rows, connection.dialect)}"))
    return run_id, partitions


def _batch(run_id: int) -> str:
    return f"control_run_{int(run_id)}"


def _drop_snapshot(connection: sa.Connection, run_id: int) -> None:
    connection.execute(sa.text(f"DROP VIEW IF EXISTS {_batch(run_id)}"))
    connection.execute(sa.text("DELETE FROM control_snapshot WHERE run_id = :r"), {"r": run_id})


def _line_values(engine: Engine, sql: str, run_id: int, values: dict[str, object]) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(*bound_statement(sql.replace("{batch}", _batch(run_id)), values)).mappings().all()
    return [dict(r) for r in rows]


def _account_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(account.c.code, account.c.name)).all())


def _sorted_lines(rows: list[dict]) -> list[dict]:
    """In the sheet's order: lines the data decides sit before the sum of their range (``sort_key``;
    sorted here, not in SQL, so the order does not depend on the database's collation)."""
    if rows and "sort_key" in rows[0]:
        return sorted(rows, key=lambda r: r["sort_key"])
    return rows


def _ge_failures(engine: Engine, run_id: int, checks: list[tuple[ControlSuite, str, list]]) -> dict[str, set[str]]:
    """Expectation id -> control ids (or KK11 keys) Great Expectations found failing.

    Every group's expectations are validated together on the run's batch (``Batch.validate``): GE's
    fixed cost per validation (definitions and result stores of a context this run throws away)
    is paid once per run, not once per control group."""
    context = ge_context()
    import great_expectations as gx
    batch = sql_datasource(context, engine).add_table_asset(
        name="control_snapshot", table_name=_batch(run_id)
    ).add_batch_definition_whole_table(name="run").get_batch()
    expectations = []
    suite_of: dict[str, str] = {}  # expectation id -> its suite's name, for an error message
    for suite, sql, in_scope in checks:
        for exp, ids in in_scope:
            spec = next(e for e in suite.raw["expectations"] if e["id"] == exp.id)
            id_list = ", ".join(f"'{i}'" for i in ids)
            expectations.append({
                **spec,
                "kwargs": {**spec["kwargs"], "unexpected_rows_query": FAILING_ROWS.format(sql=sql, ids=id_list)},
                "meta": {**spec["meta"], "expectation_id": exp.id},  # GE assigns ids of its own
            })
            suite_of[exp.id] = suite.name
    if not expectations:
        return {}
    result = batch.validate(gx.ExpectationSuite(name="Kontokontroller", expectations=expectations),
                            result_format="COMPLETE")
    failures: dict[str, set[str]] = {}
    for expectation_result in result.results:
        expectation_id = expectation_result.expectation_config.meta["expectation_id"]
        error = ge_error(expectation_result)
        if error:
            raise RuntimeError(f"{suite_of[expectation_id]}: Great Expectations kunde inte köra kontrollen: {error}")
        rows = (expectation_result.result or {}).get("details", {}).get("unexpected_rows", [])
        failures[expectation_id] = {r["control_id"] for r in rows}
    if set(failures) != set(suite_of):  # every expectation sent must come back judged
        raise RuntimeError("Great Expectations returnerade inte ett utfall för varje kontroll: "
                           + ", ".join(sorted(set(suite_of) - set(failures))))
    return failures


def _offending(connection: sa.Connection, bounds: PeriodBounds, partitions: dict[int, int], where: str,
               difference_ore: int | None) -> tuple[tuple[OffendingVoucher, ...], int, Ranking]:
    """The vouchers behind a failing line: (listed vouchers, how many there are, how they were ranked)."""
    return offending_drilldown(connection, bounds, partitions, where, difference_ore)[:3]


def offending_drilldown(connection: sa.Connection, bounds: PeriodBounds, partitions: dict[int, int], where: str,
                        difference_ore: int | None, voucher_limit: int | None = None,
                        ) -> tuple[tuple[OffendingVoucher, ...], int, Ranking, int]:
    """The drill-down of ``_offending`` with its filter's total (öre, every matching posting) and a
    voucher limit of the caller's (``bokslut explain --postings N``); one query for both callers.

    The postings matching ``where`` (the line's offending filter, from the suite) are grouped by
    voucher (period, vertyp, vernr). When the filter's total equals the difference (up to sign),
    the line is a net sum: vouchers that net to zero (postings that cancel) and pairs of a voucher
    and its reversal (opposite nets) are left out, and the rest are ranked by their net in the
    direction of the difference; what remains adds up to the difference. Otherwise (a control that
    sums absolute amounts, such as KK10, or a filter that is only an approximation of the line),
    every voucher is ranked by the absolute amounts of its postings.
    """
    params = {**{k: bounds.sql_values()[k] for k in ("forvaltning", "year_start", "period")},
              "candidates": candidate_pairs(partitions)}
    # The year's postings are read once (the drill-down's one scan of raw postings): into a temporary
    # table that both the total and the ranking read.
    # In a savepoint: a failing statement rolls back the temporary table with it, and the error that
    # caused it surfaces (PostgreSQL refuses every later statement of an aborted transaction).
    with connection.begin_nested():
        connection.execute(sa.text(f"CREATE TEMPORARY TABLE {MATCHING_TABLE} ({MATCHING_COLUMNS})"))
        # ``where`` is the suite's offending filter: SQL text of the code (expectations/), not a value.
        connection.execute(*bound_statement(
            f"INSERT INTO {MATCHING_TABLE} SELECT {', '.join(POSTING_COLUMNS)} FROM posting "
            f"WHERE forvaltning = :forvaltning AND period BETWEEN :year_start AND :period "
            f"AND (period, load_id) IN :candidates AND ({where})", params))
        total = connection.execute(sa.text(f"SELECT COALESCE(SUM(amount_ore), 0) FROM {MATCHING_TABLE}")).scalar()
        total = int(total or 0)
        net = bool(difference_ore) and abs(total) == abs(difference_ore)
        direction = -1 if total < 0 else 1
        rows = connection.execute(sa.text(OFFENDING_SQL.format(matching=f"SELECT * FROM {MATCHING_TABLE}")), {
            "by_net": 1 if net else 0, "direction": direction,
            "voucher_limit": OFFENDING_VOUCHERS if voucher_limit is None else int(voucher_limit),
            "posting_limit": OFFENDING_POSTINGS_PER_VOUCHER,
        }).mappings().all()
        connection.execute(sa.text(f"DROP TABLE {MATCHING_TABLE}"))
    vouchers: dict[tuple[int, str, str], list] = {}
    count = 0
    for row in rows:
        count = int(row["vouchers"])
        key = (int(row["period"]), row["vertyp"], row["vernr"])
        if key not in vouchers:
            vouchers[key] = [int(row["net_ore"]), int(row["score"]), int(row["postings"]), []]
        vouchers[key][3].append(OffendingPosting(*(row[c] for c in POSTING_COLUMNS)))
    listed = tuple(OffendingVoucher(period, vertyp, vernr, net_ore, score, n, tuple(postings))
                   for (period, vertyp, vernr), (net_ore, score, n, postings) in vouchers.items())
    return listed, count, "net" if net else "abs", total


def _status(row: dict, exp: ControlExpectation | None, evaluated: bool, ge_fails: bool) -> str:
    if not evaluated or exp is None or exp.severity == "info":
        return "info"  # shown: checked at another reporting point, or information by the sheet
    if row["expected_ore"] is None:  # a line with a requirement but no comparison value: never a quiet pass
        return "varning"
    if not ge_fails:
        return "ok"
    if row["difference_ore"] is None or exp.severity == "warning":
        return "varning"
    return "fel"


# The status a run that only explains or previews is recorded with: the template readiness gate
# (include/sql/templates/readiness.sql) takes only ok | varning | fel runs as the verdict on the data.
NOT_A_VERDICT = "förklaring"


def run_controls(engine: Engine, forvaltning: str, period: int, staged_load_ids: Iterable[int] = (), *,
                 verdict: bool = True) -> ControlRun:
    """Run every control group for ``forvaltning`` and ``period`` on the candidate data.

    ``staged_load_ids``: loads (ledger or the supplementary extracts) to check in place of the
    published partitions they replace. ``verdict=False`` (``bokslut explain``, the input workbook's
    dry fill): the run and its results are recorded for the audit trail under ``NOT_A_VERDICT``, so a
    read never becomes the month-end gate."""
    bounds = PeriodBounds(forvaltning, int(period))
    scope = control_scope(bounds.period)
    run_id, partitions = _snapshot(engine, bounds, tuple(staged_load_ids))
    # bound (:period, ..., the candidate pairs of the extracts); inlined as literals only for GE
    values = {**bounds.sql_values(), "treasury_candidates": candidate_pairs(partitions["stadskassan"]),
              "register_candidates": candidate_pairs(partitions["anlaggningsreskontra"])}
    names = _account_names(engine)

    # (suite, row, control id, texts, expectation, evaluated, missing inputs)
    computed: list[tuple[ControlSuite, dict, str, dict, ControlExpectation | None, bool, list[str]]] = []
    checks = []
    for suite in load_control_suites():
        sql = suite.sql
        in_scope: dict[str, tuple[ControlExpectation, list[str]]] = {}
        for row in _sorted_lines(_line_values(engine, sql, run_id, values)):
            control_id, texts = suite.line(row["control_id"], names)
            exp = suite.expectation_for(control_id)
            evaluated = exp is not None and scope in exp.scope
            missing = inputs.missing(texts.get("requires", ()), bounds, partitions) if evaluated else []
            if evaluated and not missing:  # GE judges the line under its (first) expectation only
                in_scope.setdefault(exp.id, (exp, []))[1].append(row["control_id"])
            computed.append((suite, row, control_id, texts, exp, evaluated, missing))
        checks.append((suite, inline_binds(sql, values, engine.dialect), list(in_scope.values())))

    ge_failed = _ge_failures(engine, run_id, checks)
    results = []
    with engine.begin() as connection:
        for suite, row, control_id, texts, exp, evaluated, missing in computed:
            if missing:
                status = NOT_CHECKABLE
            else:
                sql_fails = row["expected_ore"] is not None and row["difference_ore"] != 0
                ge_fails = evaluated and row["control_id"] in ge_failed.get(exp.id, set())
                if evaluated and sql_fails != ge_fails:
                    raise RuntimeError(f"{control_id}: SQL och Great Expectations är oeniga om utfallet.")
                status = _status(row, exp, evaluated, ge_fails)
            offending: tuple[tuple[OffendingVoucher, ...], int, Ranking] = ((), 0, "net")
            if status in ("fel", "varning") and texts.get("offending_filter"):
                offending = _offending(connection, bounds, partitions["ledger"], texts["offending_filter"],
                                       _int(row["difference_ore"]))
            where = texts.get("where_to_look", "")
            if not evaluated and exp is not None:
                where = f"Kontrolleras vid {', '.join(exp.scope)}. " + where
            results.append(ControlResult(
                control_id=control_id, group=suite.group, name=texts.get("name", control_id), rule=texts.get("rule", ""),
                accounts=texts.get("accounts", ""), forvaltning=forvaltning, period=bounds.period,
                value_ore=_int(row["value_ore"]), expected_ore=_int(row["expected_ore"]),
                difference_ore=_int(row["difference_ore"]), severity=exp.severity if exp else "warning",
                status=status, where_to_look=where.strip(), offending_vouchers=offending[0],
                offending_voucher_count=offending[1], offending_ranking=offending[2],
                missing_input="; ".join(missing),
            ))
        run = ControlRun(run_id, forvaltning, bounds.period, results)
        connection.execute(control_result.insert(), [
            {"run_id": run_id, "control_id": r.control_id, "forvaltning": forvaltning, "period": bounds.period,
             "value_ore": r.value_ore, "expected_ore": r.expected_ore, "difference_ore": r.difference_ore,
             "severity": r.severity, "status": r.status} for r in results
        ])
        connection.execute(control_run.update().where(control_run.c.run_id == run_id)
                           .values(status=run.status if verdict else NOT_A_VERDICT))
        _drop_snapshot(connection, run_id)
    log.info("Kontokontroller %s %s: %s (%d fel, %d varningar, %d ej kontrollerbara)", forvaltning, period,
             run.status, len(run.blocking_failures), len(run.warnings) - len(run.not_checkable),
             len(run.not_checkable))
    return run


def _int(value: object) -> int | None:
    return None if value is None else int(value)

