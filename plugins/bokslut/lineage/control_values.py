"""What each Kontokontroll line sums, stated a second time from the raw rows (issue 11).

The controls compute their lines in SQL over ``control_snapshot`` (the per-load aggregate). This
module states, per line, the same figures as sums of raw rows (``Term``: an ``AccountSet``, a
period range and, where the control needs them, koddel conditions), so that ``lineage.controls``
can recompute a line's value, its expected value and its difference on a path that shares no SQL
with the control. Written from the control's definition (include/sql/controls/kkNN_*.sql), not
from its SQL text: two statements of one rule that must agree. A line this module cannot state
raises ``KeyError`` (a new control line then fails ``tests/lineage/test_controls.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bokslut.controls.model import ControlResult
from bokslut.domain import accounts as chart  # the named account sets
from bokslut.domain.accounts import AccountSet

# period ranges: "ar" periods 00..the run's period (IB included, balance accounts); "resultat" 01..period;
# "fg_ar" the prior year 00..14 (its UB); "ib" period 00 of the year.
PERIOD_TEXT = {"ar": "period {y}00–{p} (IB och årets perioder)", "resultat": "period {y}01–{p}",
               "fg_ar": "föregående år period {py}00–{py}14 (UB)", "ib": "period {y}00 (IB)"}
MOTPART_TEXT = {"9*": "motpart 9*", "1990": "motpart 1990", "<2000": "motpart under 2000 (även blank)",
                "2000-8999": "motpart 2000–8999", "blank": "blank motpart"}
SOURCE_TEXT = {"ledger": "huvudbok", "stadskassan": "stadskassans extrakt", "anlaggningsreskontra": "anläggningsreskontran"}


def periods(kind: str, period: int) -> tuple[int, int]:
    year = period // 100
    return {"ar": (year * 100, period), "resultat": (year * 100 + 1, period),
            "fg_ar": ((year - 1) * 100, (year - 1) * 100 + 14), "ib": (year * 100, year * 100)}[kind]


@dataclass(frozen=True)
class Term:
    """A signed sum of raw rows of one source (``ledger``: table posting)."""

    accounts: AccountSet | None  # None: every account (stadskassan has none)
    period_kind: str
    motpart: str | None = None  # a key of MOTPART_TEXT
    vertyp: tuple[str, ...] | None = None
    blank: str | None = None  # "projekt" | "verksamhet": rows where that koddel is blank
    absolute: bool = False  # sum of absolute amounts (KK10)
    source: str = "ledger"
    sign: int = 1

    def __neg__(self) -> Term:
        return replace(self, sign=-self.sign)

    def describe(self, period: int) -> str:
        year = period // 100
        parts = [SOURCE_TEXT[self.source], PERIOD_TEXT[self.period_kind].format(y=year, p=period, py=year - 1)]
        if self.accounts is not None:
            parts.append(self.accounts.describe())
        elif self.source != "stadskassan":
            parts.append("alla konton")
        if self.motpart:
            parts.append(MOTPART_TEXT[self.motpart])
        if self.vertyp:
            parts.append("verifikationstyp " + ", ".join(self.vertyp))
        if self.blank:
            parts.append(f"blankt {self.blank}")
        text = ("summa absoluta belopp: " if self.absolute else "summa: ") + "; ".join(parts)
        return ("minus " if self.sign < 0 else "") + text


Recipe = tuple[Term, ...]  # a sum of terms; () is the constant 0


@dataclass(frozen=True)
class LineRecipe:
    value: Recipe | None  # None: the line has no figure here (e.g. information without comparison)
    expected: Recipe | None
    difference: Recipe | None = None  # None: value − expected
    needs_prior: bool = False  # NULL value when the prior year was not delivered (KK11) ...
    difference_needs_prior: bool = True  # ... and NULL difference, except where it reads this year only
    null_without: str | None = None  # a source (stadskassan) without which every figure of the line is NULL

    def measure(self, key: str) -> Recipe | None:
        if key == "value":
            return self.value
        if key == "expected":
            return self.expected
        if self.difference is not None:
            return self.difference
        if self.value is None or self.expected is None:
            return None
        return self.value + tuple(-t for t in self.expected)


def describe(recipe: Recipe | None, period: int) -> str:
    if recipe is None:
        return "inget värde (raden visas utan jämförelse)"
    if not recipe:
        return "0 (fast värde)"
    return " + ".join(t.describe(period) for t in recipe)


_acc = AccountSet.ranges  # inclusive prefix ranges per pair (("30", "38"), ("40", "88"))


def _p(*codes: str, anslag: str | None = None, exclude: tuple[str, ...] = ()) -> AccountSet:
    return AccountSet.prefixes(*codes, anslag=anslag, exclude=exclude)


ALL = None  # every account (no account condition)
ZERO: Recipe = ()


def _single(term: Term) -> Recipe:
    return (term,)


def _zero_line(term: Term) -> LineRecipe:
    return LineRecipe(_single(term), ZERO)


def _kk01() -> dict[str, LineRecipe]:
    lines = {"KK01.1": _p("4901", anslag="D"), "KK01.2": _p("4903", anslag="D"), "KK01.3": _p("4904", anslag="D"),
             "KK01.4": _p("49", anslag="D"), "KK01.5": _p("4903", anslag="I"), "KK01.6": _p("49", anslag="I")}
    return {k: _zero_line(Term(a, "resultat")) for k, a in lines.items()}


def _kk02() -> dict[str, LineRecipe]:
    return {
        "KK02.1": _zero_line(Term(_p("1790"), "ar", motpart="9*")),
        "KK02.2": _zero_line(Term(_p("2991"), "ar", motpart="9*")),
        "KK02.3": _zero_line(Term(chart.BALANCE, "ar", motpart="9*")),
        "KK02.4": _zero_line(Term(AccountSet(chart.RESULT_CLASSES.include, anslag="D"), "resultat", motpart="9*")),
        "KK02.5": _zero_line(Term(_acc(("0", "9"), anslag="I"), "resultat", motpart="9*")),
    }


def _kk05() -> dict[str, LineRecipe]:
    accounts = {"KK05.2": "9043", "KK05.3": "9044", "KK05.4": "9046", "KK05.5": "9047", "KK05.7": "9055"}
    lines = {k: LineRecipe(_single(Term(_p(c), "ar")), None) for k, c in accounts.items()}
    lines["KK05.1"] = LineRecipe(_single(Term(_p("9041"), "ar")), _single(-Term(_p("8526", anslag="D"), "resultat")))
    lines["KK05.6"] = LineRecipe(_single(Term(_p("9052"), "ar")), _single(-Term(_p("5611", anslag="D"), "resultat")))
    k904_905 = _single(Term(_p("904", "905"), "ar"))
    lines["KK05.8"] = LineRecipe(k904_905, k904_905)
    zero = {"KK05.9": _p("90", exclude=("904", "905")), "KK05.10": _p("9131"), "KK05.11": _p("9133"),
            "KK05.12": _p("9139"), "KK05.13": _p("9181"), "KK05.14": _p("91"), "KK05.15": _acc(("93", "95")),
            "KK05.16": _p("9894"), "KK05.17": _p("9895"), "KK05.18": _p("9896"), "KK05.19": _p("9899"),
            "KK05.20": _acc(("96", "98")), "KK05.21": _p("9999"), "KK05.22": _p("99")}
    lines.update({k: _zero_line(Term(a, "ar")) for k, a in zero.items()})
    return lines


def _kk06_to_kk09() -> dict[str, LineRecipe]:
    konto_3_9 = _single(Term(chart.RESULT_AND_CLEARING, "resultat"))
    arets = Term(chart.ARETS_RESULTAT, "resultat")
    drift = Term(chart.SUMMA_DRIFT, "resultat")
    investering = Term(_acc(("3", "8"), anslag="I", exclude=("789",)), "resultat")
    aktiverat = Term(chart.AKTIVERAT, "resultat")
    interna = Term(chart.INTERNA_UTBETALNINGAR, "resultat")
    resultatfond = Term(chart.RESULTATFOND, "resultat")
    k2021 = Term(_p("2021"), "resultat", motpart="2000-8999")
    treasury = Term(None, "ar", source="stadskassan")
    change = (drift, treasury, interna, resultatfond)
    tillgangar, skulder = Term(chart.TILLGANGAR, "ar"), Term(chart.SKULDER_OCH_EGET_KAPITAL, "ar")
    return {
        "KK06.1": LineRecipe(konto_3_9, (arets, Term(chart.KONTO_89, "resultat"), interna)),
        "KK06.2": LineRecipe(konto_3_9, konto_3_9),
        "KK06.3": LineRecipe(ZERO, ZERO),
        "KK07.1": LineRecipe((drift,), (arets,)),
        "KK07.2": LineRecipe((arets,), (arets,)),
        "KK07.3": LineRecipe((drift, -arets), ZERO),
        "KK08.1": LineRecipe((investering,), (-aktiverat,)),
        "KK08.2": LineRecipe((aktiverat,), (-investering,)),
        "KK08.3": LineRecipe((investering, aktiverat), ZERO),
        "KK08.4": _zero_line(Term(_p("8", anslag="I"), "resultat")),
        "KK09.1": LineRecipe((arets,), (drift,)),
        "KK09.2": LineRecipe((drift,), (arets,)),
        "KK09.3": LineRecipe((arets, -drift), ZERO),
        "KK09.4": LineRecipe(change, (k2021,)),
        "KK09.5": LineRecipe((k2021,), change),
        "KK09.6": LineRecipe(change + (-k2021,), ZERO, null_without="stadskassan"),
        "KK09.7": LineRecipe((tillgangar,), (tillgangar,)),
        "KK09.8": LineRecipe((skulder,), (skulder,)),
        "KK09.9": LineRecipe((tillgangar, skulder), ZERO),
    }


def _kk10_to_kk12() -> dict[str, LineRecipe]:
    anl = _acc(("10", "13"), ("2381", "2389"), exclude=("117",))
    return {
        "KK03.1": _zero_line(Term(ALL, "ar", motpart="1990")),
        "KK04.1": _zero_line(Term(chart.BALANCE, "ar", vertyp=("HC", "UU"))),
        "KK04.2": _zero_line(Term(chart.RESULT_CLASSES, "resultat", vertyp=("HC", "UU"))),
        "KK10.1": _zero_line(Term(ALL, "ar", motpart="blank", absolute=True)),
        "KK10.2": _zero_line(Term(ALL, "ar", blank="projekt", absolute=True)),
        "KK10.3": _zero_line(Term(ALL, "ar", blank="verksamhet", absolute=True)),
        "KK12.1": _zero_line(Term(_p("1710"), "ar")),
        "KK12.2": _zero_line(Term(_p("2950"), "ar")),
        "KK12.3": _zero_line(Term(_p("1542"), "ar", motpart="<2000")),
        "KK12.4": _zero_line(Term(_p("2542"), "ar", motpart="<2000")),
        "KK12.5": _zero_line(Term(_p("2957"), "ar", motpart="<2000")),
        "KK12.6": _zero_line(Term(_p("2931"), "ar", motpart="<2000")),
        "KK12.7": LineRecipe(_single(Term(_p("5053", anslag="D"), "resultat")), _single(-Term(_p("2910"), "resultat"))),
        "KK12.8": LineRecipe(_single(Term(_p("5614", anslag="D"), "resultat")), _single(-Term(_p("2931"), "resultat"))),
        "KK12.9": LineRecipe(_single(Term(_p("7352", anslag="D"), "resultat")), _single(-Term(_p("1592"), "resultat"))),
        "KK12.10": LineRecipe(_single(Term(anl, "resultat")), _single(Term(anl, "ar", source="anlaggningsreskontra"))),
    }


SHEET_LINES: dict[str, LineRecipe] = {**_kk01(), **_kk02(), **_kk05(), **_kk06_to_kk09(), **_kk10_to_kk12()}


def _kk11(key: str) -> LineRecipe:
    """UB of the prior year (periods 00–14) against this year's IB (period 00) per account group."""
    kind, _, code = key.partition(":")
    accounts = {"summa:tillgangar": _acc(("0", "1")), "summa:eget_kapital": chart.EGET_KAPITAL,
                "summa:skulder": _acc(("21", "29"))}.get(key) or _p(code)
    ub, ib = Term(accounts, "fg_ar"), Term(accounts, "ib")
    if key == "konto:201":  # the prior year's result (202) is closed into 201
        return LineRecipe((ub,), (ib,), (ub, Term(_p("202"), "fg_ar"), -ib), needs_prior=True)
    if key == "konto:202":  # IB 202 = 0 needs no prior year
        return LineRecipe((ub,), (ib,), (ib,), needs_prior=True, difference_needs_prior=False)
    if kind not in ("grupp", "summa", "konto"):
        raise KeyError(key)
    return LineRecipe((ub,), (ib,), needs_prior=True)


def line_recipe(result: ControlResult, kk11_keys: dict[str, str]) -> LineRecipe:
    """The recipe of ``result``'s line; ``kk11_keys`` maps KK11's control ids back to their SQL keys."""
    control_id, group = result.control_id, result.group
    if group == "KK11":
        return _kk11(kk11_keys.get(control_id) or "grupp:" + control_id.partition(":")[2])
    if control_id in SHEET_LINES:
        return SHEET_LINES[control_id]
    code = control_id.partition(":")[2]  # a line the data decides: KK02:1650, KK05:9045
    if group == "KK02" and code:
        return _zero_line(Term(_p(code), "ar", motpart="9*"))
    if group == "KK05" and code:
        info = "9040" <= code <= "9059"  # 904x/905x: information, no comparison (as the SQL's section a)
        return LineRecipe(_single(Term(_p(code), "ar")), None if info else ZERO)
    raise KeyError(control_id)
