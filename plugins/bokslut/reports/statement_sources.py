"""Source records of the row-based reports (Budgetavräkning, Anläggningsinformation, Anläggnings- och
rörelsekapital), one per measure, stated as the selections ``reports.statements`` sums.

Kept beside ``statements`` rather than inside it so the figures' code stays as it was: each record
restates a measure's account ranges, Anslag and periods. ``bokslut.lineage.reports`` re-runs them
against the raw rows; any drift between a measure and its record fails that check (tests/lineage).
"""

from __future__ import annotations

from bokslut.domain.accounts import (
    AVSKRIVNINGAR,
    DRIFT_KOSTNADER,
    DRIFT_OCH_UNDERHALL,
    EGET_KAPITAL,
    INTERNA_UTBETALNINGAR,
    INTERNRANTA,
    INVESTERING_INKOMSTER,
    INVESTERING_UTGIFTER,
    NO_ACCOUNTS,
    VERKSAMHETENS_INTAKTER,
    AccountSet,
)
from bokslut.lineage.selection import BudgetSelection, LedgerSelection
from bokslut.reports.figures import LedgerFigures
from bokslut.reports.sources import ExtractSelection, FigureSource, missing, source, total_of

UTFALL = "Utfall (periodens rörelse)"
ZERO_UTFALL = "alltid 0: raden är enbart budget och har inget utfall i huvudboken"


def _konton(layout: dict, name: str, anslag: str | None) -> AccountSet:
    """The configured 4-digit accounts of a layout list (exact codes: a 4-digit prefix is the code)."""
    konton = [str(k) for k in layout.get(name, [])]
    return AccountSet.prefixes(*konton, anslag=anslag) if konton else NO_ACCOUNTS


def _movement(fig: LedgerFigures, accounts: AccountSet, sign: int = 1) -> LedgerSelection:
    return LedgerSelection(fig.forvaltning, fig.year * 100 + 1, fig.period, accounts, sign=sign)


def _opening(fig: LedgerFigures, accounts: AccountSet, sign: int = 1) -> LedgerSelection:
    return LedgerSelection(fig.forvaltning, fig.year * 100, fig.year * 100, accounts, sign=sign)


def _closing(fig: LedgerFigures, accounts: AccountSet) -> LedgerSelection:
    return LedgerSelection(fig.forvaltning, fig.year * 100, fig.period, accounts)


def budget_sources(fig: LedgerFigures, layout: dict, delivered: bool) -> dict[str, tuple[FigureSource, FigureSource]]:
    """measure -> (budget record, utfall record) of Budgetavräkning."""
    version = str(layout["budget_version"])
    measure = f"Budget {version} inkl. budgetjusteringar"

    def pair(accounts: AccountSet, *, utfall: bool = True) -> tuple[FigureSource, FigureSource]:
        selection = BudgetSelection(fig.forvaltning, fig.year, version, fig.period, accounts)
        planned = (source(measure, selection, budget_version=version) if delivered
                   else missing(measure, f"budgetversion {version} är inte inläst", selection))
        actual = source(UTFALL, _movement(fig, accounts)) if utfall else FigureSource(UTFALL, note=ZERO_UTFALL)
        return planned, actual

    def summed(*names: str) -> tuple[FigureSource, FigureSource]:
        return (total_of(measure, [rows[n][0] for n in names]), total_of(UTFALL, [rows[n][1] for n in names]))

    rows: dict[str, tuple[FigureSource, FigureSource]] = {}
    rows["drift_och_underhall"] = pair(DRIFT_OCH_UNDERHALL)
    rows["avskrivningar"] = pair(AVSKRIVNINGAR)
    rows["internranta"] = pair(INTERNRANTA)
    rows["kostnader"] = summed("drift_och_underhall", "avskrivningar", "internranta")
    rows["verksamhetens_intakter"] = pair(VERKSAMHETENS_INTAKTER)
    rows["intaktsford_investeringsinkomst"] = pair(_konton(layout, "intaktsford_investeringsinkomst_konton", "D"))
    rows["intakter"] = summed("verksamhetens_intakter", "intaktsford_investeringsinkomst")
    rows["summa_drift"] = summed("kostnader", "intakter")
    rows["investering_utgifter"] = pair(INVESTERING_UTGIFTER)
    rows["investering_inkomster"] = pair(INVESTERING_INKOMSTER)
    rows["summa_investering"] = summed("investering_utgifter", "investering_inkomster")
    rows["exploateringsinkomster"] = pair(_konton(layout, "exploateringsinkomst_konton", None), utfall=False)
    rows["investering_netto"] = summed("summa_investering", "exploateringsinkomster")
    rows["forsaljningsbeting"] = pair(_konton(layout, "forsaljningsbeting_konton", None), utfall=False)
    return rows


def deviation(planned: FigureSource, actual: FigureSource) -> FigureSource:
    return planned.combined(actual, -1, "Avvikelse (budget − utfall)")


def _depreciation_codes(prefixes: list[str], groups: list[str]) -> list[str]:
    """The 4-digit accumulated-depreciation accounts (xxx9 in the depreciation groups) under ``prefixes``."""
    codes = []
    for prefix in prefixes:
        if prefix[:2] not in groups:
            continue
        if len(prefix) == 2:
            codes += [f"{prefix}{d}9" for d in range(10)]
        elif len(prefix) == 3:
            codes.append(prefix + "9")
        elif prefix[3] == "9":
            codes.append(prefix[:4])
    return codes


