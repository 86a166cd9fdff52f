"""The named-measure registry: what a mapping's ``measure:`` can name, and the table row sources.

A measure is ``fn(ctx, item, **params)`` returning an amount in öre (``Ore``), a number, a date,
text, ``None`` (leave the cell empty) or ``NotDelivered(reason)`` (the data is missing: the cell
stays empty and the rule report says "ej levererad"). Parameters come from the mapping; period
and year parameters take placeholders (``"{ar-1}"``, ``"{ar-1}14"``, ``"{period}"``).

Every figure explains itself (issue 11): a measure states what it sums as selections of published
rows (``lineage.selection``) and reads them through ``_sum``, which also notes each as a term of the
cell's source record (``ctx.note``; ``lineage.record``). An amount is the sum of its noted terms,
each with its own sign, so ``bokslut explain`` can recompute it from the raw rows.

Adding a measure: write a function here, decorate it with ``@measure("name")``, document its
parameters in the docstring (docs/templates.md lists the registry).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from sqlalchemy.engine import Engine

from bokslut.lineage.record import Constant, Forecast, HrFigure, ManualInput, Term
from bokslut.domain.accounts import AccountSet
from bokslut.lineage.selection import BudgetSelection, LedgerSelection
from bokslut.domain import forecast
from bokslut.templates.data import HISTORY_YEARS, Warehouse, accounts_set, line_accounts
from bokslut.templates.manual import ManualInputs, to_decimal
from bokslut.templates.placeholders import expand
from bokslut.domain.periods import ReportingPoint
from bokslut.templates.reference import Forvaltning, Project, ResultUnit

MEASURES: dict[str, Callable[..., object]] = {}
ROW_SOURCES: dict[str, Callable[..., list[RowItem]]] = {}


class Ore(int):
    """An amount in öre (converted to the cell's unit when written)."""


@dataclass(frozen=True)
class NotDelivered:
    reason: str  # Swedish


@dataclass(frozen=True)
class RowItem:
    code: str
    label: str
    fields: dict = field(default_factory=dict)
    source: object = None  # the Project, ResultUnit or manual row behind it


@dataclass
class FillContext:
    engine: Engine
    forvaltning: str
    year: int
    point: ReportingPoint
    manual: ManualInputs
    projects: list[Project]
    result_units: list[ResultUnit]
    forv: Forvaltning
    rules: dict = field(default_factory=dict)
    _hr: dict = field(default_factory=dict)
    trace: list[Term] | None = None  # the terms of the cell being filled (set by fill._resolve)

    def note(self, part: object, value: object) -> None:
        """Record ``part`` (a selection, manual input, ...) as a term of the current cell's value."""
        if self.trace is not None:
            self.trace.append(Term(part, value))

    def manual_amount(self, key: str, exponent: int, sign: int = 1) -> int | None:
        """A manual amount (mnkr: 8, tkr: 5) in öre with ``sign``, noted as a term; None when not given."""
        given = self.manual.get(key)
        if given is None:
            return None
        value = sign * _to_ore(given, key, exponent)
        path = self.manual.path
        self.note(ManualInput(key, path.name if path else None, self.manual.sha256, sign), value)
        return value

    @cached_property
    def wh(self) -> Warehouse:
        return Warehouse(self.engine, self.forvaltning, self.year)

    @property
    def period(self) -> int:
        return self.point.period(self.year)

    @property
    def placeholders(self) -> dict[str, object]:
        return {
            "ar": self.year, "period": self.period, "period_fran": self.year * 100 + 1, "punkt": self.point.code,
            "rapport": self.point.name_sv,
            "manader": self.point.months_sv, "manad": self.point.last_month_sv, "namnd": self.forv.namnd,
            "forvaltning": self.forvaltning, "forvaltningsnamn": self.forv.name,
        }

    def expand(self, text: str, item: RowItem | None = None) -> str:
        values = dict(self.placeholders)
        if item is not None:
            values["kod"] = item.code
        return expand(str(text), values)

    def number(self, expr: object, what: str) -> int:
        text = self.expand(str(expr))
        if not text.isdigit():
            raise ValueError(f"{what}: '{expr}' ger inte ett tal ({text})")
        return int(text)


def measure(name: str):
    def register(fn):
        MEASURES[name] = fn
        return fn
    return register


def row_source(name: str):
    def register(fn):
        ROW_SOURCES[name] = fn
        return fn
    return register


# ----------------------------------------------------------------------------- helpers


def _accounts(params: dict) -> AccountSet:
    if params.get("linje"):
        return line_accounts(str(params["linje"]))
    if params.get("konton") is not None:
        return accounts_set([str(k) for k in params["konton"]], params.get("anslag"))
    raise ValueError("ange 'linje' eller 'konton'")


def _cached_ledger(ctx: FillContext, s: LedgerSelection) -> int:
    """The selection's sum (without sign) from the fill's cached aggregated reads."""
    accounts = s.accounts
    if s.projekt is not None:  # per project and account class (first digit)
        if any(len(lo) != 1 for lo, _hi in accounts.include + accounts.exclude):
            raise ValueError("projektsummor kan bara väljas per kontoklass")
        out = 0
        for code in s.projekt:
            rows = ctx.wh.by_project(ctx.year * 100 + 14).get(code, {})
            out += sum(v for (p, kk, a), v in rows.items()
                       if accounts.contains(kk, a) and p <= s.period_to and (s.period_from is None or p >= s.period_from))
        return out
    if s.ansvar is not None:
        if s.period_from is None:
            raise ValueError("ansvarssummor kräver en första period")
        return sum(v for (a, k, an), v in ctx.wh.by_ansvar(s.period_from, s.period_to).items()
                   if a in s.ansvar and accounts.contains(k, an))
    return ctx.wh.line(accounts.contains, s.period_from if s.period_from is not None else 0, s.period_to)


def _cached_budget(ctx: FillContext, s: BudgetSelection) -> int | NotDelivered:
    budget = _budget(ctx, s.version, s.year, s.period_to)
    if isinstance(budget, NotDelivered):
        return budget
    return sum(v for (an, p, k, a), v in budget.items()
               if s.accounts.contains(k, a) and (s.ansvar is None or an in s.ansvar)
               and (s.projekt is None or p in s.projekt))


def _sum(ctx: FillContext, s: LedgerSelection | BudgetSelection, *, note: bool = True) -> int | NotDelivered:
    """The selection's sum in öre with its sign, noted as a term of the cell's source record."""
    raw = _cached_ledger(ctx, s) if isinstance(s, LedgerSelection) else _cached_budget(ctx, s)
    if isinstance(raw, NotDelivered):
        return raw
    value = s.sign * raw
    if note:
        ctx.note(s, value)
    return value


def _year(ctx: FillContext, params: dict) -> int:
    return ctx.number(params.get("ar", "{ar}"), "ar")


def _bounds(ctx: FillContext, params: dict) -> tuple[int, int]:
    """Period range: ``fran``/``till`` if given, else the year's 01 up to the reporting period
    (current year) or the whole year 01-14 (another year)."""
    year = _year(ctx, params)
    default_to = ctx.period if year == ctx.year else year * 100 + 14
    first = ctx.number(params["fran"], "fran") if params.get("fran") is not None else year * 100 + 1
    last = ctx.number(params["till"], "till") if params.get("till") is not None else default_to
    return first, last


def _complete_history(ctx: FillContext) -> list[int]:
    return forecast.complete_years(ctx.wh.published_ledger_periods(), range(ctx.year - HISTORY_YEARS, ctx.year))


def _suggest(ctx: FillContext, ytd: LedgerSelection, profile: AccountSet, *, share: bool = False) -> forecast.Suggestion:
    """The suggested forecast from ``ytd``'s outturn and ``profile``'s seasonal history, noted as a term."""
    years = _complete_history(ctx)
    history = {y: ctx.wh.line_by_period(profile.contains, y) for y in years}
    suggestion = forecast.suggest(_sum(ctx, ytd, note=False), ctx.point.pp, history)
    ctx.note(Forecast(ytd, profile, tuple(years), ctx.point.pp, share), suggestion.share if share else suggestion.value_ore)
    return suggestion


def _budget(ctx: FillContext, version: str, year: int, period_to: int) -> dict | NotDelivered:
    budget = ctx.wh.budget(year, version, period_to)
    if budget is None:
        return NotDelivered(f"budgetversion {version} {year} är inte inläst")
    return budget


# ------------------------------------------------------------------------ line measures


@measure("gl.linje")
def gl_line(ctx: FillContext, item: RowItem | None, **params) -> Ore:
    """Outturn of a line (``linje``: a Budgetavräkning line, see data.LINES) or of accounts
    (``konton`` prefixes, optional ``anslag``). ``ar`` (default the year), ``fran``/``till``."""
    first, last = _bounds(ctx, params)
    return Ore(_sum(ctx, LedgerSelection(ctx.forvaltning, first, last, _accounts(params))))


@measure("budget.linje")
def budget_line(ctx: FillContext, item: RowItem | None, **params) -> Ore | NotDelivered:
    """Budget ``version`` (VP, BJ, T1, T2) of a line or accounts for year ``ar``; whole year
    unless ``till_period: true`` (periodised rows up to the reporting period)."""
    version = ctx.expand(str(params.get("version", "BJ")))
    year = _year(ctx, params)
    period_to = ctx.period if params.get("till_period") else year * 100 + 14
    value = _sum(ctx, BudgetSelection(ctx.forvaltning, year, version, period_to, _accounts(params)))
    return value if isinstance(value, NotDelivered) else Ore(value)


@measure("prognos.forslag")
def forecast_line(ctx: FillContext, item: RowItem | None, **params) -> Ore | NotDelivered:
    """Suggested year-end forecast of a line at T1/T2 (domain.forecast)."""
    if not ctx.point.is_tertial:
        return NotDelivered("prognosförslag görs bara vid T1 och T2")
    return Ore(_suggest(ctx, _ytd(ctx, _accounts(params)), _accounts(params)).value_ore)


@measure("prognos.andel")
def forecast_share(ctx: FillContext, item: RowItem | None, **params) -> float | None:
    """Share of the full year the periods 01..PP made up in earlier years (None: no history)."""
    return _suggest(ctx, _ytd(ctx, _accounts(params)), _accounts(params), share=True).share


def _ytd(ctx: FillContext, accounts: AccountSet, projekt: tuple[str, ...] | None = None) -> LedgerSelection:
    return LedgerSelection(ctx.forvaltning, ctx.year * 100 + 1, ctx.period, accounts, projekt=projekt)


# ---------------------------------------------------------------------- project measures

# project account classes (first digit of the account), Anslag D
_CLASSES = {"kostnad": AccountSet.groups("4", "7", anslag="D"), "intakt": AccountSet.prefixes("3", anslag="D"),
            "netto": AccountSet.groups("3", "7", anslag="D")}


def _project_accounts(klass: str) -> AccountSet:
    try:
        return _CLASSES[klass]
    except KeyError:
        raise ValueError(f"klass {klass!r}: välj kostnad, intakt eller netto") from None


def _project(ctx: FillContext, code: str, klass: str, first: int | None, last: int, sign: int = 1) -> LedgerSelection:
    """A project's postings of ``klass`` in periods ``first`` (None: from the first loaded) to ``last``."""
    return LedgerSelection(ctx.forvaltning, first, last, _project_accounts(klass), projekt=(code,), sign=sign)


def _project_sum(ctx: FillContext, code: str, klass: str, first: int | None, last: int, sign: int = 1) -> int:
    return _sum(ctx, _project(ctx, code, klass, first, last, sign))


@measure("gl.projekt")
def gl_project(ctx: FillContext, item: RowItem, **params) -> Ore:
    """Project outturn (Anslag D): ``klass`` kostnad (4-7) | intakt (3) | netto; ``fran``/``till``
    periods (no ``fran``: from the first loaded period, i.e. accumulated); ``tecken: -1`` shows
    income as a positive amount (Externa projekt)."""
    last = ctx.number(params.get("till", "{period}"), "till")
    first = ctx.number(params["fran"], "fran") if params.get("fran") is not None else None
    sign = int(params.get("tecken", 1))
    return Ore(_project_sum(ctx, item.code, str(params.get("klass", "kostnad")), first, last, sign))


@measure("gl.projekt_ib")
def gl_project_opening(ctx: FillContext, item: RowItem, **params) -> Ore:
    """Unused external funds at the start of the year: −(income + costs) booked on the project
    up to ``till`` (default ``{ar-1}14``); positive when more was received than spent."""
    last = ctx.number(params.get("till", "{ar-1}14"), "till")
    return Ore(_project_sum(ctx, item.code, "netto", None, last, sign=-1))


@measure("budget.projekt")
def budget_project(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """Project budget of ``version`` for year ``ar``, ``klass`` kostnad | intakt."""
    version, year = ctx.expand(str(params.get("version", "BJ"))), _year(ctx, params)
    accounts = _project_accounts(str(params.get("klass", "kostnad")))
    value = _sum(ctx, BudgetSelection(ctx.forvaltning, year, version, year * 100 + 14, accounts, projekt=(item.code,)))
    return value if isinstance(value, NotDelivered) else Ore(value)


def _project_forecast(ctx: FillContext, item: RowItem, klass: str) -> int:
    manual = ctx.manual_amount(f"verksamhetsprojekt.{item.code}.prognos_helar.{klass}", 8)
    if manual is not None:
        return manual
    return _suggest_project(ctx, item, klass).value_ore


def _suggest_project(ctx: FillContext, item: RowItem, klass: str) -> forecast.Suggestion:
    line = "verksamhetens_intakter" if klass == "intakt" else "drift_och_underhall"
    return _suggest(ctx, _ytd(ctx, _project_accounts(klass), (item.code,)), line_accounts(line))


@measure("prognos.projekt")
def forecast_project(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """Suggested year-end forecast of a project at T1/T2: its year-to-date outturn divided by the
    seasonal share of the förvaltning's line (kostnad: Drift och underhåll, intakt: Verksamhetens
    intäkter)."""
    if not ctx.point.is_tertial:
        return NotDelivered("prognosförslag görs bara vid T1 och T2")
    return Ore(_suggest_project(ctx, item, str(params.get("klass", "kostnad"))).value_ore)


@measure("projekt.prognos_total")
def project_total_forecast(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """Forecast of the whole project when finance gives none: accumulated up to last year + this
    year (outturn at VB, forecast at T1/T2) + next year's forecast or budget from the manual file.
    Only when that covers the project's whole life (forecast or decided end); otherwise the cell
    stays empty and the rule report asks for ``prognos_total``."""
    klass = str(params.get("klass", "kostnad"))
    key = f"verksamhetsprojekt.{item.code}"
    total = _project_sum(ctx, item.code, klass, None, (ctx.year - 1) * 100 + 14)
    horizon = ctx.year
    if ctx.point.is_tertial:
        total += _project_forecast(ctx, item, klass)
    else:
        total += _project_sum(ctx, item.code, klass, ctx.year * 100 + 1, ctx.period)
        for name in ("prognos_nasta_ar", "budget_nasta_ar"):
            value = ctx.manual_amount(f"{key}.{name}.{klass}", 8)
            if value is not None:
                total += value
                horizon = ctx.year + 1
                break
    end = ctx.manual.get(f"{key}.prognos_slut") or item.fields.get("beslutat_slut")
    end_year = end.year if isinstance(end, date) else None
    if end_year is None or end_year > horizon:
        return NotDelivered(f"prognos för hela projektet saknas (projektet pågår efter {horizon}); "
                            f"ange {key}.prognos_total i filen med manuella uppgifter")
    return Ore(total)


# ---------------------------------------------------------------------- resultatenheter


def _unit_ansvar(item: RowItem) -> tuple[str, ...]:
    return item.source.ansvar if isinstance(item.source, ResultUnit) else (item.code,)


@measure("ansvar.bruttobudget")
def unit_gross_budget(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """The unit's gross budget: cost budget (line Kostnader) of ``version`` (default BJ), whole year."""
    version = str(params.get("version", "BJ"))
    value = _sum(ctx, BudgetSelection(ctx.forvaltning, ctx.year, version, ctx.year * 100 + 14, line_accounts("kostnader"),
                                      ansvar=_unit_ansvar(item)))
    return value if isinstance(value, NotDelivered) else Ore(value)


def _unit_result(ctx: FillContext, item: RowItem, version: str, sign: int = 1) -> int | NotDelivered:
    """sign × (outturn − periodised budget) of the unit's result accounts, noted as two terms."""
    result = line_accounts("arets_resultat")
    missing = _budget(ctx, version, ctx.year, ctx.period)
    if isinstance(missing, NotDelivered):
        return missing
    outturn = _sum(ctx, LedgerSelection(ctx.forvaltning, ctx.year * 100 + 1, ctx.period, result,
                                        ansvar=_unit_ansvar(item), sign=sign))
    planned = _sum(ctx, BudgetSelection(ctx.forvaltning, ctx.year, version, ctx.period, result,
                                        ansvar=_unit_ansvar(item), sign=-sign))
    return outturn + planned


@measure("ansvar.resultat")
def unit_result(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """The unit's result for the year to the reporting period: outturn − budget (``version``,
    default BJ, periodised to the same period) over Årets resultat (``domain.accounts.ARETS_RESULTAT``:
    30–38 and 40–88, drift). Ledger sign: överskott (-), underskott (+)."""
    value = _unit_result(ctx, item, str(params.get("version", "BJ")))
    return value if isinstance(value, NotDelivered) else Ore(value)


@measure("ansvar.ack_overforing")
def unit_accumulated_transfer(ctx: FillContext, item: RowItem, **params) -> Ore | NotDelivered:
    """Accumulated transfer to next year, överskott (+): the fund at the start of the year
    (manual ``ack_resultatfond_ib``, tkr) plus this year's result with reversed sign when the unit
    caused it itself (``eget_handlande: JA``); nothing is transferred on NEJ."""
    key = f"resultatenheter.{item.code}"
    total = ctx.manual_amount(f"{key}.ack_resultatfond_ib", 5) or 0
    if str(ctx.manual.get(f"{key}.eget_handlande") or "").upper() == "JA":
        # this year's result with reversed sign: the manual figure if given, else outturn − budget
        result = ctx.manual_amount(f"{key}.resultat_exkl_resultatfond", 5, sign=-1)
        if result is None:
            result = _unit_result(ctx, item, str(params.get("version", "BJ")), sign=-1)
        if isinstance(result, NotDelivered):
            return result
        total += result
    else:
        ctx.note(Constant("inget av årets resultat förs över (eget_handlande är inte JA)"), 0)
    return Ore(total)


# ------------------------------------------------------------------------------ HR (LISA)

HR_MODULE = "bokslut.hr.keyfigures"  # issue 5; imported when a measure runs, never required
HR_PERCENT = {"122", "123", "124", "127", "128"}  # key_figures gives percent; the cells hold shares
# part of the template -> (key figure id, attribute) of bokslut.hr.keyfigures.KeyFigure
HR_PARTS = {
    "taljare": (None, "numerator"), "namnare": (None, "denominator"), "varde": (None, "value"),
    "kvinnor": ("125a", "numerator"), "anstallda": ("125a", "denominator"),
    "kvinnliga_chefer": ("125b", "numerator"), "chefer": ("125b", "denominator"),
    "kvot": (None, "value"), "kostnad_tkr": ("129", "numerator"), "arsarbetare": ("129", "denominator"),
}


def _hr_figures(ctx: FillContext, year: int) -> object:
    """``{id: KeyFigure}`` from ``bokslut.hr.keyfigures.key_figures`` for the point's months of
    ``year``, or NotDelivered (module missing, no LISA extract loaded, or an error in it)."""
    if year not in ctx._hr:
        try:
            module = importlib.import_module(HR_MODULE)
            figures = module.key_figures(ctx.engine, ctx.forvaltning, year, ctx.point.last_month)
            ctx._hr[year] = (figures.by_id(), " ".join(getattr(figures, "notes", []) or []))
        except (ImportError, AttributeError) as exc:
            ctx._hr[year] = NotDelivered(f"HR-nyckeltal från LISA ej levererade (modulen {HR_MODULE} saknas: {exc})")
        except Exception as exc:  # noqa: BLE001 - a missing HR extract must not stop the templates
            ctx._hr[year] = NotDelivered(f"HR-nyckeltal från LISA ej levererade: {type(exc).__name__}: {exc}")
    return ctx._hr[year]


@measure("hr.nyckeltal")
def hr_key_figure(ctx: FillContext, item: RowItem | None, **params) -> float | NotDelivered:
    """HR key figure ``nr`` (122-129) part ``del`` (taljare, namnare, varde; 125: kvinnor, anstallda,
    kvinnliga_chefer, chefer; 126: kvot; 129: kostnad_tkr, arsarbetare) for year ``ar``, from
    ``bokslut.hr.keyfigures.key_figures`` (issue 5). Shares as fractions (0.918), as the cells show
    them in percent format."""
    nr, part = str(params["nr"]), str(params.get("del", "varde"))
    year = _year(ctx, params)
    figures = _hr_figures(ctx, year)
    if isinstance(figures, NotDelivered):
        return figures
    by_id, notes = figures
    figure_id, attribute = HR_PARTS.get(part, (None, part))
    figure = by_id.get(figure_id or nr)
    value = getattr(figure, attribute, None) if figure is not None else None
    if value is None:
        why = f": {notes}" if notes else ""
        return NotDelivered(f"HR-nyckeltal från LISA saknas för {year}{why}")
    value = float(value)
    percent = attribute == "value" and (figure_id or nr) in HR_PERCENT
    if percent:
        value /= 100
    ctx.note(HrFigure(nr, figure_id or nr, attribute, year, ctx.point.last_month, percent), value)
    return value


# ----------------------------------------------------------------------------- row sources


def _project_fields(p: Project, label: str) -> dict:
    def ore(v: int | None) -> Ore | None:
        return None if v is None else Ore(v)

    return {
        "kod": p.code, "namn": p.name, "etikett": label, "typ": p.kind, "finansiar": p.funder,
        "eu_program": p.eu_program, "beslutad_start": p.decided_start, "beslutat_slut": p.decided_end,
        "beslutad_kostnad": ore(p.decided_cost_ore), "beslutad_intakt": ore(p.decided_income_ore),
        "total_finansiering": ore(p.total_financing_ore),
    }


def _runs_in(p: Project, year: int) -> bool:
    """The project's decided period touches ``year`` (a missing date does not exclude it): the
    master file holds every year's projects, a year's workbook shows that year's."""
    return ((p.decided_start is None or p.decided_start <= date(year, 12, 31))
            and (p.decided_end is None or p.decided_end >= date(year, 1, 1)))


@row_source("verksamhetsprojekt")
def significant_projects(ctx: FillContext, **params) -> list[RowItem]:
    """Projects of the year that are not investments and either designated significant (Betydande J)
    or decided at more than ``grans_mnkr`` (default 50) mnkr."""
    limit = Decimal(str(params.get("grans_mnkr", 50))) * 100_000_000
    return [RowItem(p.code, p.name, _project_fields(p, p.name), p) for p in ctx.projects
            if p.kind != "investering" and (p.significant or (p.decided_cost_ore or 0) > limit) and _runs_in(p, ctx.year)]


@row_source("externa_projekt")
def external_projects(ctx: FillContext, **params) -> list[RowItem]:
    """Externally financed projects of the year; ``eu: true`` the EU-funded (label "EU-program: namn"), ``eu:
    false`` the others."""
    eu = params.get("eu")
    items = []
    for p in ctx.projects:
        if p.kind != "externt finansierat" or (eu is not None and bool(eu) != p.is_eu) or not _runs_in(p, ctx.year):
            continue
        items.append(RowItem(p.code, p.name, _project_fields(p, f"{p.eu_program}: {p.name}" if p.is_eu else p.name), p))
    return items


@row_source("resultatenheter")
def result_units(ctx: FillContext, **params) -> list[RowItem]:
    """Resultatenheter of the förvaltning (reference file), intraprenader marked."""
    items = []
    for u in ctx.result_units:
        label = f"{u.name} (intraprenad)" if u.intraprenad else u.name
        items.append(RowItem(u.code, label, {"kod": u.code, "namn": u.name, "etikett": label,
                                             "ansvar": ", ".join(u.ansvar), "intraprenad": "JA" if u.intraprenad else "NEJ"}, u))
    return items


@row_source("innovationssatsningar")
def innovations(ctx: FillContext, **params) -> list[RowItem]:
    """The rows of the manual file's ``innovationssatsningar`` list, in order."""
    return [RowItem(str(n), str(row.get("namn") or ""), {k: (None if v is None else str(v)) for k, v in row.items()}, row)
            for n, row in enumerate(ctx.manual.rows("innovationssatsningar"), start=1)]


# ----------------------------------------------------------------------------- conversions


def mnkr_to_ore(value: object, where: str) -> int:
    return _to_ore(value, where, 8)


def tkr_to_ore(value: object, where: str) -> int:
    return _to_ore(value, where, 5)


def _to_ore(value: object, where: str, exponent: int) -> int:
    number = to_decimal(value, where)
    return 0 if number is None else int(number.scaleb(exponent).to_integral_value())


def ore_in_unit(value: int, exponent: int) -> float:
    return float(Decimal(int(value)).scaleb(-exponent))


def is_date(value: object) -> bool:
    return isinstance(value, date)
