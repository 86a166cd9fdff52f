"""Budgetavräkning, Anläggningsinformation and Anläggnings- och rörelsekapital: row-based reports.

Each row of the layout names a measure; the measures are small sums over the shared per-account
figures, so the three reports and the Kontokontroller agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bokslut.domain import accounts as chart  # the named account sets
from bokslut.domain.accounts import AccountSet
from bokslut.reports.figures import LedgerFigures
from bokslut.reports.layouts import LayoutError, borrowed_note, load_layout
from bokslut.reports.model import NOT_DELIVERED, Column, Report, ReportRow
from bokslut.reports.statement_sources import anl_rorelsekapital_sources, anlaggning_sources, budget_sources, deviation

ROW_COLUMNS = [
    Column("source_line", "Rad i stadens mall", "int"),
    Column("section", "Avsnitt", "text"),
    Column("row", "Rad", "text"),
]


def _where(layout: dict) -> str:
    return f"Layouten för {layout['title']} (version {layout['version']})"


def _require(layout: dict, *keys: str) -> dict:
    """The layout, or a Swedish LayoutError when a key this report reads is missing."""
    missing = [k for k in keys if k not in layout]
    if missing:
        raise LayoutError(f"{_where(layout)}: {', '.join(missing)} saknas.")
    return layout


def _check_rows(layout: dict, measures: Iterable[str], *, sources: tuple[str, ...] = (),
                fields: tuple[str, ...] = ("line", "section", "row")) -> None:
    """Every row names its printed fields and a measure this report computes (or another source)."""
    known = set(measures)
    for number, item in enumerate(layout["rows"], start=1):
        missing = [k for k in fields if k not in item]
        if missing:
            raise LayoutError(f"{_where(layout)}, rad {number}: {', '.join(missing)} saknas.")
        if not any(source in item for source in sources) and item.get("measure") not in known:
            raise LayoutError(f"{_where(layout)}, rad {number}: okänt mått {item.get('measure')!r}; "
                              f"kända mått: {', '.join(sorted(known))}.")


def budget_version(year: int) -> str:
    """The budget version the year's Budgetavräkning compares with (BJ in both packages)."""
    return str(_require(load_layout("budgetavrakning", year), "budget_version")["budget_version"])


@dataclass
class LedgerMeasures:
    """The named sums the reports and controls are built from (öre)."""

    fig: LedgerFigures

    def of(self, accounts: AccountSet) -> int:
        """The period's movement on ``accounts`` (its Anslag, if it has one)."""
        return self.fig.total(anslag=accounts.anslag, predicate=lambda k: accounts.contains(k, accounts.anslag))

    # Resultaträkning lines
    @property
    def rr_intakter(self) -> int:
        return self.of(chart.VERKSAMHETENS_INTAKTER_RR)

    @property
    def rr_kostnader(self) -> int:
        return self.of(chart.VERKSAMHETENS_KOSTNADER)

    @property
    def rr_avskrivningar(self) -> int:
        return self.of(chart.AVSKRIVNINGAR)

    @property
    def rr_finansiella_intakter(self) -> int:
        return self.of(chart.FINANSIELLA_INTAKTER)

    @property
    def rr_finansiella_kostnader(self) -> int:
        return self.of(chart.FINANSIELLA_KOSTNADER)

    @property
    def rr_internranta(self) -> int:
        return self.of(chart.INTERNRANTA)

    @property
    def rr_arets_resultat(self) -> int:
        return self.of(chart.ARETS_RESULTAT)

    # Investment (Anslag I)
    @property
    def investering_utgifter(self) -> int:
        return self.of(chart.INVESTERING_UTGIFTER)

    @property
    def investering_inkomster(self) -> int:
        return self.of(chart.INVESTERING_INKOMSTER)

    @property
    def aktiverat(self) -> int:
        return self.of(chart.AKTIVERAT)

    # Balance sheet
    def balance(self, predicate: Callable[[str], bool], *, opening: bool, movement: bool) -> int:
        return self.fig.total(predicate=predicate, opening=opening, movement=movement)

    @property
    def eget_kapital_ib(self) -> int:
        return self.balance(chart.EGET_KAPITAL.contains, opening=True, movement=False)

    @property
    def eget_kapital_change(self) -> int:
        return self.balance(chart.EGET_KAPITAL.contains, opening=False, movement=True)

    @property
    def interna_utbetalningar(self) -> int:
        return self.of(chart.INTERNA_UTBETALNINGAR)


