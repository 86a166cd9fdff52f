"""Balansräkning and Resultaträkning: account hierarchy (4 → 3 → 2 digits) under layout sections.

The year's layout (``reports.layouts``) gives the section and total labels, which 2-digit groups
each section holds and which account levels are printed: the 2024 package prints accounts, 3- and
2-digit groups (``print_levels: [4, 3, 2]``, the default), the 2020 package only 2-digit groups.
Sums never depend on what is printed. Every row carries the source record of each amount: the
accounts under its prefixes (an account, a group, a section's groups, a total's sections) with the
column's periods and motpart class (``reports.sources``).
"""

from __future__ import annotations

from collections.abc import Callable

from bokslut.domain.accounts import AccountSet
from bokslut.lineage.selection import LedgerSelection
from bokslut.reports.figures import REPORT_COLUMNS, LedgerFigures
from bokslut.reports.layouts import LayoutError, borrowed_note, load_layout
from bokslut.reports.model import Column, Report, ReportRow
from bokslut.reports.sources import CounterpartySelection, FigureSource, source

ACCOUNT_COLUMNS = [
    Column("level", "Nivå", "int"),
    Column("account", "Konto", "text"),
    Column("name", "Benämning", "text"),
]
CLASS_HEADINGS = {"externt": "Externt", "stadens_bolag": "Stadens bolag", "internt": "Internt"}


ACCOUNT_LEVELS = (4, 3, 2)


def _checked(layout: dict) -> dict:
    """The rows this module reads, or a Swedish LayoutError naming the report, version and row."""
    where = f"Layouten för {layout['title']} (version {layout['version']})"
    for number, row in enumerate(layout["rows"], start=1):
        is_total = isinstance(row.get("total"), str)
        is_section = isinstance(row.get("section"), str) and isinstance(row.get("groups"), list) \
            and all(isinstance(g, int) and 10 <= g <= 99 for g in row["groups"])
        if not (is_total or is_section):
            raise LayoutError(f"{where}, rad {number}: ange antingen total: <rubrik> eller "
                              f"section: <rubrik> med groups: [tvåsiffriga kontogrupper].")
    levels = layout.get("print_levels", list(ACCOUNT_LEVELS))
    if not isinstance(levels, list) or not set(levels) <= set(ACCOUNT_LEVELS):
        raise LayoutError(f"{where}: print_levels ska vara en lista av 4, 3 och 2.")
    return layout


def _section_groups(layout: dict) -> dict[str, str]:
    """2-digit group -> section name."""
    return {f"{g:02d}": row["section"] for row in layout["rows"] if "section" in row for g in row["groups"]}


# Measures per account: a function (figures, konto) -> {column: öre}.
Measure = Callable[[LedgerFigures, str], dict[str, int]]
# Source records of a row summing the accounts under some prefixes: (prefixes) -> {column: record}.
Sources = Callable[[list[str]], dict[str, FigureSource]]


def _balance_sources(fig: LedgerFigures, all_externt: set[str], headings: dict[str, str]) -> Sources:
    """IB = period 00, Förändring = periods 01..P, UB = both; the UB class columns split by motpart
    (accounts of an all-externt group count wholly as Externt)."""
    first, last = fig.year * 100, fig.period

    def sources(prefixes: list[str]) -> dict[str, FigureSource]:
        every = AccountSet.prefixes(*prefixes)
        whole = [p for p in prefixes if p[:2] in all_externt]
        split = [p for p in prefixes if p[:2] not in all_externt]
        opening = LedgerSelection(fig.forvaltning, first, first, every)
        movement = LedgerSelection(fig.forvaltning, first + 1, last, every)
        ub = LedgerSelection(fig.forvaltning, first, last, every)
        result = {"ib": source(f"{headings['ib']} (ingående balans, period {first})", opening),
                  "change": source(f"{headings['change']} (periodens rörelse)", movement),
                  "ub_totalt": source(f"{headings['ub_totalt']} (IB + rörelse)", ub)}
        for column in REPORT_COLUMNS:
            terms = [CounterpartySelection(fig.forvaltning, first, last, AccountSet.prefixes(*split), report_column=column)] if split else []
            if column == "externt" and whole:
                terms.insert(0, LedgerSelection(fig.forvaltning, first, last, AccountSet.prefixes(*whole)))
            note = None if terms else "eget kapital redovisas helt som Externt"
            result[column] = source(f"{headings[column]} (IB + rörelse)", *terms, note=note)
        return result

    return sources


def _result_sources(fig: LedgerFigures, headings: dict[str, str]) -> Sources:
    """Drift (anslag D) movement of periods 01..P, split by the motpart's report column."""
    first, last = fig.year * 100 + 1, fig.period

    def sources(prefixes: list[str]) -> dict[str, FigureSource]:
        drift = AccountSet.prefixes(*prefixes, anslag="D")
        result = {c: source(f"{headings[c]} (periodens rörelse)",
                            CounterpartySelection(fig.forvaltning, first, last, drift, report_column=c)) for c in REPORT_COLUMNS}
        result["totalt"] = source(f"{headings['totalt']} (periodens rörelse)", LedgerSelection(fig.forvaltning, first, last, drift))
        return result

    return sources


def _balance_measure(all_externt: set[str]) -> Measure:
    def measure(fig: LedgerFigures, konto: str) -> dict[str, int]:
        values = {"ib": 0, "change": 0, **{c: 0 for c in REPORT_COLUMNS}}
        for (k, _anslag, column), (opening, movement) in fig.balances.items():
            if k != konto:
                continue
            values["ib"] += opening
            values["change"] += movement
            values["externt" if konto[:2] in all_externt else column] += opening + movement
        values["ub_totalt"] = values["ib"] + values["change"]
        return values

    return measure


