"""HR key figures 122–129 from the LISA snapshots (``docs/spec/domain.md`` §9, ``docs/hr-kaa.md``).

The counts come from SQL in ``include/sql/hr``; this module picks the snapshots, does the
divisions exactly (``Fraction``) and rounds as the city's template prints: 122 and 123 with one
decimal, 124, 127 and 128 with two, the ratios 125 and 126 with two, 129 in whole kronor, 125a
and 125b in whole percent. Numerators and denominators are printed as the template does (whole
days, tkr, whole årsarbetare); every value is computed from the unrounded inputs.

The period is the calendar year ("VB<year>") or the year to date at T1 (January–April) and T2
(January–August); the reference day is the period's last day. The prior-year value is the same
figure for the same months of the year before.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.hr.snapshots import Snapshot, newest_snapshot
from bokslut.sql import load_sql

EPOCH = date(1970, 1, 1).toordinal()

# id, Swedish name, unit, decimals of the value (as the template prints it)
DEFINITIONS: tuple[tuple[str, str, str, int], ...] = (
    ("122", "Andel tillsvidareanställda", "procent", 1),
    ("123", "Andel heltidstjänster", "procent", 1),
    ("124", "Personalomsättning", "procent", 2),
    ("125a", "Andel kvinnor bland anställda (underlag till 125)", "procent", 0),
    ("125b", "Andel kvinnliga chefer (underlag till 125)", "procent", 0),
    ("125", "Andelen kvinnliga chefer i förhållande till andelen kvinnor bland de anställda", "kvot", 2),
    ("126", "Andelen utrikes födda chefer i förhållande till andelen utrikes födda medarbetare", "kvot", 2),
    ("127", "Korttidsfrånvaro (sjukfrånvarodagar dag 1–14 av avtalad arbetstid)", "procent", 2),
    ("128", "Långtidsfrånvaro (sjukfrånvarodagar dag 15– av avtalad arbetstid)", "procent", 2),
    ("129", "Kostnad korttidsfrånvaro per årsarbetare (utan personalförsäkring)", "kronor per årsarbetare", 0),
)

# Where an earlier year's template printed a figure with other decimals: id -> (last such year,
# decimals). The VB 2020 template prints 125 as "1,049" (tests/reference/2020/nyckeltal.tsv); the
# 2024 one with two decimals. Years between are unknown: the newer form is assumed from 2021.
EARLIER_DECIMALS: dict[str, tuple[int, int]] = {"125": (2020, 3)}


def printed_decimals(fid: str, decimals: int, year: int) -> int:
    """Decimals of figure ``fid`` in the template of ``year`` (prior-year values as the same template prints them)."""
    last_year, earlier = EARLIER_DECIMALS.get(fid, (0, decimals))
    return earlier if year <= last_year else decimals


@dataclass(frozen=True)
class KeyFigure:
    id: str
    name: str
    unit: str
    numerator: Decimal | None  # as printed (rounded like the template)
    denominator: Decimal | None
    value: Decimal | None  # rounded from the unrounded inputs
    value_prior_year: Decimal | None


@dataclass
class KeyFigures:
    forvaltning: str
    year: int
    months: int  # 12 = the year, 4 = T1, 8 = T2
    figures: list[KeyFigure]
    sources: list[str] = field(default_factory=list)  # Swedish: which snapshots were used
    notes: list[str] = field(default_factory=list)  # Swedish: what is missing and why

    def by_id(self) -> dict[str, KeyFigure]:
        return {f.id: f for f in self.figures}

    @property
    def label(self) -> str:
        return {12: f"helår {self.year}", 4: f"T1 {self.year} (januari–april)", 8: f"T2 {self.year} (januari–augusti)"}[
            self.months]


@dataclass
class _Inputs:
    """The unrounded inputs of one förvaltning and period; None where the extract is missing."""

    population: dict[str, int] | None = None
    turnover: dict[str, int] | None = None
    average_tillsvidare: Fraction | None = None
    short_days: Fraction | None = None
    long_days: Fraction | None = None
    cost_kr: Fraction | None = None
    contracted_days: Fraction | None = None
    arsarbetare: Fraction | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _inputs(connection: sa.Connection, forvaltning: str, year: int, months: int) -> _Inputs:
    out = _Inputs()
    first, ref = date(year, 1, 1), _month_end(year, months)
    from_day, ref_day = day_number(first), day_number(ref)
    employment = newest_snapshot(connection, "hr_anstallning", forvaltning, year * 100 + months, year * 100 + 12)
    if employment is None:
        out.notes.append(f"Ingen publicerad anställningsfil (LISA) för {forvaltning} {year} från månad {months:02d}: "
                         "nyckeltal 122–126 saknas.")
    else:
        out.snapshots.append(employment)
        params = {"load_id": employment.load_id, "forvaltning": forvaltning}
        row = connection.execute(load_sql("hr/population"), {**params, "ref_day": ref_day}).mappings().one()
        out.population = {k: int(v or 0) for k, v in row.items()}
        row = connection.execute(load_sql("hr/turnover"), {**params, "from_day": from_day, "to_day": ref_day}).mappings().one()
        out.turnover = {k: int(v or 0) for k, v in row.items()}
        query = load_sql("hr/average_tillsvidare")
        summed = sum(int(connection.execute(query, {**params, "day_no": day_number(_month_end(year, m))}).scalar() or 0)
                     for m in range(1, months + 1))
        out.average_tillsvidare = Fraction(summed, months)
    absence = newest_snapshot(connection, "hr_franvaro", forvaltning, year * 100 + months, year * 100 + 12)
    if absence is None:
        out.notes.append(f"Ingen publicerad frånvarofil (LISA) för {forvaltning} {year} från månad {months:02d}: "
                         "nyckeltal 127–129 saknas.")
    else:
        out.snapshots.append(absence)
        row = connection.execute(load_sql("hr/sick_days"), {
            "load_id": absence.load_id, "forvaltning": forvaltning, "from_day": from_day, "to_day": ref_day,
        }).mappings().one()
        out.short_days = Fraction(int(row["short_units"]), 10000)
        out.long_days = Fraction(int(row["long_units"]), 10000)
        out.cost_kr = Fraction(int(row["cost_ore"]), 100)
    rows = connection.execute(load_sql("hr/contracted_time"), {
        "forvaltning": forvaltning, "from_period": year * 100 + 1, "to_period": year * 100 + months,
    }).all()
    missing = sorted(set(range(year * 100 + 1, year * 100 + months + 1)) - {int(r.period) for r in rows})
    if missing:
        out.notes.append(f"Avtalad tid (LISA) saknas för {forvaltning} månad {', '.join(map(str, missing))}: "
                         "nyckeltal 127–129 saknas.")
    else:
        out.contracted_days = Fraction(sum(int(r.dagar_hundradelar) for r in rows), 100)
        out.arsarbetare = Fraction(sum(int(r.arsarbetare_tiotusendelar) for r in rows), 10000 * months)
    return out


def _round(value: Fraction | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _ratio(numerator: Fraction | int | None, denominator: Fraction | int | None) -> Fraction | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def _values(i: _Inputs) -> dict[str, tuple[Fraction | None, Fraction | None, Fraction | None, int]]:
    """id → (numerator, denominator, value, decimals of numerator and denominator as printed)."""
    p, t = i.population or {}, i.turnover or {}
    hundred = Fraction(100)

    def pct(n, d):  # noqa: ANN001, ANN202
        r = _ratio(n, d)
        return None if r is None else r * hundred

    women = pct(p.get("kvinnor"), p.get("anstallda"))
    women_managers = pct(p.get("kvinnliga_chefer"), p.get("chefer"))
    foreign = pct(p.get("utrikes_fodda"), p.get("anstallda"))
    foreign_managers = pct(p.get("utrikes_fodda_chefer"), p.get("chefer"))
    leavers = min(t["avgangar"], t["rekryteringar"]) if t else None
    cost_tkr = None if i.cost_kr is None else i.cost_kr / 1000
    return {
        "122": (p.get("tillsvidare"), p.get("anstallningar"), pct(p.get("tillsvidare"), p.get("anstallningar")), 0),
        "123": (p.get("heltid"), p.get("tillsvidare"), pct(p.get("heltid"), p.get("tillsvidare")), 0),
        "124": (leavers, i.average_tillsvidare, pct(leavers, i.average_tillsvidare), 0),
        "125a": (p.get("kvinnor"), p.get("anstallda"), women, 0),
        "125b": (p.get("kvinnliga_chefer"), p.get("chefer"), women_managers, 0),
        "125": (women_managers, women, _ratio(women_managers, women), 0),
        "126": (foreign_managers, foreign, _ratio(foreign_managers, foreign), 0),
        "127": (i.short_days, i.contracted_days, pct(i.short_days, i.contracted_days), 0),
        "128": (i.long_days, i.contracted_days, pct(i.long_days, i.contracted_days), 0),
        "129": (cost_tkr, i.arsarbetare, _ratio(i.cost_kr, i.arsarbetare), 0),
    }


def key_figures(engine: Engine, forvaltning: str, year: int, months: int = 12) -> KeyFigures:
    """Nyckeltal 122–129 of ``forvaltning`` for January–``months`` of ``year``, with the prior year's values."""
    if months not in (4, 8, 12):
        raise ValueError(f"Nyckeltal räknas för helår (12), T1 (4) eller T2 (8) månader, inte {months}.")
    with engine.connect() as connection:
        current = _inputs(connection, forvaltning, year, months)
        prior = _inputs(connection, forvaltning, year - 1, months)
    now, before = _values(current), _values(prior)
    figures = []
    for fid, name, unit, decimals in DEFINITIONS:
        decimals = printed_decimals(fid, decimals, year)
        numerator, denominator, value, shown = now[fid]
        figures.append(KeyFigure(fid, name, unit, _round(_fraction(numerator), shown),
                                 _round(_fraction(denominator), shown), _round(value, decimals),
                                 _round(before[fid][2], decimals)))
    sources = [f"{s.source} {s.period} (laddning {s.load_id})" for s in current.snapshots + prior.snapshots]
    notes = current.notes + [f"Föregående år: {n}" for n in prior.notes]
    return KeyFigures(forvaltning, year, months, figures, sources, notes)


def _fraction(value: Fraction | int | None) -> Fraction | None:
    return None if value is None else Fraction(value)