# ---------------------------------------------------------------- Budgetavräkning


def budgetavrakning(fig: LedgerFigures, budget: dict[tuple[str, str], int] | None) -> Report:
    layout = _require(load_layout("budgetavrakning", fig.year), "budget_version")
    m = LedgerMeasures(fig)

    def budget_sum(predicate: Callable[[str, str], bool]) -> int | str:
        if budget is None:
            return NOT_DELIVERED
        return sum(v for (konto, anslag), v in budget.items() if predicate(konto, anslag))

    def budget_of(accounts: AccountSet) -> int | str:
        return budget_sum(accounts.contains)

    def accounts(name: str) -> set[str]:
        return {str(k) for k in layout.get(name, [])}

    def configured(name: str, anslag: str | None) -> tuple[int | str, int]:
        konton = accounts(name)
        return (budget_sum(lambda k, a: k in konton and (anslag is None or a == anslag)),
                m.fig.total(anslag=anslag, predicate=lambda k: k in konton))

    rows: dict[str, tuple[int | str, int]] = {}
    rows["drift_och_underhall"] = (
        budget_of(chart.DRIFT_OCH_UNDERHALL),
        m.rr_kostnader + m.rr_finansiella_kostnader - m.rr_internranta,
    )
    rows["avskrivningar"] = (budget_of(chart.AVSKRIVNINGAR), m.rr_avskrivningar)
    rows["internranta"] = (budget_of(chart.INTERNRANTA), m.rr_internranta)
    rows["kostnader"] = _sum_rows(rows, "drift_och_underhall", "avskrivningar", "internranta")
    rows["verksamhetens_intakter"] = (budget_of(chart.VERKSAMHETENS_INTAKTER), m.rr_intakter + m.rr_finansiella_intakter)
    rows["intaktsford_investeringsinkomst"] = configured("intaktsford_investeringsinkomst_konton", "D")
    rows["intakter"] = _sum_rows(rows, "verksamhetens_intakter", "intaktsford_investeringsinkomst")
    rows["summa_drift"] = _sum_rows(rows, "kostnader", "intakter")
    rows["investering_utgifter"] = (
        budget_of(chart.INVESTERING_UTGIFTER), m.investering_utgifter)
    rows["investering_inkomster"] = (budget_of(chart.INVESTERING_INKOMSTER), m.investering_inkomster)
    rows["summa_investering"] = _sum_rows(rows, "investering_utgifter", "investering_inkomster")
    rows["exploateringsinkomster"] = (configured("exploateringsinkomst_konton", None)[0], 0)
    rows["investering_netto"] = _sum_rows(rows, "summa_investering", "exploateringsinkomster")
    rows["forsaljningsbeting"] = (configured("forsaljningsbeting_konton", None)[0], 0)

    columns = ROW_COLUMNS + [
        Column("budget_inkl_budgetjust", "Budget inkl. budgetjusteringar"),
        Column("utfall", "Utfall"),
        Column("avvikelse", "Avvikelse"),
        Column("derivation", "Beräkning", "text"),
    ]
    _check_rows(layout, rows, fields=("line", "section", "row", "derivation"))
    report = Report(layout["key"], layout["title"], fig.forvaltning, fig.year * 100 + 1, fig.period, columns)
    if note := borrowed_note(layout, fig.year):  # a year before the first version: said, not hidden
        report.notes.append(note)
    sources = budget_sources(fig, layout, budget is not None)
    for item in layout["rows"]:
        planned, actual = rows[item["measure"]]
        difference = planned - actual if isinstance(planned, int) else NOT_DELIVERED
        planned_source, actual_source = sources[item["measure"]]
        report.rows.append(ReportRow("line", {
            "source_line": item["line"], "section": item["section"], "row": item["row"],
            "budget_inkl_budgetjust": planned, "utfall": actual, "avvikelse": difference,
            "derivation": item["derivation"],
        }, sources={"budget_inkl_budgetjust": planned_source, "utfall": actual_source,
                    "avvikelse": deviation(planned_source, actual_source)}))
    if budget is None:
        report.notes.append(f"Budgetversion {layout['budget_version']} är inte inläst: budgetkolumnen är tom.")
    return report