def anlaggning_sources(fig: LedgerFigures, layout: dict, delivered: bool) -> dict[tuple[str, str], FigureSource]:
    """(measure or "register:<row>", column key) -> record of Anläggningsinformation.

    A column holds the accounts under its prefixes minus its exclusions (the layout's columns do
    not overlap, so the first-match rule of the report is the same set).
    """
    groups = [str(g) for g in layout["depreciation_groups"]]
    result: dict[tuple[str, str], FigureSource] = {}
    for key, spec in layout["columns"].items():
        prefixes = [str(p) for p in spec["prefixes"]]
        exclude = tuple(str(x) for x in spec.get("exclude", []))
        column = AccountSet.prefixes(*prefixes, exclude=exclude)
        depreciation = _depreciation_codes(prefixes, groups)
        kinds = {"anskaffning": AccountSet.prefixes(*prefixes, exclude=exclude + tuple(depreciation)),
                 "avskrivning": AccountSet.prefixes(*depreciation, exclude=exclude) if depreciation else NO_ACCOUNTS}
        for kind, accounts in kinds.items():
            result[(f"ib_{kind}", key)] = source(f"IB {kind} (period {fig.year * 100})", _opening(fig, accounts))
            result[(f"change_{kind}", key)] = source(f"Periodens förändring {kind}", _movement(fig, accounts))
            result[(f"ub_{kind}", key)] = source(f"UB {kind} (IB + rörelse)", _closing(fig, accounts))
        result[("bokfort_varde", key)] = source("Bokfört värde (UB anskaffning + UB avskrivning)", _closing(fig, column))
        result[("change_huvudbok", key)] = change = source("Förändring i huvudboken", _movement(fig, column))
        for item in layout["rows"]:
            if "register" not in item:
                continue
            types = None if item["register"] == "all" else tuple(str(t) for t in item["register"])
            extract = ExtractSelection("anlaggningsreskontra", fig.forvaltning, fig.year * 100, fig.period, column, types)
            result[(f"register:{item['line']}", key)] = (
                source("Anläggningsreskontran", extract) if delivered
                else missing("Anläggningsreskontran", "anläggningsreskontran är inte levererad", extract))
        every = ExtractSelection("anlaggningsreskontra", fig.forvaltning, fig.year * 100, fig.period, column, None)
        register_all = (source("Anläggningsreskontran", every) if delivered
                        else missing("Anläggningsreskontran", "anläggningsreskontran är inte levererad", every))
        result[("diff_hb_anl", key)] = change.combined(register_all, -1, "Diff förändring huvudbok − förändringar i anläggningsreskontran")
    return result


def anl_rorelsekapital_sources(fig: LedgerFigures, layout: dict, delivered: bool) -> dict[str, FigureSource]:
    """measure or "treasury:<type>" -> record of Anläggnings- och rörelsekapital (``delivered``:
    whether the stadskassan extract was)."""
    s: dict[str, FigureSource] = {}
    resultatfond = AccountSet.prefixes(*(str(p) for p in layout["resultatfond_prefixes"]))
    s["ingaende_balans"] = source("Ingående balans (−IB eget kapital)", _opening(fig, EGET_KAPITAL, sign=-1))
    s["drift_intakter"] = source(UTFALL, _movement(fig, VERKSAMHETENS_INTAKTER))
    s["drift_kostnader"] = source(UTFALL, _movement(fig, DRIFT_KOSTNADER))
    s["drift_summa"] = total_of("Drift summa", [s["drift_intakter"], s["drift_kostnader"]])
    s["investering_inkomster"] = source(UTFALL, _movement(fig, INVESTERING_INKOMSTER))
    s["investering_utgifter"] = source(UTFALL, _movement(fig, INVESTERING_UTGIFTER))
    s["investering_summa"] = total_of("Investering summa", [s["investering_inkomster"], s["investering_utgifter"]])
    s["totalt"] = total_of("Totalt", [s["drift_summa"], s["investering_summa"]])
    s["interna_utbetalningar"] = source(UTFALL, _movement(fig, INTERNA_UTBETALNINGAR))
    s["resultatfond"] = source("Årets förändring av resultatfond", _movement(fig, resultatfond))
    every_type = ExtractSelection("stadskassan", fig.forvaltning, fig.year * 100, fig.period)
    if not delivered:
        s["stadskassan_summa"] = (source("Summa (härledd utan stadskassans underlag)", _movement(fig, EGET_KAPITAL))
                                  - s["resultatfond"] - s["drift_summa"])
        for item in layout["rows"]:
            if "treasury" in item:
                s[f"treasury:{item['treasury']}"] = missing(
                    "Stadskassans underlag", "stadskassans underlag är inte levererat",
                    ExtractSelection("stadskassan", fig.forvaltning, fig.year * 100, fig.period, types=(str(item["treasury"]),)))
    else:
        s["stadskassan_summa"] = total_of("Summa stadskassans konto", [source("Stadskassan", every_type), s["interna_utbetalningar"]])
        for item in layout["rows"]:
            if "treasury" in item:
                s[f"treasury:{item['treasury']}"] = source("Stadskassans underlag", ExtractSelection(
                    "stadskassan", fig.forvaltning, fig.year * 100, fig.period, types=(str(item["treasury"]),)))
    s["fordran_skuld"] = total_of("Fordran/skuld stadskassan", [s["drift_summa"], s["stadskassan_summa"]])
    s["arets_forandring"] = total_of("Årets förändring", [s["fordran_skuld"], s["resultatfond"]])
    s["utgaende_balans"] = s["ingaende_balans"].combined(s["arets_forandring"], -1, "Utgående balans (IB − årets förändring)")
    return s
