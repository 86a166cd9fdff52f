"""Explanations of Kontokontroller: a line's value, its rule, its recomputation and the rows behind it.

A control computes its lines from ``control_snapshot`` (the per-load aggregate). Here each line is
recomputed from the raw rows (``posting``, ``treasury``, ``asset_register``) of the same candidate
data, through the line's recipe in ``lineage.control_values``: a second path that shares no SQL
with the control. For the published data (``bokslut explain --control``) the candidate data is the
published loads; for a run that checked a staged load (the pre-publish run), the same staged load
in place of the periods it replaces (``runner.candidate_partitions``, the runner's own choice).

The rows listed: for a failing or warning line with a drill-down filter, the vouchers of the
runner's drill-down (``runner.offending_drilldown``: what adds up to the difference); otherwise the
raw rows adding most to the value. Never a posting text (it may hold a name). Bound parameters only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.controls.model import ControlResult, ControlRun
from bokslut.controls.runner import EXTRACT_SOURCES, candidate_partitions, offending_drilldown, run_controls
from bokslut.controls.scope import PeriodBounds
from bokslut.controls.suites import ControlSuite, load_control_suites
from bokslut.lineage.control_values import SOURCE_TEXT, LineRecipe, Recipe, Term, describe, line_recipe, periods
from bokslut.lineage.model import CellSource, Contribution, Explanation, LoadRef
from bokslut.money import format_swedish
from bokslut.warehouse.schema import asset_register, load_audit, posting, treasury

TABLES = {"ledger": posting, "stadskassan": treasury, "anlaggningsreskontra": asset_register}
MEASURES = ("value", "expected", "difference")
MEASURE_TEXT = {"value": "värde", "expected": "förväntat", "difference": "differens"}


@dataclass(frozen=True)
class Candidates:
    """The data a control run saw: förvaltning, period and per source period -> load id."""

    forvaltning: str
    period: int
    partitions: dict[str, dict[int, int]]
    # Term -> (sum, rows, load ids): a line reads a term for its value, its difference and its loads;
    # one query per term (on 10M postings each is a scan of the year's loads)
    totals: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, connection: sa.Connection, forvaltning: str, period: int,
           staged_load_ids: Iterable[int] = ()) -> Candidates:
        staged = tuple(staged_load_ids)
        return cls(forvaltning, int(period), {s: candidate_partitions(connection, forvaltning, staged, s)
                                              for s in ("ledger", *EXTRACT_SOURCES)})

    def where(self, term: Term) -> sa.ColumnElement[bool]:
        table = TABLES[term.source]
        lo, hi = periods(term.period_kind, self.period)
        pairs = [(p, load) for p, load in sorted(self.partitions[term.source].items()) if lo <= p <= hi]
        candidate = sa.or_(*(sa.and_(table.c.period == p, table.c.load_id == load) for p, load in pairs)) \
            if pairs else sa.false()
        parts = [table.c.forvaltning == self.forvaltning, table.c.period.between(lo, hi), candidate]
        if term.accounts is not None:
            parts.append(term.accounts.clause(table.c.konto, table.c.get("anslag")))
        if term.motpart == "9*":
            parts.append(table.c.motpart.like("9%"))
        elif term.motpart == "1990":
            parts.append(table.c.motpart == "1990")
        elif term.motpart == "<2000":
            parts.append(table.c.motpart < "2000")
        elif term.motpart == "2000-8999":
            parts.append(table.c.motpart.between("2000", "8999"))
        elif term.motpart == "blank":
            parts.append(table.c.motpart == "")
        elif term.motpart is not None:
            raise ValueError(f"okänt motpartsvillkor {term.motpart!r}")
        if term.vertyp:
            parts.append(table.c.vertyp.in_(term.vertyp))
        if term.blank:
            parts.append(table.c[term.blank] == "")
        return sa.and_(*parts)

    def measure(self, term: Term) -> sa.ColumnElement:
        amount = TABLES[term.source].c.amount_ore
        return sa.func.abs(amount) if term.absolute else amount


def _term_sums(connection: sa.Connection, c: Candidates, term: Term) -> tuple[int, int, frozenset[int]]:
    """(sum in öre with the term's sign, rows, load ids) of one term, read once per ``Candidates``."""
    if term not in c.totals:
        table = TABLES[term.source]
        rows = connection.execute(sa.select(table.c.load_id, sa.func.sum(c.measure(term)), sa.func.count())
                                  .where(c.where(term)).group_by(table.c.load_id)).all()
        c.totals[term] = (term.sign * sum(int(r[1] or 0) for r in rows), sum(int(r[2]) for r in rows),
                          frozenset(int(r[0]) for r in rows))
    return c.totals[term]


def _term_total(connection: sa.Connection, c: Candidates, term: Term) -> tuple[int, int]:
    return _term_sums(connection, c, term)[:2]


def _evaluate(connection: sa.Connection, c: Candidates, recipe: Recipe | None) -> tuple[int | None, int]:
    """(sum in öre or None, rows summed); None when an extract the recipe reads has no rows (as the SQL's NULL)."""
    if recipe is None:
        return None, 0
    total = rows = 0
    for term in recipe:
        amount, n = _term_total(connection, c, term)
        if term.source != "ledger" and n == 0:
            return None, 0
        total, rows = total + amount, rows + n
    return total, rows


def _prior_delivered(connection: sa.Connection, c: Candidates) -> bool:
    return _term_total(connection, c, Term(None, "fg_ar"))[1] > 0


def _recompute(connection: sa.Connection, c: Candidates, line: LineRecipe) -> dict[str, int | None]:
    if line.null_without and _evaluate(connection, c, (Term(None, "ar", source=line.null_without),))[0] is None:
        return dict.fromkeys(MEASURES)
    figures = {m: _evaluate(connection, c, line.measure(m))[0] for m in MEASURES}
    if line.needs_prior and not _prior_delivered(connection, c):
        figures["value"] = None
        if line.difference_needs_prior:
            figures["difference"] = None
    return figures


def _top_rows(connection: sa.Connection, c: Candidates, recipe: Recipe, limit: int) -> list[Contribution]:
    found: list[Contribution] = []
    for term in recipe:
        table = TABLES[term.source]
        keys = [k for k in ("konto", "anslag", "ansvar", "projekt", "vertyp", "vernr") if k in table.c]
        query = (sa.select(c.measure(term).label("amount"), table.c.period, table.c.load_id, *(table.c[k] for k in keys))
                 .where(c.where(term))
                 .order_by(sa.func.abs(table.c.amount_ore).desc(), table.c.load_id, table.c.source_line).limit(limit))
        for r in connection.execute(query).mappings():
            found.append(Contribution(term.sign * int(r["amount"]), int(r["period"]), r.get("konto"), r.get("anslag"),
                                      r.get("ansvar") or None, r.get("projekt") or None,
                                      f"{r['vertyp']} {r['vernr']}" if "vertyp" in r else None,
                                      LoadRef(int(r["load_id"]), "", "")))
    found.sort(key=lambda x: (-abs(x.amount_ore), x.period))
    return found[:limit]


def _load_refs(connection: sa.Connection, load_ids: Iterable[int]) -> dict[int, LoadRef]:
    ids = sorted(set(load_ids))
    if not ids:
        return {}
    rows = connection.execute(sa.select(load_audit.c.load_id, load_audit.c.file_name, load_audit.c.sha256)
                              .where(load_audit.c.load_id.in_(ids)))
    return {int(r.load_id): LoadRef(int(r.load_id), r.file_name, r.sha256) for r in rows}


def _loads_of(connection: sa.Connection, c: Candidates, recipes: Iterable[Recipe | None]) -> set[int]:
    ids: set[int] = set()
    for recipe in recipes:
        for term in recipe or ():
            ids.update(_term_sums(connection, c, term)[2])
    return ids


# --------------------------------------------------------------------------- suite texts


def suite_of(result: ControlResult) -> ControlSuite:
    return next(s for s in load_control_suites() if s.group == result.group)


def _line_key(suite: ControlSuite, control_id: str) -> str:
    """The SQL's key of a line: the sheet's id, KK11's key, or ``konto:``/``info:`` + account."""
    if control_id in suite.lines:
        return control_id
    reverse = {v: k for k, v in suite.line_ids.items()}
    if control_id in reverse:
        return reverse[control_id]
    code = control_id.partition(":")[2]
    if suite.group == "KK05" and "9040" <= code <= "9059":
        return f"info:{code}"
    return f"{'grupp' if suite.group == 'KK11' else 'konto'}:{code}"


def _recipe(result: ControlResult) -> LineRecipe:
    suite = suite_of(result)
    try:
        return line_recipe(result, {v: k for k, v in suite.line_ids.items()})
    except KeyError:
        raise ValueError(f"Kontrollen {result.control_id} kan inte förklaras: dess beräkning saknas i "
                         "bokslut.lineage.control_values.") from None


def sql_path(suite: ControlSuite) -> str:
    return f"include/sql/{suite.sql_file}.sql"


def _kr(ore: int | None) -> str:
    return "–" if ore is None else f"{format_swedish(ore)} kr"


def rule_text(result: ControlResult, line: LineRecipe | None = None) -> str:
    """The line's source record in Swedish: rule, what is summed and compared, the SQL that computes it."""
    line = line or _recipe(result)
    suite = suite_of(result)
    text = f"Kontokontroll {result.control_id} {result.name}".strip()
    if result.rule:
        text += f" – {result.rule}"
    text += (f" Värde: {describe(line.value, result.period)}. Jämförs med: {describe(line.expected, result.period)}."
             f" Beräknas i {sql_path(suite)} (förväntningar i expectations/{suite.path.name}).")
    if line.null_without:
        text += f" Utan {SOURCE_TEXT[line.null_without]} har raden inget värde."
    return text


# --------------------------------------------------------------------------- explanations


def _subject(result: ControlResult, measure: str) -> str:
    subject = f"Kontokontroll {result.control_id} {result.name}".strip()
    if measure != "value":
        subject += f", {MEASURE_TEXT[measure]}"
    return f"{subject} (förvaltning {result.forvaltning}, period {result.period})"


def _shown(result: ControlResult, measure: str) -> int | None:
    return {"value": result.value_ore, "expected": result.expected_ore, "difference": result.difference_ore}[measure]


def _explain(connection: sa.Connection, c: Candidates, result: ControlResult, postings: int,
             measure: str = "value") -> Explanation:
    line = _recipe(result)
    figures = _recompute(connection, c, line)
    suite = suite_of(result)
    details = {"kontroll": result.control_id, "status": result.status_text}
    checks: dict[str, bool] = {}
    for m in MEASURES:
        shown, again = _shown(result, m), figures[m]
        if not (shown is None and again is None):
            checks[MEASURE_TEXT[m]] = shown == again
        verdict = "" if shown is None and again is None else " – stämmer" if shown == again else " – STÄMMER INTE"
        details[MEASURE_TEXT[m]] = f"{_kr(shown)} (omräknat {_kr(again)}{verdict})"
    details["sql"] = sql_path(suite)
    recipe = line.measure(measure)
    filter_text = suite.line(_line_key(suite, result.control_id), {})[1].get("offending_filter")
    contributions: list[Contribution] = []
    total = count = None
    if result.failed and filter_text and measure in ("value", "difference"):
        vouchers, count, ranking, total = offending_drilldown(
            connection, PeriodBounds(c.forvaltning, c.period), c.partitions["ledger"], filter_text,
            result.difference_ore, voucher_limit=postings)
        refs = _load_refs(connection, c.partitions["ledger"].values())
        for v in vouchers:
            kontos = {p.konto for p in v.postings}
            load = refs.get(c.partitions["ledger"].get(v.period, -1))
            contributions.append(Contribution(v.net_ore if ranking == "net" else v.contribution_ore, v.period,
                                              kontos.pop() if len(kontos) == 1 else None, None, None, None,
                                              f"{v.vertyp} {v.vernr}", load))
        if ranking == "net":
            details["underlag"] = "verifikationer enligt kontrollens urval för differensen, netto per verifikation"
        else:  # the filter's signed total is not what the listed amounts add up to
            details["underlag"] = "verifikationer enligt kontrollens urval, summa absoluta belopp per verifikation"
            total = None
    elif recipe:
        contributions = _top_rows(connection, c, recipe, postings)
        total, count = _evaluate(connection, c, recipe)
        details["underlag"] = "konteringar (rader) som bidrar mest till " + MEASURE_TEXT[measure]
    loads = _load_refs(connection, _loads_of(connection, c, (line.value, line.expected)))
    refs = _load_refs(connection, {x.load.load_id for x in contributions if x.load is not None})
    contributions = [replace(x, load=refs.get(x.load.load_id)) if x.load is not None else x for x in contributions]
    return Explanation(subject=_subject(result, measure), value=_shown(result, measure), unit="öre",
                       source=rule_text(result, line), details=details, recomputed=figures[measure],
                       loads=sorted(loads.values(), key=lambda r: r.load_id), contributions=contributions,
                       contributions_total_ore=total, contributions_count=count, checks=checks)


def _find(run: ControlRun, control_id: str) -> ControlResult:
    for result in run.results:
        if result.control_id.upper() == control_id.upper():
            return result
    raise ValueError(f"Okänd kontroll {control_id!r} för förvaltning {run.forvaltning} period {run.period}. "
                     f"Giltiga kontroller: {', '.join(r.control_id for r in run.results)}.")


def explain_control(engine: Engine, forvaltning: str, period: int, control_id: str, *, postings: int = 10) -> Explanation:
    """Run the Kontokontroller on the published data (the normal runner, not as the period's verdict)
    and explain ``control_id``."""
    run = run_controls(engine, forvaltning, int(period), verdict=False)
    result = _find(run, control_id)
    with engine.begin() as connection:  # begin: the drill-down's temporary table lives in a savepoint
        return _explain(connection, Candidates.of(connection, forvaltning, period), result, postings)


def explain_run(engine: Engine, run: ControlRun, *, staged_load_ids: Iterable[int] = (), postings: int = 10,
                control_ids: Iterable[str] | None = None) -> dict[str, Explanation]:
    """Explanations of a run's failing and warning lines (or of ``control_ids``), on the data the run saw.

    Call it before a staged load the run checked is published or rejected (its rows are then gone)."""
    wanted = None if control_ids is None else {i.upper() for i in control_ids}
    results = [r for r in run.results if (r.failed if wanted is None else r.control_id.upper() in wanted)]
    if not results:
        return {}
    with engine.begin() as connection:
        c = Candidates.of(connection, run.forvaltning, run.period, staged_load_ids)
        return {r.control_id: _explain(connection, c, r, postings) for r in results}


def recompute_run(engine: Engine, run: ControlRun, *, staged_load_ids: Iterable[int] = ()) -> dict[str, dict[str, int | None]]:
    """control id -> {value, expected, difference} recomputed from the raw rows (no listing)."""
    with engine.connect() as connection:
        c = Candidates.of(connection, run.forvaltning, run.period, staged_load_ids)
        return {r.control_id: _recompute(connection, c, _recipe(r)) for r in run.results}


# --------------------------------------------------------------------------- the Kontokontroller sheet


SHEET_MEASURES = {"value_shown": "value", "expected": "expected", "difference": "difference"}


def _sheet_cells(report, control_run: ControlRun):  # noqa: ANN001, ANN202 - reports.model.Report
    """(coordinate, row values, result, measure) of every numeric cell as ``reports.xlsx`` lays the report out."""
    from openpyxl.utils import get_column_letter

    from bokslut.reports.xlsx import FIRST_DATA_ROW

    by_id = {r.control_id: r for r in control_run.results}
    for row_no, row in enumerate(report.rows, start=FIRST_DATA_ROW):
        result = by_id.get(row.values.get("control_id"))
        for col_no, column in enumerate(report.columns, start=1):
            value = row.values.get(column.key)
            if result is None or column.key not in SHEET_MEASURES or isinstance(value, bool) or not isinstance(value, int):
                continue
            yield f"{get_column_letter(col_no)}{row_no}", column, value, result, SHEET_MEASURES[column.key]


def kontokontroller_sources(sheet_title: str, report, control_run: ControlRun) -> list[CellSource]:  # noqa: ANN001
    """One ``Källor`` row per numeric cell of the Kontokontroller sheet (values in kronor, as written)."""
    sources = []
    for coordinate, column, value, result, measure in _sheet_cells(report, control_run):
        source = rule_text(result)
        if measure != "value":
            source = f"{column.heading} för {result.control_id}. " + source
        sources.append(CellSource(sheet_title, coordinate, f"{result.control_id} {result.name}: {column.heading}".strip(),
                                  value / 100, source))
    return sources


def explain_kontokontroller_cell(engine: Engine, control_run: ControlRun, report, coordinate: str, *,  # noqa: ANN001
                                 postings: int = 10) -> Explanation:
    """The explanation of one numeric cell of the Kontokontroller sheet (value, expected or difference)."""
    wanted = coordinate.upper().replace("$", "")
    for cell, _column, _value, result, measure in _sheet_cells(report, control_run):
        if cell == wanted:
            with engine.begin() as connection:
                c = Candidates.of(connection, control_run.forvaltning, control_run.period)
                return _explain(connection, c, result, postings, measure)
    raise ValueError(f"Cellen {coordinate} på bladet Kontokontroller har inget belopp att förklara "
                     "(beloppen står i kolumnerna Värde, Förväntat och Differens).")
