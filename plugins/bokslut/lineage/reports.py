"""Explanations of ledger report figures: a line's amounts, a cell of a report sheet, the Källor rows.

Every amount a report holds carries a source record (``ReportRow.sources``, built with the report,
``bokslut.reports.sources``). Here the record is re-run against the raw published rows (``posting``,
``budget``, ``asset_register``, ``treasury``), never the aggregate the report read, so the
recomputed value is an independent second path to the same figure, and the rows adding most are
listed with period, file, SHA-256 and load id.

``report_sheet_sources`` needs no database: it states the records of a sheet written by
``reports.xlsx.add_report_sheet`` cell by cell, for the ``Källor`` sheet.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace

import sqlalchemy as sa
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException
from sqlalchemy.engine import Engine

from bokslut.lineage import selection as sel
from bokslut.lineage.model import CellSource, Contribution, Explanation, LoadRef
from bokslut.money import ore_to_decimal
from bokslut.reports.model import Report, ReportRow
from bokslut.reports.sources import CounterpartySelection, ExtractSelection, FigureSource, Term
from bokslut.warehouse.schema import counterparty_class, load_audit

__all__ = ["check_report", "explain_figure", "explain_report_cell", "explain_report_line", "find_row",
           "recompute", "report_sheet_sources", "term_totals"]

MISSING_SOURCE = "källuppgift saknas för raden"


# ----------------------------------------------------------------------------- labels and cells


def row_label(row: ReportRow) -> str:
    """Swedish: what a row is, as finance finds it on the sheet ("1210 Maskiner", "rad 1882 Drift: Summa")."""
    v = row.values
    if v.get("account") not in (None, ""):
        return f"{v['account']} {v.get('name') or ''}".strip()
    if v.get("source_line") is not None:
        return f"rad {v['source_line']} {v.get('section')}: {v.get('row')}"
    if v.get("control_id"):
        return f"{v['control_id']} {v.get('swedish_name') or ''}".strip()
    return str(v.get("name") or v.get("row") or "")


def _fallback(row: ReportRow) -> str:
    control = row.values.get("control_id")
    if control:  # the Kontokontroller sheet: its explanation is the control's
        return f"Kontokontroll {control}: se 'bokslut explain --control {control}'"
    return MISSING_SOURCE


def _source_text(row: ReportRow, key: str) -> str:
    record = row.sources.get(key)
    return record.describe() if record is not None else _fallback(row)


def _amount_cells(report: Report) -> Iterable[tuple[int, ReportRow, int, str]]:
    """(sheet row, row, sheet column, column key) of every filled amount cell, as add_report_sheet lays them out."""
    from bokslut.reports.xlsx import FIRST_DATA_ROW

    for row_no, row in enumerate(report.rows, start=FIRST_DATA_ROW):
        for col_no, column in enumerate(report.columns, start=1):
            value = row.values.get(column.key)
            if column.kind == "amount" and value is not None and value != "":
                yield row_no, row, col_no, column.key


def report_sheet_sources(sheet_title: str, report: Report) -> list[CellSource]:
    """One Källor row per filled amount cell of ``report`` on a sheet titled ``sheet_title`` (no query)."""
    headings = {c.key: c.heading for c in report.columns}
    out = []
    for row_no, row, col_no, key in _amount_cells(report):
        value = row.values[key]
        out.append(CellSource(sheet_title, f"{get_column_letter(col_no)}{row_no}", f"{row_label(row)} – {headings[key]}",
                              float(ore_to_decimal(value)) if isinstance(value, int) else value, _source_text(row, key)))
    return out


# ----------------------------------------------------------------------------- running the records


def _extract_total(engine: Engine, term: ExtractSelection) -> tuple[int, int]:
    table = term.table
    query = sa.select(sa.func.coalesce(sa.func.sum(table.c.amount_ore), 0), sa.func.count()).where(term.where())
    with engine.connect() as connection:
        amount, rows = connection.execute(query).one()
    return term.sign * int(amount), int(rows)


def _extract_top(engine: Engine, term: ExtractSelection, limit: int) -> list[Contribution]:
    table = term.table
    konto = table.c.konto if "konto" in table.c else sa.null()
    query = (sa.select(table.c.amount_ore, table.c.period, konto.label("konto"), table.c.load_id,
                       load_audit.c.file_name, load_audit.c.sha256)
             .join(load_audit, load_audit.c.load_id == table.c.load_id).where(term.where())
             .order_by(sa.func.abs(table.c.amount_ore).desc(), table.c.load_id, table.c.source_line).limit(limit))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [Contribution(term.sign * int(r.amount_ore), int(r.period), r.konto,
                         load=LoadRef(int(r.load_id), r.file_name, r.sha256)) for r in rows]


def _extract_loads(engine: Engine, term: ExtractSelection) -> list[LoadRef]:
    table = term.table
    query = (sa.select(load_audit.c.load_id, load_audit.c.file_name, load_audit.c.sha256)
             .where(load_audit.c.load_id.in_(sa.select(table.c.load_id).where(term.where()).distinct()))
             .order_by(load_audit.c.load_id))
    with engine.connect() as connection:
        return [LoadRef(int(r.load_id), r.file_name, r.sha256) for r in connection.execute(query)]


def term_total(engine: Engine, term: Term) -> tuple[int, int]:
    return _extract_total(engine, term) if isinstance(term, ExtractSelection) else sel.total(engine, term)


def term_top(engine: Engine, term: Term, limit: int) -> list[Contribution]:
    return _extract_top(engine, term, limit) if isinstance(term, ExtractSelection) else sel.top_rows(engine, term, limit)


def term_loads(engine: Engine, term: Term) -> list[LoadRef]:
    return _extract_loads(engine, term) if isinstance(term, ExtractSelection) else sel.loads(engine, term)


def term_totals(engine: Engine, terms: Iterable[Term]) -> dict[Term, tuple[int, int]]:
    """(signed sum, rows) of each distinct selection, one query each (many cells share selections).

    A ``SUM(CASE ...)`` over many selections per scan was tried and is slower: every row pays
    for every condition, where a single selection uses the index on the account when there is one.
    """
    totals: dict[Term, tuple[int, int]] = {}
    for term in terms:
        if term not in totals:
            totals[term] = term_total(engine, term)
    return totals


def check_report(engine: Engine, report: Report) -> list[str]:
    """Every amount cell of ``report`` recomputed from its record; Swedish lines for those that differ
    or have no record (empty: every figure explains itself)."""
    problems = []
    cells = [(row, key) for _r, row, _c, key in _amount_cells(report)]
    totals = term_totals(engine, (t for row, key in cells if key in row.sources for t in row.sources[key].terms))
    for row, key in cells:
        record = row.sources.get(key)
        if record is None:
            problems.append(f"{report.title}, {row_label(row)}, {key}: {MISSING_SOURCE}")
            continue
        value = row.values[key]
        recomputed, _rows = recompute(record, totals)
        if recomputed is None and isinstance(value, str):
            continue  # "ej levererad" on both sides
        if recomputed != value:
            problems.append(f"{report.title}, {row_label(row)}, {key}: rapporten {value}, omräknat {recomputed} "
                            f"({record.describe()})")
    return problems


def recompute(record: FigureSource, totals: dict[Term, tuple[int, int]]) -> tuple[int | None, int]:
    """(recomputed value, rows) of ``record`` from term totals; None when it cannot be recomputed."""
    if not record.delivered:
        return None, 0
    return sum(totals[t][0] for t in record.terms), sum(totals[t][1] for t in record.terms)


# ----------------------------------------------------------------------------- explanations


def _counterparty_ranges(engine: Engine) -> str:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(counterparty_class.c.range_from, counterparty_class.c.range_to,
                                            counterparty_class.c.report_column)
                                  .order_by(counterparty_class.c.range_from)).all()
    ranges = "; ".join(f"{r.range_from}–{r.range_to} {r.report_column}" for r in rows)
    return f"fyrsiffrig motpart i intervallen {ranges}; övriga externt"


def explain_figure(engine: Engine, report: Report, row: ReportRow, key: str, *, postings: int = 10) -> Explanation:
    """The explanation of the amount in column ``key`` of ``row``: its record re-run against the raw rows."""
    heading = next(c.heading for c in report.columns if c.key == key)
    label = row_label(row)
    subject = (f"{report.title}, förvaltning {report.forvaltning}, period {report.period_from}–{report.period_to}, "
               f"{label}, kolumn {heading}")
    value = row.values.get(key)
    record: FigureSource | None = row.sources.get(key)  # type: ignore[assignment]
    details = {"rapport": f"{report.title} ({report.key})", "rad": label, "kolumn": heading}
    if record is None:
        return Explanation(subject, value, "öre", _fallback(row), details)
    details["mått"] = record.measure
    for number, term in enumerate(record.terms, start=1):
        sign = "" if term.sign == 1 else ("minus " if term.sign == -1 else f"{term.sign} × ")
        details["urval" if len(record.terms) == 1 else f"del {number}"] = sign + replace(term, sign=1).describe()
    if record.budget_version:
        details["budgetversion"] = record.budget_version
    if any(isinstance(t, CounterpartySelection) for t in record.terms):
        details["motpartsklasser"] = _counterparty_ranges(engine)
    if record.note:
        details["anmärkning"] = record.note
    explanation = Explanation(subject, value, "öre", record.describe(), details)
    if not record.delivered:
        return explanation  # "ej levererad": nothing to recompute
    totals = {t: term_total(engine, t) for t in record.terms}
    explanation.recomputed, explanation.contributions_count = recompute(record, totals)
    explanation.contributions_total_ore = explanation.recomputed
    loads: dict[int, LoadRef] = {}
    contributions: list[Contribution] = []
    for term in record.terms:
        if totals[term][1]:
            loads.update((load.load_id, load) for load in term_loads(engine, term))
            contributions += term_top(engine, term, postings)  # amounts carry the term's sign
    explanation.loads = [loads[k] for k in sorted(loads)]
    explanation.contributions = sorted(contributions, key=lambda c: -abs(c.amount_ore))[:postings]
    return explanation


def _norm(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def find_row(report: Report, line: str) -> ReportRow:
    """The row named by ``line``: an account or group code, a line number of the city's template, a
    control id, or the row's label. A Swedish ValueError lists close matches when none or several fit."""
    wanted = _norm(line)
    codes = [r for r in report.rows if wanted in (_norm(r.values.get(k)) for k in ("account", "source_line", "control_id")
                                                   if r.values.get(k) not in (None, ""))]
    if len(codes) == 1:
        return codes[0]

    def names(r: ReportRow) -> list[str]:
        v = r.values
        texts = [v.get("name"), v.get("row"), v.get("swedish_name"), row_label(r)]
        if v.get("section") and v.get("row"):
            texts.append(f"{v['section']}: {v['row']}")
        return [_norm(t) for t in texts if t not in (None, "")]

    hits = codes or [r for r in report.rows if wanted in names(r)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "; ".join(row_label(r) for r in hits[:12])
        raise ValueError(f"Raden '{line}' är inte entydig i {report.title}: {len(hits)} rader passar ({listed}). "
                         f"Ange kontot eller radnumret.")
    candidates = {}
    for r in report.rows:
        for text in names(r) + [_norm(r.values.get(k)) for k in ("account", "source_line") if r.values.get(k) not in (None, "")]:
            candidates.setdefault(text, row_label(r))
    close = difflib.get_close_matches(wanted, list(candidates), n=5, cutoff=0.6)
    hint = ("; närmast: " + ", ".join(dict.fromkeys(candidates[c] for c in close))) if close else ""
    raise ValueError(f"Raden '{line}' finns inte i {report.title} för förvaltning {report.forvaltning} "
                     f"period {report.period_to}{hint}. Ange ett konto (t.ex. 1210), radnummer eller radens namn.")


def _amount_keys(report: Report, column: str | None) -> list[str]:
    keys = [c for c in report.columns if c.kind == "amount"]
    if column is None:
        return [c.key for c in keys]
    for c in keys:
        if _norm(column) in (_norm(c.key), _norm(c.heading)):
            return [c.key]
    raise ValueError(f"Kolumnen '{column}' finns inte i {report.title}; välj bland "
                     + ", ".join(f"{c.key} ({c.heading})" for c in keys) + ".")


def explain_report_line(engine: Engine, forvaltning: str, period: int, report_key: str, line: str, *,
                        column: str | None = None, postings: int = 10) -> list[Explanation]:
    """One explanation per amount column of the line (only ``column`` when given) of a ledger report
    built the normal way for ``forvaltning`` and ``period``."""
    from bokslut.reports.published import require_published
    from bokslut.reports.ledger import REPORT_NAMES, build_report

    if report_key not in REPORT_NAMES:
        close = difflib.get_close_matches(report_key, REPORT_NAMES, n=1)
        hint = f" Menade du {close[0]}?" if close else ""
        raise ValueError(f"Okänd rapport '{report_key}': välj bland {', '.join(REPORT_NAMES)}.{hint}")
    require_published(engine, forvaltning, period)
    report = build_report(engine, report_key, forvaltning, period)
    row = find_row(report, line)
    keys = _amount_keys(report, column)
    return [explain_figure(engine, report, row, key, postings=postings) for key in keys
            if row.values.get(key) not in (None, "")] or [Explanation(
                f"{report.title}, {row_label(row)}", None, None, "raden har inga belopp (en rubrik)")]


def explain_report_cell(engine: Engine, report: Report, coordinate: str, *, postings: int = 10) -> Explanation:
    """The explanation of a cell of the sheet ``reports.xlsx.add_report_sheet`` writes for ``report``."""
    from bokslut.reports.xlsx import FIRST_DATA_ROW

    try:
        letters, number = coordinate_from_string(coordinate.upper())
        col_no = column_index_from_string(letters)
    except (ValueError, CellCoordinatesException):  # openpyxl's is no ValueError ("E8:E9", "E")
        raise ValueError(f"Ogiltig cell '{coordinate}': ange t.ex. E8.") from None
    index = number - FIRST_DATA_ROW
    if not (0 <= index < len(report.rows)) or col_no > len(report.columns):
        raise ValueError(f"Cellen {coordinate} ligger utanför tabellen i {report.title} "
                         f"(rader {FIRST_DATA_ROW}–{FIRST_DATA_ROW + len(report.rows) - 1}, "
                         f"kolumner A–{get_column_letter(len(report.columns))}).")
    column = report.columns[col_no - 1]
    row = report.rows[index]
    if column.kind != "amount" or row.values.get(column.key) in (None, ""):
        raise ValueError(f"Cellen {coordinate} i {report.title} är inget belopp ({column.heading}, {row_label(row)}).")
    return explain_figure(engine, report, row, column.key, postings=postings)