def _add(a: int | str, b: int | str) -> int | str:
    return a + b if isinstance(a, int) and isinstance(b, int) else NOT_DELIVERED


def _sum_rows(rows: dict[str, tuple[int | str, int]], *names: str) -> tuple[int | str, int]:
    planned: int | str = 0
    actual = 0
    for name in names:
        planned = _add(planned, rows[name][0])
        actual += rows[name][1]
    return planned, actual


# ---------------------------------------------------------------- Anläggningsinformation


def anlaggning(fig: LedgerFigures, register: list | None) -> Report:
    layout = _require(load_layout("anlaggning", fig.year), "columns", "depreciation_groups")
    column_specs: dict[str, dict] = layout["columns"]

    def column_of(konto: str) -> str | None:
        for key, spec in column_specs.items():
            if any(konto.startswith(p) for p in spec["prefixes"]) and not any(
                konto.startswith(x) for x in spec.get("exclude", [])
            ):
                return key
        return None

    def is_depreciation(konto: str) -> bool:
        return konto[:2] in layout["depreciation_groups"] and konto[3] == "9"

    hb: dict[str, dict[str, int]] = {key: {} for key in column_specs}
    for key in column_specs:
        in_column = lambda k, key=key: column_of(k) == key  # noqa: E731
        for kind, pred in (("anskaffning", lambda k: in_column(k) and not is_depreciation(k)),
                           ("avskrivning", lambda k: in_column(k) and is_depreciation(k))):
            hb[key][f"ib_{kind}"] = fig.total(predicate=pred, opening=True, movement=False)
            hb[key][f"change_{kind}"] = fig.total(predicate=pred, opening=False, movement=True)
            hb[key][f"ub_{kind}"] = hb[key][f"ib_{kind}"] + hb[key][f"change_{kind}"]
        hb[key]["bokfort_varde"] = hb[key]["ub_anskaffning"] + hb[key]["ub_avskrivning"]
        hb[key]["change_huvudbok"] = hb[key]["change_anskaffning"] + hb[key]["change_avskrivning"]

    by_type: dict[tuple[str, str], int] = {}
    unplaced: set[str] = set()
    for row in register or []:
        key = column_of(row.konto)
        if key is None:
            unplaced.add(row.konto)
            continue
        by_type[(key, row.transaktionstyp)] = by_type.get((key, row.transaktionstyp), 0) + int(row.amount_ore)

    def register_value(key: str, types: list[str] | str) -> int | str:
        if register is None:
            return NOT_DELIVERED
        return sum(v for (k, t), v in by_type.items() if k == key and (types == "all" or t in types))

    columns = ROW_COLUMNS + [Column(key, spec["heading"]) for key, spec in column_specs.items()]
    _check_rows(layout, {m for values in hb.values() for m in values} | {"diff_hb_anl"}, sources=("register",))
    report = Report(layout["key"], layout["title"], fig.forvaltning, fig.year * 100, fig.period, columns)
    if note := borrowed_note(layout, fig.year):  # a year before the first version: said, not hidden
        report.notes.append(note)
    record = anlaggning_sources(fig, layout, register is not None)
    for item in layout["rows"]:
        values: dict[str, int | str | None] = {"source_line": item["line"], "section": item["section"], "row": item["row"]}
        measure = f"register:{item['line']}" if "register" in item else item["measure"]
        sources = {key: record[(measure, key)] for key in column_specs}
        for key in column_specs:
            if "register" in item:
                values[key] = register_value(key, item["register"])
            elif item["measure"] == "diff_hb_anl":
                anl = register_value(key, "all")
                values[key] = hb[key]["change_huvudbok"] - anl if isinstance(anl, int) else NOT_DELIVERED
            else:
                values[key] = hb[key][item["measure"]]
        report.rows.append(ReportRow("line", values, sources=sources))
    if register is None:
        report.notes.append("Anläggningsreskontran är inte levererad: reskontrablocket och avstämningen visas inte.")
    if unplaced:
        report.notes.append("Reskontrakonton utanför rapportens kolumner: " + ", ".join(sorted(unplaced)))
    return report


