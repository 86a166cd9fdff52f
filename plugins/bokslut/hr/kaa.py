"""KAA statistics from the BER snapshots (``docs/spec/domain.md`` §10, ``docs/hr-kaa.md``).

The statistics year Y runs from 1 December Y-1 to 30 November Y; it is computed from the newest
published November snapshot of Y (or, for the year so far, the newest snapshot since December).
Counts are unique young people per group: totalt, kön, stadsdel and Jobbtorg, with the metric
names of ``tests/reference/2024/kaa.tsv``. Small cells are protected in the printed values
(:mod:`bokslut.hr.suppression`); the raw counts never leave this module except to the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.hr.snapshots import Snapshot, newest_snapshot
from bokslut.hr.suppression import SECONDARY, share_hidden, suppress
from bokslut.sql import load_sql

KON_GROUPS = {"K": "kvinnor", "M": "män"}
UNKNOWN = "saknas"

# Printed counts, in output order, and the SQL column each comes from.
COUNTS = (
    ("ungdomar_i_kaa_registret", "registret"),
    ("sokta_unika_ungdomar", "sokta"),
    ("nadda", "nadda"),
    ("ej_nadda", None),
    ("tog_del_av_stod_insatser", "stod"),
    ("nyinskrivna", "nyinskrivna"),
    ("avslutade", "avslutade"),
    ("avslutade_till_studier", "till_studier"),
    ("avslutade_till_arbete", "till_arbete"),
)
# Shares: metric, numerator, denominator.
SHARES = (
    ("andel_nadda_av_sokta", "nadda", "sokta_unika_ungdomar"),
    ("andel_med_sysselsattning_vid_forsta_kontakt", "sysselsatta", "nadda"),
    ("andel_avslutade_till_studier", "avslutade_till_studier", "avslutade"),
    ("andel_avslutade_till_arbete", "avslutade_till_arbete", "avslutade"),
)
OUTPUT_ORDER = (
    "ungdomar_i_kaa_registret", "sokta_unika_ungdomar", "nadda", "ej_nadda", "andel_nadda_av_sokta",
    "kontaktforsok", "andel_med_sysselsattning_vid_forsta_kontakt", "tog_del_av_stod_insatser", "nyinskrivna",
    "avslutade", "avslutade_till_studier", "andel_avslutade_till_studier", "avslutade_till_arbete",
    "andel_avslutade_till_arbete",
)
# Identities inside a group (whole first); metrics not printed still count as cells.
IDENTITIES = (
    ("ungdomar_i_kaa_registret", "sokta_unika_ungdomar", "ej_sokta"),
    ("sokta_unika_ungdomar", "nadda", "ej_nadda"),
    ("nadda", "sysselsatta", "ej_sysselsatta"),
    ("tog_del_av_stod_insatser", "nyinskrivna", "fortsatt_inskrivna"),
    ("avslutade", "avslutade_till_studier", "avslutade_till_arbete", "avslutade_ovrigt"),
)


@dataclass(frozen=True)
class KaaRow:
    metric: str
    group: str
    value: int | None  # the exact count or whole percent; None when it cannot be computed
    shown: str  # what outputs print: the value, "<5" or ".."


@dataclass
class KaaStatistics:
    forvaltning: str
    year: int
    period_from: date
    period_to: date
    rows: list[KaaRow]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def value(self, metric: str, group: str = "totalt") -> int | None:
        return next(r.value for r in self.rows if r.metric == metric and r.group == group)

    def shown(self, metric: str, group: str = "totalt") -> str:
        return next(r.shown for r in self.rows if r.metric == metric and r.group == group)


def _group(dimension: str, value: str) -> str:
    if dimension == "totalt":
        return "totalt"
    if dimension == "kon":
        return KON_GROUPS.get(value, "okänt kön")
    return f"{dimension}:{value or UNKNOWN}"


def _percent(numerator: int, denominator: int) -> int | None:
    if not denominator:
        return None
    return int((Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _snapshots(connection: sa.Connection, forvaltning: str, year: int) -> tuple[Snapshot | None, Snapshot | None]:
    first, last = (year - 1) * 100 + 12, year * 100 + 11
    return (newest_snapshot(connection, "ber_registrering", forvaltning, first, last),
            newest_snapshot(connection, "ber_kontakt", forvaltning, first, last))


def kaa_statistics(engine: Engine, year: int, forvaltning: str = "191") -> KaaStatistics:
    """The KAA statistics of statistics year ``year`` (1 December ``year``-1 – 30 November ``year``)."""
    with engine.connect() as connection:
        registrations, contacts = _snapshots(connection, forvaltning, year)
        if registrations is None or contacts is None:
            missing = "registreringar" if registrations is None else "kontaktförsök"
            raise ValueError(f"Ingen publicerad BER-fil med {missing} för {forvaltning} och statistikåret {year} "
                             f"(1 december {year - 1} – 30 november {year}); läs in BER-uttaget först.")
        period_from = date(year - 1, 12, 1)
        snapshot_month = registrations.period % 100
        snapshot_year = registrations.period // 100
        period_to = _last_day(snapshot_year, snapshot_month)
        params = {"registration_load": registrations.load_id, "contact_load": contacts.load_id,
                  "forvaltning": forvaltning, "period_from": period_from, "period_to": period_to}
        statement = load_sql("kaa/statistics").bindparams(
            sa.bindparam("period_from", type_=sa.Date), sa.bindparam("period_to", type_=sa.Date))
        raw = connection.execute(statement, params).mappings().all()
    values: dict[tuple[str, str], int] = {}
    breakdowns: dict[str, list[str]] = {}
    for row in raw:
        group = _group(row["dimension"], row["grupp"] or "")
        if row["dimension"] != "totalt":
            breakdowns.setdefault(row["dimension"], []).append(group)
        counts = {k: int(row[k] or 0) for k in ("registret", "sokta", "nadda", "sysselsatta", "stod", "nyinskrivna",
                                                  "avslutade", "till_studier", "till_arbete")}
        for metric, column in COUNTS:
            if column:
                values[(metric, group)] = counts[column]
        values[("ej_nadda", group)] = counts["sokta"] - counts["nadda"]
        values[("sysselsatta", group)] = counts["sysselsatta"]
        values[("ej_sysselsatta", group)] = counts["nadda"] - counts["sysselsatta"]
        values[("ej_sokta", group)] = counts["registret"] - counts["sokta"]
        values[("fortsatt_inskrivna", group)] = counts["stod"] - counts["nyinskrivna"]
        values[("avslutade_ovrigt", group)] = counts["avslutade"] - counts["till_studier"] - counts["till_arbete"]
        if row["dimension"] == "totalt":
            values[("kontaktforsok", "totalt")] = int(row["kontaktforsok"] or 0)
    printed = {m for m, _ in COUNTS} | {"kontaktforsok"}
    marks = suppress(values, printed, breakdowns.values(), IDENTITIES)
    groups = ["totalt"] + sorted({g for _, g in values if g != "totalt"}, key=_group_order)
    rows = []
    for metric in OUTPUT_ORDER:
        for group in groups:
            if metric == "kontaktforsok" and group != "totalt":
                continue
            share = next((s for s in SHARES if s[0] == metric), None)
            if share:
                _, num, den = share
                value = _percent(values[(num, group)], values[(den, group)])
                hidden = share_hidden((num, group), (den, group), values, marks)
                rows.append(KaaRow(metric, group, value, SECONDARY if hidden or value is None else str(value)))
            else:
                value = values[(metric, group)]
                rows.append(KaaRow(metric, group, value, marks.get((metric, group), str(value))))
    sources = [f"{s.source} {s.period} (laddning {s.load_id})" for s in (registrations, contacts)]
    notes = []
    if registrations.period != year * 100 + 11:
        notes.append(f"Statistikåret är inte komplett: uttaget avser {registrations.period}, "
                     f"perioden är 1 december {year - 1} – {period_to.isoformat()}.")
    return KaaStatistics(forvaltning, year, period_from, period_to, rows, sources, notes)


def _group_order(group: str) -> tuple[int, str]:
    dimension = group.split(":", 1)[0]
    rank = {"kvinnor": 0, "män": 0, "okänt kön": 0, "stadsdel": 1, "jobbtorg": 2}.get(dimension, 0)
    return rank, ("ö" * 3 if group.endswith(f":{UNKNOWN}") else "") + group


def _last_day(year: int, month: int) -> date:
    import calendar

    return date(year, month, calendar.monthrange(year, month)[1])