def _result_measure(fig: LedgerFigures, konto: str) -> dict[str, int]:
    values = {c: 0 for c in REPORT_COLUMNS}
    for (k, anslag, column), (_opening, movement) in fig.balances.items():
        if k == konto and anslag == "D":
            values[column] += movement
    values["totalt"] = sum(values.values())
    return values


def _build(fig: LedgerFigures, layout: dict, columns: list[Column], measure: Measure,
           printed: set[str], period_from: int, sources: Sources) -> Report:
    amount_keys = [c.key for c in columns if c.kind == "amount"]
    printed_levels = set(layout.get("print_levels", ACCOUNT_LEVELS))
    report = Report(layout["key"], layout["title"], fig.forvaltning, period_from, fig.period, columns)
    if note := borrowed_note(layout, fig.year):  # a year before the first version: said, not hidden
        report.notes.append(note)
    by_group: dict[str, list[str]] = {}
    sections = _section_groups(layout)
    for konto in sorted(printed):
        by_group.setdefault(konto[:2], []).append(konto)
    outside = sorted(k for k in printed if k[:2] not in sections)
    if outside:
        report.notes.append("Konton utanför rapportens avsnitt (kontrollera kontoplanen): " + ", ".join(outside))

    def add(sum_to: dict[str, int], values: dict[str, int]) -> None:
        for key in amount_keys:
            sum_to[key] = sum_to.get(key, 0) + values.get(key, 0)

    since_total: dict[str, int] = {}
    running: dict[str, int] = {}
    # The groups each total sums, for its source record (a total sums sections, sections groups).
    groups_since_total: list[str] = []
    groups_running: list[str] = []
    for item in layout["rows"]:
        if "total" in item:
            totals = running if layout.get("running_totals") else since_total
            summed = groups_running if layout.get("running_totals") else groups_since_total
            report.rows.append(ReportRow("total", {"level": 0, "account": "", "name": item["total"], **totals}, 0,
                                         sources=sources(list(summed))))
            since_total = {}
            groups_since_total = []
            continue
        section_groups = [f"{g:02d}" for g in item["groups"]]
        groups_since_total += section_groups
        groups_running += section_groups
        section_row = ReportRow("section", {"level": 1, "account": "", "name": item["section"]}, 1,
                                sources=sources(section_groups))
        report.rows.append(section_row)
        section_sum: dict[str, int] = {}
        for group in (f"{g:02d}" for g in item["groups"]):
            group_sum: dict[str, int] = {}
            accounts = by_group.get(group, [])
            for sub in sorted({k[:3] for k in accounts}):
                sub_sum: dict[str, int] = {}
                for konto in (k for k in accounts if k[:3] == sub):
                    values = measure(fig, konto)
                    if 4 in printed_levels:
                        report.rows.append(ReportRow("account", {"level": 4, "account": konto, "name": fig.name(konto), **values}, 4,
                                                     sources=sources([konto])))
                    add(sub_sum, values)
                if 3 in printed_levels:
                    report.rows.append(ReportRow("group", {"level": 3, "account": sub, "name": fig.name(sub), **sub_sum}, 3,
                                                 sources=sources([sub])))
                add(group_sum, sub_sum)
            if accounts and 2 in printed_levels:  # a group without accounts is not printed
                report.rows.append(ReportRow("group", {"level": 2, "account": group, "name": fig.name(group), **group_sum}, 2,
                                             sources=sources([group])))
            add(section_sum, group_sum)
        section_row.values.update({k: section_sum.get(k, 0) for k in amount_keys})
        add(since_total, section_sum)
        add(running, section_sum)
    return report


def balansrakning(fig: LedgerFigures) -> Report:
    layout = _checked(load_layout("balansrakning", fig.year))
    all_externt = {f"{g:02d}" for row in layout["rows"] if row.get("all_externt") for g in row["groups"]}
    columns = ACCOUNT_COLUMNS + [
        Column("ib", "IB"), Column("change", "Förändring"),
        *(Column(c, f"UB {h}") for c, h in CLASS_HEADINGS.items()), Column("ub_totalt", "UB Totalt"),
    ]
    balance_groups = set(_section_groups(layout))
    printed = {k for k in fig.fixed_accounts if k[:2] in balance_groups}
    printed |= {k for k in fig.accounts() if k[0] in "12"}
    headings = {c.key: c.heading for c in columns}
    return _build(fig, layout, columns, _balance_measure(all_externt), printed, fig.year * 100,
                  _balance_sources(fig, all_externt, headings))


def resultatrakning(fig: LedgerFigures) -> Report:
    layout = _checked(load_layout("resultatrakning", fig.year))
    columns = ACCOUNT_COLUMNS + [*(Column(c, h) for c, h in CLASS_HEADINGS.items()), Column("totalt", "Totalt")]
    result_groups = set(_section_groups(layout))
    printed = {k for k in fig.fixed_accounts if k[:2] in result_groups}
    # Every drift account of classes 3–8 is printed; one outside the sections is named in a note
    # rather than dropped. 89xx (transfer of the year's result) is outside the report by design.
    printed |= {k for (k, anslag, _c) in fig.balances if anslag == "D" and k[0] in "345678" and k[:2] != "89"}
    return _build(fig, layout, columns, _result_measure, printed, fig.year * 100 + 1,
                  _result_sources(fig, {c.key: c.heading for c in columns}))