# ---------------------------------------------------------------- Anläggnings- och rörelsekapital


def anl_rorelsekapital(fig: LedgerFigures, treasury: list | None) -> Report:
    layout = _require(load_layout("anl_rorelsekapital", fig.year), "resultatfond_prefixes")
    m = LedgerMeasures(fig)
    resultatfond_prefixes = tuple(layout["resultatfond_prefixes"])
    v: dict[str, int | str] = {}
    v["ingaende_balans"] = -m.eget_kapital_ib
    v["drift_intakter"] = m.rr_intakter + m.rr_finansiella_intakter
    v["drift_kostnader"] = m.rr_kostnader + m.rr_avskrivningar + m.rr_finansiella_kostnader
    v["drift_summa"] = v["drift_intakter"] + v["drift_kostnader"]
    v["investering_inkomster"] = m.investering_inkomster
    v["investering_utgifter"] = m.investering_utgifter
    v["investering_summa"] = m.investering_inkomster + m.investering_utgifter
    v["totalt"] = v["drift_summa"] + v["investering_summa"]
    v["interna_utbetalningar"] = m.interna_utbetalningar
    v["resultatfond"] = fig.total(predicate=lambda k: k.startswith(resultatfond_prefixes))
    treasury_by_type = {r.transaktionstyp: int(r.amount_ore) for r in treasury or []}
    if treasury is None:
        v["stadskassan_summa"] = m.eget_kapital_change - v["resultatfond"] - v["drift_summa"]
    else:
        v["stadskassan_summa"] = sum(treasury_by_type.values()) + v["interna_utbetalningar"]
    v["fordran_skuld"] = v["drift_summa"] + v["stadskassan_summa"]
    v["arets_forandring"] = v["fordran_skuld"] + v["resultatfond"]
    v["utgaende_balans"] = v["ingaende_balans"] - v["arets_forandring"]

    columns = ROW_COLUMNS + [Column("belopp", "Belopp"), Column("derivation", "Beräkning", "text")]
    _check_rows(layout, v, sources=("treasury",), fields=("line", "section", "row", "derivation"))
    report = Report(layout["key"], layout["title"], fig.forvaltning, fig.year * 100, fig.period, columns)
    if note := borrowed_note(layout, fig.year):  # a year before the first version: said, not hidden
        report.notes.append(note)
    record = anl_rorelsekapital_sources(fig, layout, treasury is not None)
    for item in layout["rows"]:
        if "treasury" in item:
            amount = NOT_DELIVERED if treasury is None else treasury_by_type.get(item["treasury"], 0)
        else:
            amount = v[item["measure"]]
        measure = f"treasury:{item['treasury']}" if "treasury" in item else item["measure"]
        report.rows.append(ReportRow("line", {
            "source_line": item["line"], "section": item["section"], "row": item["row"],
            "belopp": amount, "derivation": item["derivation"],
        }, sources={"belopp": record[measure]}))
    if treasury is None:
        report.notes.append(
            "Stadskassans underlag är inte levererat: externa in- och utbetalningar visas inte och "
            "Summa är härledd ur förändringen av eget kapital."
        )
    return report
