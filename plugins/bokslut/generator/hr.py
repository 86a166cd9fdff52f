"""Synthetic LISA extracts (employments, absence, contracted time) for the year and the prior year.

A small simulated workforce of förvaltning 191: tillsvidare employees who leave, are recruited
and move internally, visstid employments of every length, hourly paid staff, sick-leave spells
short and long. Loaded by the pipeline, the year's key figures 122–129 are exactly the inputs of
``tests/reference/<year>/nyckeltal.tsv`` and the prior year's values the printed prior-year
values (the targets are in ``data/<year>/hr.yaml``, 2024 and 2020; see ``docs/generator.md`` "HR and BER"). No names are
generated; personnummer come from :mod:`bokslut.generator.persons` (test range only).

Written per year Y (the prior year too): ``hr/anstallningar_<forv>_<Y>12.csv`` and
``hr/franvaro_<forv>_<Y>12.csv`` (the December snapshots: every employment and spell touching the
year, as known at the end of December) and ``hr/avtaladtid_<forv>_<Y>.csv`` (contracted time per
employment and month).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import yaml

from .csvout import open_csv
from .persons import PersonnummerPool, spelled
from .split import allocate

DATA_DIR = Path(__file__).with_name("data")

EMPLOYMENT_HEADER = (
    "Period", "Förvaltning", "Personnummer", "Anstallnings-id", "Enhet", "Anställningsform",
    "Sysselsättningsgrad", "Chef", "Kön", "Utrikes född", "Startdatum", "Slutdatum", "Avgångsorsak",
)
ABSENCE_HEADER = (
    "Period", "Förvaltning", "Personnummer", "Anstallnings-id", "Frånvarotyp", "Startdatum", "Slutdatum",
    "Omfattning", "Sjuklönekostnad dag 2–14",
)
CONTRACTED_HEADER = ("Förvaltning", "Personnummer", "Anstallnings-id", "Period", "Avtalade dagar", "Årsarbetare")

DEPARTURE_REASONS = (("egen begäran", 0.6), ("pension", 0.25), ("annan anställning i staden", 0.1), ("uppsägning", 0.05))
PART_TIME_GRADES = (50, 75, 80, 90)
RECRUIT_MONTH_WEIGHTS = np.array([1.2, 0.8, 0.8, 0.8, 0.9, 0.7, 0.5, 1.6, 1.6, 1.0, 0.9, 0.6])
DEPARTURE_MONTH_WEIGHTS = np.array([0.8, 0.7, 0.8, 0.8, 0.9, 1.6, 1.2, 1.3, 0.9, 0.8, 0.8, 1.0])


def hr_config(year: int) -> dict | None:
    """The HR targets of ``year`` (``data/<year>/hr.yaml``), or None when the year has none."""
    path = DATA_DIR / str(year) / "hr.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def _d(y: int, m: int, day: int) -> int:
    return date(y, m, day).toordinal()


def _iso(ordinal: int | None) -> str:
    return "" if ordinal is None else date.fromordinal(ordinal).isoformat()


def _last(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


@dataclass
class Person:
    born: date
    number: str = ""  # normalised personnummer (12 digits), given once kön is final
    kon: str = "K"
    fb: bool = False  # utrikes född
    part_time: int = 100  # sysselsättningsgrad of the person's tillsvidare employments


@dataclass
class Employment:
    key: int
    person: int
    form: str  # tillsvidare | visstid | vikariat | timanställd
    start: int  # ordinal
    end: int | None = None
    grade: int = 100
    chef: bool = False
    enhet: str = ""
    reason: str = ""
    kind: str = ""  # what the simulation made it: stock, recruit, move-old, ...

    def active(self, day: int) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def overlaps(self, first: int, last: int) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass
class Spell:
    employment: int
    kind: str  # sjuk | vab | föräldraledig | semester
    start: int
    end: int
    extent: int = 100  # percent
    cost_ore: int = 0


class Workforce:
    """The simulated population; every random choice comes from one seeded stream."""

    def __init__(self, config: dict, year: int, seed: int):
        self.cfg = config
        self.year = year
        self.prior = year - 1
        self.rng = np.random.default_rng([seed, year, 10])
        self.pool = PersonnummerPool(self.rng)
        self.persons: list[Person] = []
        self.jobs: list[Employment] = []
        self.spells: list[Spell] = []
        self.units = list(config["enheter"])
        self.targets = {int(k): v for k, v in config["ar"].items()}

    # --- building blocks -------------------------------------------------------------------------

    def person(self, born_from: int, born_to: int) -> int:
        born = date.fromordinal(int(self.rng.integers(born_from, born_to + 1)))
        self.persons.append(Person(born))
        return len(self.persons) - 1

    def adult(self) -> int:
        return self.person(_d(1958, 1, 1), _d(self.year - 21, 12, 31))

    def job(self, person: int, form: str, start: int, end: int | None = None, **kw) -> Employment:
        job = Employment(len(self.jobs), person, form, start, end, enhet=self.unit(), **kw)
        self.jobs.append(job)
        return job

    def unit(self) -> str:
        return self.units[int(self.rng.integers(len(self.units)))]

    def day_in(self, y: int, m: int, first: int = 1, last: int | None = None) -> int:
        last = _last(y, m) if last is None else last
        return _d(y, m, int(self.rng.integers(first, last + 1)))

    def reason(self) -> str:
        names, weights = zip(*DEPARTURE_REASONS, strict=True)
        return names[int(self.rng.choice(len(names), p=np.array(weights) / sum(weights)))]

    # --- tillsvidare flows -----------------------------------------------------------------------

    def monthly_flows(self, start: int, end: int, total: int, departures: int) -> tuple[list[int], list[int]]:
        """(recruits, departures) per month so that the month-end counts run from ``start`` to
        ``end`` and add up to ``total`` (12 × the average)."""
        net = end - start
        cum = np.cumsum(RECRUIT_MONTH_WEIGHTS) / RECRUIT_MONTH_WEIGHTS.sum()
        g = [int(round(net * c)) for c in cum]
        g[11] = net
        diff = total - 12 * start - sum(g)
        order = (5, 6, 4, 7, 3, 8, 2, 9, 1, 10, 0)
        i = 0
        while diff:
            step = 1 if diff > 0 else -1
            g[order[i % 11]] += step
            diff -= step
            i += 1
        delta = np.array([g[0]] + [g[m] - g[m - 1] for m in range(1, 12)], dtype=np.int64)
        d = allocate(departures, DEPARTURE_MONTH_WEIGHTS).astype(np.int64)
        r = delta + d
        while (r < 0).any():
            m = int(np.argmin(r))
            donors = [k for k in range(12) if k != m and d[k] > 0 and r[k] > 0]
            k = donors[int(self.rng.integers(len(donors)))]
            d[k] -= 1
            d[m] += 1
            r = delta + d
        return r.tolist(), d.tolist()

    def tillsvidare_year(self, y: int, active: list[Employment], moves: int, promotions: int,
                         recruits: list[int], departures: list[int], conversions: int,
                         keep: set[int]) -> tuple[list[Employment], list[Employment], list[Employment]]:
        """Realise one year's internal moves, departures and recruitments; returns (movers' new
        employments, departed employments, conversion recruits waiting for their visstid)."""
        pool = [j for j in active if j.person not in keep]
        order = self.rng.permutation(len(pool))
        movers = [pool[i] for i in order[:moves]]
        leavers = [pool[i] for i in order[moves:moves + sum(departures)]]
        new_jobs = []
        for n, old in enumerate(movers):
            x = self.day_in(y, int(self.rng.integers(2, 12)))
            old.end, old.reason, old.kind = x, "byte av befattning", "move-old"
            new = self.job(old.person, "tillsvidare", x + 1, kind="promotion" if n < promotions else "move")
            new_jobs.append(new)
        it = iter(leavers)
        gone = []
        for m, count in enumerate(departures, start=1):
            for _ in range(count):
                job = next(it)
                job.end, job.reason, job.kind = self.day_in(y, m, 1, _last(y, m) - 1), self.reason(), "departed"
                gone.append(job)
        converts = set(self.rng.choice(sum(recruits), size=conversions, replace=False).tolist())
        waiting = []
        n = 0
        for m, count in enumerate(recruits, start=1):
            for _ in range(count):
                start = _d(y, m, 1) if self.rng.random() < 0.5 else self.day_in(y, m)
                if n in converts:  # the person's visstid (ending the day before) is made later
                    job = self.job(self.adult(), "tillsvidare", start, kind="conversion")
                    waiting.append(job)
                else:
                    job = self.job(self.adult(), "tillsvidare", start, kind="recruit")
                n += 1
        return new_jobs, gone, waiting

    # --- the simulation --------------------------------------------------------------------------

    def build(self) -> None:
        y1, y2 = self.prior, self.year
        t1, t2 = self.targets[y1], self.targets[y2]
        r0, r1, r2 = _d(y1 - 1, 12, 31), _d(y1, 12, 31), _d(y2, 12, 31)
        rec1 = t1["rekryteringar"]
        start1 = t1["tillsvidare"] - rec1 + t1["avgangar"]

        # Tillsvidare stock on 31 December before the prior year.
        stock = []
        for _ in range(start1):
            hired = int(self.rng.integers(_d(1988, 1, 1), r0 + 1)) if self.rng.random() < 0.6 else \
                int(self.rng.integers(_d(2015, 1, 1), r0 + 1))
            stock.append(self.job(self.adult(), "tillsvidare", hired, kind="stock"))

        r_1, d_1 = self.monthly_flows(start1, t1["tillsvidare"], 12 * t1["genomsnitt_tillsvidare"], t1["avgangar"])
        new1, gone1, wait1 = self.tillsvidare_year(y1, stock, t1["interna_byten"], t1["befordringar"], r_1, d_1,
                                                    t1["omvandlingar"], set())
        promoted1 = {j.person for j in new1 if j.kind == "promotion"}
        active1 = [j for j in self.jobs if j.form == "tillsvidare" and j.active(r1)]
        r_2, d_2 = self.monthly_flows(t1["tillsvidare"], t2["tillsvidare"], 12 * t2["genomsnitt_tillsvidare"],
                                      t2["avgangar"])
        new2, gone2, wait2 = self.tillsvidare_year(y2, active1, t2["interna_byten"], t2["befordringar"], r_2, d_2,
                                                    t2["omvandlingar"], promoted1)

        # Visstid: A spans both year ends, B is active on 31 Dec of the prior year and ends in the
        # year (conversions among them), C starts in the year and runs on, D are short ones inside
        # a year, E run from the year before into the prior year (the prior year's conversions).
        vis1 = t1["anstallningar"] - t1["tillsvidare"]
        vis2 = t2["anstallningar"] - t2["tillsvidare"]
        n_a = self.cfg["visstid_bada_arsskiften"]
        for _ in range(n_a):
            self.temp(int(self.rng.integers(_d(y1 - 1, 6, 1), r1 + 1)),
                      int(self.rng.integers(_d(y2 + 1, 1, 31), _d(y2 + 1, 12, 31) + 1)), "A")
        for job in wait2:
            self.temp(int(self.rng.integers(_d(y1 - 1, 9, 1), r1 - 30)), job.start - 1, "B",
                      reason="övergång till tillsvidare", person=job.person)
        for _ in range(vis1 - n_a - len(wait2)):  # projects end in the spring ...
            self.temp(int(self.rng.integers(_d(y1 - 1, 9, 1), r1 - 30)),
                      int(self.rng.integers(_d(y2, 1, 15), _d(y2, 6, 30) + 1)), "B")
        # A few tillsvidare employees also hold one of the new visstider on 31 December: two
        # employments, one person (2020: 953 anställningar for 122, 951 anställda for 125).
        doubles = self.double_holders(r2, int(t2.get("dubbla_anstallningar", 0)))
        for n in range(vis2 - n_a):  # ... and new ones start in the autumn
            self.temp(int(self.rng.integers(_d(y2, 7, 1), r2 + 1)),
                      int(self.rng.integers(_d(y2 + 1, 1, 31), _d(y2 + 1, 12, 31) + 1)), "C",
                      person=doubles[n] if n < len(doubles) else None)
        for job in wait1:
            self.temp(int(self.rng.integers(_d(y1 - 2, 9, 1), _d(y1 - 1, 12, 1))), job.start - 1, "E",
                      reason="övergång till tillsvidare", person=job.person)
        for _ in range(self.cfg["visstid_fran_forra_aret"]):
            self.temp(int(self.rng.integers(_d(y1 - 2, 9, 1), _d(y1 - 1, 12, 1))),
                      int(self.rng.integers(_d(y1, 1, 15), _d(y1, 12, 30) + 1)), "E")
        for y in (y1, y2):
            for _ in range(self.cfg["korta_visstider"]):
                first = int(self.rng.integers(_d(y, 1, 1), _d(y, 10, 1)))
                self.temp(first, min(first + int(self.rng.integers(20, 150)), _d(y, 12, 30)), f"D{y}", grade=100)

        # Hourly paid staff: in the snapshots, never in the counts.
        for _ in range(self.cfg["timanstallda"]):
            start = int(self.rng.integers(_d(2016, 1, 1), _d(y2, 6, 1)))
            end = int(self.rng.integers(_d(y1, 3, 1), _d(y2, 12, 1))) if self.rng.random() < 0.3 else None
            if end is not None and end <= start:
                end = None
            job = self.job(self.adult(), "timanställd", start, end, grade=0, kind="hourly")
            if end is not None:
                job.reason = "anställningen upphör"

        self.promote_and_assign(r1, r2, gone2, new1, new2)

    def double_holders(self, day: int, n: int) -> list[int]:
        """``n`` distinct persons with a tillsvidare employment in force on ``day`` (none drawn when n is 0)."""
        if n == 0:
            return []
        people = sorted({j.person for j in self.jobs if j.form == "tillsvidare" and j.active(day)})
        return [people[i] for i in self.rng.permutation(len(people))[:n]]

    def temp(self, start: int, end: int, group: str, grade: int | None = None, reason: str = "visstid upphör",
             person: int | None = None) -> Employment:
        if grade is None:
            grade = 100 if self.rng.random() < 0.85 else int(self.rng.choice((50, 75)))
        form = "vikariat" if self.rng.random() < 0.2 else "visstid"
        person = self.adult() if person is None else person
        return self.job(person, form, start, end, grade=grade, reason=reason, kind=group)

    # --- flags: managers, kön, utrikes född, part time ------------------------------------------------

    def promote_and_assign(self, r1: int, r2: int, gone2: list[Employment], new1: list[Employment],
                           new2: list[Employment]) -> None:
        t1, t2 = self.targets[self.prior], self.targets[self.year]
        tv = [j for j in self.jobs if j.form == "tillsvidare"]
        e1 = {j.key for j in tv if j.active(r1)}
        e2 = {j.key for j in tv if j.active(r2)}
        both = sorted(e1 & e2)
        promoted1 = [j.key for j in new1 if j.kind == "promotion"]
        promoted2 = [j.key for j in new2 if j.kind == "promotion"]
        stay = t1["chefer"] - t2["chefer_som_slutar"]
        chosen = set(promoted1)
        rest = [k for k in both if k not in chosen]
        chosen |= {rest[i] for i in self.rng.permutation(len(rest))[:stay - len(promoted1)]}
        leavers = [j.key for j in gone2]
        chosen |= {leavers[i] for i in self.rng.permutation(len(leavers))[:t2["chefer_som_slutar"]]}
        recruits2 = [j.key for j in tv if j.kind == "recruit" and j.key in e2 and j.key not in e1]
        extra = t2["chefer"] - stay - len(promoted2)
        chosen |= set(promoted2) | {recruits2[i] for i in self.rng.permutation(len(recruits2))[:extra]}
        for j in tv:
            gone_early = j.end is not None and j.end < r1 and j.kind not in ("move-old",)
            j.chef = j.key in chosen or (gone_early and self.rng.random() < 0.08)
        # Who is counted where: månadsavlönade on the two reference days.
        monthly = [j for j in self.jobs if j.form != "timanställd"]
        sig: dict[int, tuple[int, int, int, int]] = {}
        for p in range(len(self.persons)):
            sig[p] = (0, 0, 0, 0)
        for j in monthly:
            s = list(sig[j.person])
            if j.active(r1):
                s[0], s[2] = 1, int(s[2] or j.chef)
            if j.active(r2):
                s[1], s[3] = 1, int(s[3] or j.chef)
            sig[j.person] = tuple(s)
        self.assign(sig, "kon", 0.72, (t1["kvinnliga_chefer"], t2["kvinnliga_chefer"], t1["kvinnor"], t2["kvinnor"]))
        self.assign(sig, "fb", 0.22, (t1["utrikes_fodda_chefer"], t2["utrikes_fodda_chefer"], t1["utrikes_fodda"],
                                      t2["utrikes_fodda"]))
        # Part time among tillsvidare: the person's grade, on both reference days.
        tv_sig: dict[int, tuple[int, int]] = {}
        for j in tv:
            a, b = tv_sig.get(j.person, (0, 0))
            tv_sig[j.person] = (a | int(j.active(r1)), b | int(j.active(r2)))
        groups: dict[tuple[int, int], list[int]] = {}
        for p, s in sorted(tv_sig.items()):
            groups.setdefault(s, []).append(p)
        part1 = t1["tillsvidare"] - t1["heltid"]
        part2 = t2["tillsvidare"] - t2["heltid"]
        both_part = min(part1, part2) - 2
        want = {(1, 1): both_part, (1, 0): part1 - both_part, (0, 1): part2 - both_part}
        for s, people in groups.items():
            count = want.get(s, int(round(0.01 * len(people))))
            for i in self.rng.permutation(len(people))[:count]:
                self.persons[people[i]].part_time = int(self.rng.choice(PART_TIME_GRADES))
        for j in tv:
            j.grade = self.persons[j.person].part_time

    def assign(self, sig: dict[int, tuple[int, int, int, int]], attr: str, share: float,
               targets: tuple[int, int, int, int]) -> None:
        """Give ``attr`` (kön K / utrikes född) to exactly the target number of persons among the
        managers and employees on each reference day (31 Dec of the prior year and of the year)."""
        cats: dict[tuple[int, int, int, int], list[int]] = {}
        for p, s in sorted(sig.items()):
            cats.setdefault(s, []).append(p)
        size = {s: len(v) for s, v in cats.items()}

        def n(s: tuple[int, int, int, int]) -> int:
            return size.get(s, 0)

        base = {s: int(round(share * k)) for s, k in size.items()}
        a_s, b_s, c_s, e_s, f_s, g_s = (1, 1, 1, 1), (1, 0, 1, 0), (0, 1, 0, 1), (1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 0, 0)
        m1, m2, i1, i2 = targets

        def total(pred, values) -> int:
            return sum(v for s, v in values.items() if pred(s))

        def near(center: int, high: int) -> list[int]:
            return sorted(range(high + 1), key=lambda v: (abs(v - center), v))

        for a in near(base.get(a_s, 0), n(a_s)):
            for g in near(base.get(g_s, 0), n(g_s)):
                v = dict(base)
                v[a_s], v[g_s] = a, g
                v[b_s] = 0
                v[b_s] = m1 - total(lambda s: s[2], v)
                v[c_s] = 0
                v[c_s] = m2 - total(lambda s: s[3], v)
                v[e_s] = 0
                v[e_s] = i1 - total(lambda s: s[0], v)
                v[f_s] = 0
                v[f_s] = i2 - total(lambda s: s[1], v)
                if all(0 <= v[s] <= n(s) for s in (b_s, c_s, e_s, f_s)):
                    for s, people in cats.items():
                        picked = {people[i] for i in self.rng.permutation(len(people))[:v.get(s, 0)]}
                        for p in people:
                            if attr == "kon":
                                self.persons[p].kon = "K" if p in picked else "M"
                            else:
                                self.persons[p].fb = p in picked
                    return
        raise ValueError(f"HR-generatorn kan inte fördela {attr} enligt målen {targets}")

    # --- contracted time ---------------------------------------------------------------------------

    def month_days(self, job: Employment, y: int) -> list[tuple[int, int, int]]:
        """(month, days employed, days in month) for the months of ``y`` the job touches."""
        out = []
        for m in range(1, 13):
            first, last = _d(y, m, 1), _d(y, m, _last(y, m))
            lo = max(first, job.start)
            hi = last if job.end is None else min(last, job.end)
            if hi >= lo:
                out.append((m, hi - lo + 1, last - first + 1))
        return out

    def contracted(self) -> dict[int, list[list]]:
        """Rows [job, month, avtalade dagar (hundredths), årsarbetare (ten-thousandths)] per year;
        calibrates the year's short visstider so the contracted days hit the target exactly."""
        y1, y2 = self.prior, self.year
        t2 = self.targets[y2]
        target = int(t2["avtalade_dagar"]) * 100
        monthly = [j for j in self.jobs if j.form != "timanställd"]
        fixed = sum(d * j.grade for j in monthly if j.kind != f"D{y2}" for _, d, _ in self.month_days(j, y2))
        need = target - fixed
        shorts = [j for j in monthly if j.kind == f"D{y2}"]
        days, rest = divmod(need, 100)
        if days < 14 * len(shorts):
            raise ValueError("HR-generatorn: avtalade dagar räcker inte till de korta visstiderna")
        lengths = allocate(days, self.rng.lognormal(0, 0.5, len(shorts)), minimum=14)
        latest = _d(y2, 12, 30)
        for job, length in zip(shorts, lengths.tolist(), strict=True):
            if length > 360:
                raise ValueError("HR-generatorn: för långa korta visstider; öka korta_visstider")
            job.start = int(self.rng.integers(_d(y2, 1, 1), latest - length + 2))
            job.end = job.start + length - 1
        rows: dict[int, list[list]] = {y1: [], y2: []}
        for y in (y1, y2):
            for j in monthly:
                for m, d, dim in self.month_days(j, y):
                    rows[y].append([j, m, d * j.grade, (d * j.grade * 100 * 2 + dim) // (2 * dim)])
        # The remainder (< 1 day) goes onto one part-time row with room for it.
        for row in rows[y2]:
            job, m, value, _ = row
            if rest == 0:
                break
            dim = _last(y2, m)
            if job.grade < 100 and value + rest <= dim * 100:
                row[2] += rest
                rest = 0
        assert rest == 0
        return rows

    def hourly(self, rows: dict[int, list[list]]) -> None:
        """Årsarbetare of the hourly paid: the year's total hits the target exactly."""
        y1, y2 = self.prior, self.year
        hourly = [j for j in self.jobs if j.form == "timanställd"]
        for y in (y1, y2):
            slots = [(j, m) for j in hourly for m, _, _ in self.month_days(j, y)]
            monthly_fte = sum(r[3] for r in rows[y])
            if y == y2:
                target = int(Decimal(self.targets[y2]["arsarbetare"]) * 12 * 10000)
                total = target - monthly_fte
            else:
                total = int(len(slots) * 4300)
            weights = self.rng.uniform(0.5, 1.5, len(slots))
            parts = allocate(total, weights)
            if total < 0 or parts.max() > 10000:
                raise ValueError("HR-generatorn: timanställdas årsarbetare blir orimliga")
            for (job, m), fte in zip(slots, parts.tolist(), strict=True):
                rows[y].append([job, m, 0, fte])

    # --- absence -------------------------------------------------------------------------------

    def absence(self, rows: dict[int, list[list]]) -> None:
        y1, y2 = self.prior, self.year
        contracted = {y: sum(r[2] for r in rows[y]) for y in (y1, y2)}  # hundredths of days
        fte = {y: sum(r[3] for r in rows[y]) for y in (y1, y2)}
        t1, t2 = self.targets[y1], self.targets[y2]
        short1 = _days_for_share(contracted[y1], Decimal(t1["korttidsfranvaro_procent"]))
        long1 = _days_for_share(contracted[y1], Decimal(t1["langtidsfranvaro_procent"]))
        cost1 = int((Decimal(t1["kostnad_per_arsarbetare_kr"]) * Decimal(fte[y1]) / 120000).quantize(Decimal(1), ROUND_HALF_UP))
        self.busy: dict[int, list[tuple[int, int]]] = {}
        # Long spells of the year before the prior year that run into it.
        self.sick_year(y1 - 1, 0, 0, t1["langa_sjukfall"] // 5, carry_only=True)
        self.sick_year(y1, short1, long1, t1["langa_sjukfall"])
        self.sick_year(y2, int(t2["sjukdagar_dag_1_14"]), int(t2["sjukdagar_dag_15"]), t2["langa_sjukfall"])
        self.sick_cost(y1 - 1, 40_000_000)
        self.sick_cost(y1, cost1 * 100)
        self.sick_cost(y2, int(t2["sjuklonekostnad_dag_2_14_kr"]) * 100)
        self.other_absence()

    def free(self, job: Employment, start: int, end: int) -> bool:
        if not (job.start <= start and (job.end is None or job.end >= end)):
            return False
        return all(end < s or start > e for s, e in self.busy.get(job.person, []))

    def spell(self, job: Employment, kind: str, start: int, end: int, extent: int = 100) -> Spell:
        self.busy.setdefault(job.person, []).append((start, end))
        spell = Spell(job.key, kind, start, end, extent)
        self.spells.append(spell)
        return spell

    def place(self, kind: str, length: int, first: int, last: int, extent: int = 100,
              jobs: list[Employment] | None = None) -> Spell:
        """A spell of ``length`` days starting in [first, last] inside a monthly paid employment."""
        jobs = jobs or self.monthly_jobs
        for _ in range(2000):
            job = jobs[int(self.rng.integers(len(jobs)))]
            start = int(self.rng.integers(first, last + 1))
            if self.free(job, start, start + length - 1):
                return self.spell(job, kind, start, start + length - 1, extent)
        raise ValueError("HR-generatorn hittar ingen plats för en frånvaroperiod")

    def sick_year(self, y: int, short: int, long: int, n_long: int, carry_only: bool = False) -> None:
        """Sick spells starting in ``y`` whose days in ``y`` are exactly ``short`` days 1–14 and
        ``long`` days 15– (calendar days × omfattning), counting spells carried in from ``y``-1."""
        self.monthly_jobs = [j for j in self.jobs if j.form != "timanställd"]
        first, last = _d(y, 1, 1), _d(y, 12, 31)
        next_last = _d(y + 1, 12, 31)
        stayers = [j for j in self.monthly_jobs if j.start <= first - 200 and (j.end is None or j.end > next_last)]
        if carry_only:
            for _ in range(n_long):
                self.place("sjuk", int(self.rng.integers(60, 200)), _d(y, 9, 1), _d(y, 12, 10),
                           jobs=stayers)
            return
        def contribution(spells) -> tuple[int, int]:
            s = lg = 0
            for sp in spells:
                s_lo, s_hi = max(sp.start, first), min(sp.start + 13, sp.end, last)
                l_lo, l_hi = max(sp.start + 14, first), min(sp.end, last)
                s += max(0, s_hi - s_lo + 1) * sp.extent
                lg += max(0, l_hi - l_lo + 1) * sp.extent
            return s, lg

        def gap_now() -> int:
            return long * 100 - contribution(
                [sp for sp in self.spells if sp.kind == "sjuk" and sp.end >= first and sp.start <= last])[1]

        # Spells that run into next year first (at most n_long/6), then spells inside the year
        # while the long days left allow, then one 100 % and one 50 % spell that make them exact.
        for i in range(n_long * 4):
            gap = gap_now()
            if gap <= 300 * 100:
                break
            extent = 50 if self.rng.random() < 0.25 else 100
            crossing = i < n_long // 6
            most = min(330, gap // extent - 60) if not crossing else 200
            length = int(self.rng.integers(15, max(16, most)))
            start_last = _d(y, 11, 30) if crossing else last - length - 5
            self.place("sjuk", length, first, start_last, extent, jobs=stayers if crossing else None)
        gap = gap_now()
        half = 50 if gap % 100 else 0
        whole = (gap - half) // 100
        if whole < 20:
            raise ValueError("HR-generatorn: för många långa sjukfall för målet")
        self.place("sjuk", 14 + whole, first, last - 14 - whole, jobs=stayers)
        if half:
            self.place("sjuk", 15, first, last - 20, extent=50, jobs=stayers)  # adds 0,5 day 15
            self.spells[-1].end -= 0  # length 15 at 50 %: day 15 counts 0,5
        relevant = [sp for sp in self.spells if sp.kind == "sjuk" and sp.end >= first and sp.start <= last]
        s, lg = contribution(relevant)
        assert lg == long * 100, (lg, long)
        # Short spells (1–14 days, 100 %) until the short days are exact.
        gap = short * 100 - s
        if gap < 0 or gap % 100:
            raise ValueError("HR-generatorn: för många korta sjukdagar i de långa sjukfallen")
        days = gap // 100
        while days > 0:
            length = min(days, int(min(14, self.rng.geometric(0.3))))
            self.place("sjuk", length, first, last - length + 1)
            days -= length
        s, lg = contribution([sp for sp in self.spells if sp.kind == "sjuk" and sp.end >= first and sp.start <= last])
        assert (s, lg) == (short * 100, long * 100)

    def sick_cost(self, y: int, total_ore: int) -> None:
        """Sjuklönekostnad dag 2–14 of the spells starting in ``y``: shared exactly, in whole kronor."""
        first, last = _d(y, 1, 1), _d(y, 12, 31)
        spells = [sp for sp in self.spells if sp.kind == "sjuk" and first <= sp.start <= last]
        weights = np.array([max(0, min(sp.end - sp.start + 1, 14) - 1) * sp.extent for sp in spells], dtype=float)
        weights *= self.rng.lognormal(0, 0.25, len(spells))
        for sp, cost in zip(spells, allocate(total_ore, weights, unit=100).tolist(), strict=True):
            sp.cost_ore = cost

    def other_absence(self) -> None:
        y1, y2 = self.prior, self.year
        for y in (y1, y2):
            first, last = _d(y, 1, 1), _d(y, 12, 31)
            for _ in range(300):
                length = int(self.rng.integers(1, 4))
                self.place("vab", length, first, last - length)
            for _ in range(25):
                length = int(self.rng.integers(30, 180))
                self.place("föräldraledig", length, first, last - length, extent=int(self.rng.choice((100, 50))))

    # --- files -----------------------------------------------------------------------------------

    def write(self, out_dir: Path, forvaltning: str) -> list[Path]:
        rows = self.contracted()
        self.hourly(rows)
        self.absence(rows)
        for person in self.persons:  # numbers last: the sex digit follows the final kön
            person.number = self.pool.new(person.born, person.kon)
        ids = self.rng.permutation(900_000)[: len(self.jobs)] + 100_000
        emp_id = {j.key: f"L{ids[j.key]:06d}" for j in self.jobs}
        written = []
        for y in (self.prior, self.year):
            written += [
                self.write_employments(out_dir / "hr" / f"anstallningar_{forvaltning}_{y}12.csv", y, forvaltning, emp_id),
                self.write_absence(out_dir / "hr" / f"franvaro_{forvaltning}_{y}12.csv", y, forvaltning, emp_id),
                self.write_contracted(out_dir / "hr" / f"avtaladtid_{forvaltning}_{y}.csv", y, rows[y], forvaltning,
                                      emp_id),
            ]
        return written

    def write_employments(self, path: Path, y: int, forvaltning: str, emp_id: dict[int, str]) -> Path:
        first, last = _d(y, 1, 1), _d(y, 12, 31)
        fh, writer = open_csv(path, EMPLOYMENT_HEADER)
        with fh:
            for j in sorted((j for j in self.jobs if j.overlaps(first, last)), key=lambda j: emp_id[j.key]):
                p = self.persons[j.person]
                known_end = j.end if j.end is not None and (j.end <= last or j.form in ("visstid", "vikariat")) else None
                reason = j.reason if known_end is not None and known_end <= last else ""
                writer.writerow([
                    f"{y}12", forvaltning, spelled(p.number, "long"), emp_id[j.key], j.enhet, j.form, j.grade,
                    "J" if j.chef else "N", p.kon, "J" if p.fb else "N", _iso(j.start), _iso(known_end), reason,
                ])
        return path

    def write_absence(self, path: Path, y: int, forvaltning: str, emp_id: dict[int, str]) -> Path:
        first, last = _d(y, 1, 1), _d(y, 12, 31)
        fh, writer = open_csv(path, ABSENCE_HEADER)
        with fh:
            for sp in sorted((s for s in self.spells if s.start <= last and s.end >= first),
                             key=lambda s: (s.start, emp_id[s.employment])):
                job = self.jobs[sp.employment]
                writer.writerow([
                    f"{y}12", forvaltning, spelled(self.persons[job.person].number, "digits"), emp_id[job.key], sp.kind,
                    _iso(sp.start), _iso(sp.end if sp.end <= last else None), sp.extent,
                    _kronor(sp.cost_ore) if sp.kind == "sjuk" else "",
                ])
        return path

    def write_contracted(self, path: Path, y: int, rows: list[list], forvaltning: str, emp_id: dict[int, str]) -> Path:
        fh, writer = open_csv(path, CONTRACTED_HEADER)
        with fh:
            for job, m, days, fte in sorted(rows, key=lambda r: (r[1], emp_id[r[0].key])):
                writer.writerow([
                    forvaltning, spelled(self.persons[job.person].number, "short"), emp_id[job.key], f"{y}{m:02d}",
                    _decimal(days, 2), _decimal(fte, 4),
                ])
        return path


def _days_for_share(contracted_hundredths: int, percent: Decimal) -> int:
    """Whole days whose share of the contracted days prints as ``percent`` (two decimals)."""
    days = int((Decimal(contracted_hundredths) / 100 * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))
    return days


def _decimal(units: int, scale: int) -> str:
    whole, part = divmod(units, 10**scale)
    return f"{whole},{part:0{scale}d}"


def _kronor(ore: int) -> str:
    return f"{ore // 100},{ore % 100:02d}"


def write_hr(year: int, out_dir: Path, forvaltning: str, seed: int) -> tuple[Path, ...]:
    """Write the HR extracts of ``year`` and the prior year; () when the year has no HR targets."""
    config = hr_config(year)
    if config is None:
        return ()
    workforce = Workforce(config, year, seed)
    workforce.build()
    return tuple(workforce.write(Path(out_dir), forvaltning))
