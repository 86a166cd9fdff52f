"""Synthetic BER/KAA extracts: the young people in the KAA register and the contacts with them.

One statistics year (1 December of the prior year – 30 November, ``docs/spec/domain.md`` §10)
as the November snapshot: every registration that touches the year and every contact in it.
Loaded by the pipeline, the KAA statistics are exactly those of ``tests/reference/2024/kaa.tsv``
and, for 2020, the BER counts of ``kaa_statistik.tsv`` and ``kaa_jobbtorg.tsv`` (targets in
``data/<year>/ber.yaml``; ``docs/generator.md`` "HR and BER"). The young people are
16–19 at registration; no names, personnummer from the test range (:mod:`.persons`).

Files: ``ber/registreringar_<forv>_<Y>11.csv`` and ``ber/kontakter_<forv>_<Y>11.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import yaml

from .csvout import open_csv
from .persons import PersonnummerPool, spelled
from .split import allocate

DATA_DIR = Path(__file__).with_name("data")

REGISTRATION_HEADER = (
    "Period", "Förvaltning", "Personnummer", "Födelsedatum", "Kön", "Stadsdel", "Registrerad från",
    "Registrerad till", "Uppsök från", "Jobbtorg", "Sysselsättning vid första kontakt", "Inskriven från",
    "Inskriven till", "Avslutsorsak",
)
CONTACT_HEADER = ("Period", "Förvaltning", "Personnummer", "Datum", "Kanal", "Nådd", "Egeninitierad")

KAA_CHANNELS = (("brev", 0.35), ("sms", 0.2), ("telefon", 0.3), ("mejl", 0.08), ("hembesök", 0.07))
OWN_CHANNELS = (("telefon", 0.4), ("drop-in", 0.4), ("mejl", 0.2))
OCCUPATIONS = (("arbete", 0.45), ("studier", 0.25), ("utomlands", 0.1), ("praktik", 0.05), ("annat", 0.15))
WAIT_DAYS = 14  # outreach starts two weeks after registration


def ber_config(year: int) -> dict | None:
    path = DATA_DIR / str(year) / "ber.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def _years_later(day: int, years: int) -> int:
    d = date.fromordinal(day)
    try:
        return date(d.year + years, d.month, d.day).toordinal()
    except ValueError:  # 29 February
        return date(d.year + years, 3, 1).toordinal()


@dataclass
class Registration:
    start: int
    end: int | None = None
    reason: str = ""


@dataclass
class Youth:
    kon: str
    reached: bool = False
    sought: bool = False
    own_only: bool = False
    enrolled: str = ""  # "" | new | continuing
    closing: str = ""  # avslutsorsak when the enrolment ends in the year
    born: int = 0
    stadsdel: str = ""
    jobbtorg: str = ""
    occupation: str = ""
    regs: list[Registration] = field(default_factory=list)
    enrolled_from: int | None = None
    enrolled_to: int | None = None
    contacts: list[tuple[int, str, str, str]] = field(default_factory=list)  # (day, kanal, nådd, egeninitierad)
    attempts: int = 0
    number: str = ""


class Register:
    def __init__(self, config: dict, year: int, seed: int):
        self.cfg = config
        self.year = year
        self.rng = np.random.default_rng([seed, year, 11])
        self.p0 = date(year - 1, 12, 1).toordinal()
        self.p1 = date(year, 11, 30).toordinal()
        self.youths: list[Youth] = []
        self._cumulative: dict = {}

    def pick(self, options: tuple[tuple[str, float], ...]) -> str:
        if options not in self._cumulative:
            weights = np.array([w for _, w in options], dtype=float)
            self._cumulative[options] = ([n for n, _ in options], np.cumsum(weights) / weights.sum())
        names, cum = self._cumulative[options]
        return names[min(int(np.searchsorted(cum, self.rng.random(), side="right")), len(names) - 1)]

    def day(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, max(lo, hi) + 1))

    # --- who is who --------------------------------------------------------------------------------

    def populate(self) -> None:
        c = self.cfg
        for kon in ("K", "M"):
            reached, sought, total = c["nadda"][kon], c["sokta"][kon], c["register"][kon]
            self.youths += [Youth(kon, reached=True, sought=True) for _ in range(reached)]
            self.youths += [Youth(kon, sought=True) for _ in range(sought - reached)]
            self.youths += [Youth(kon) for _ in range(total - sought)]
        reached = [y for y in self.youths if y.reached]
        order = self.rng.permutation(len(reached))
        enrolled = [reached[i] for i in order[: c["stod"]]]
        own_only = [reached[i] for i in order[c["stod"]: c["stod"] + c["endast_egeninitierad"]]]
        for y in own_only:
            y.own_only = True
        for i, y in enumerate(enrolled):
            y.enrolled = "new" if i < c["nyinskrivna"] else "continuing"
        reasons = [r for r, n in c["avslutade_till"].items() for _ in range(n)]
        closing = self.rng.permutation(len(enrolled))[: len(reasons)]
        for reason, i in zip(self.rng.permutation(reasons).tolist(), closing.tolist(), strict=True):
            enrolled[i].closing = reason
        for i in self.rng.permutation(len(reached))[: c["sysselsatta_vid_forsta_kontakt"]]:
            reached[i].occupation = self.pick(OCCUPATIONS)
        for y in reached:
            y.occupation = y.occupation or "ingen"
        # Attempts by KAA: everyone sought except those reached only on their own initiative.
        by_kaa = [y for y in self.youths if y.sought and not y.own_only]
        weights = self.rng.gamma(1.5, 1.0, len(by_kaa)) + np.array([0.6 if y.reached else 0.0 for y in by_kaa])
        for y, n in zip(by_kaa, allocate(c["kontaktforsok"], weights, minimum=1).tolist(), strict=True):
            y.attempts = n
        districts = list(c["stadsdelar"].items())
        w = np.array([v[0] for _, v in districts], dtype=float)
        jobbtorg = sorted({v[1] for _, v in districts if v[1]})
        for y in self.youths:
            name, (_, torg) = districts[int(self.rng.choice(len(districts), p=w / w.sum()))]
            y.stadsdel = name
            y.jobbtorg = torg or (jobbtorg[int(self.rng.integers(len(jobbtorg)))] if self.rng.random() < 0.8 else "")
        if c.get("jobbtorg_tabell"):
            self.place_enrolled(enrolled, c["jobbtorg_tabell"], districts)

    def place_enrolled(self, enrolled: list[Youth], table: dict, districts: list) -> None:
        """Give the enrolled young people the Jobbtorg (and a stadsdel of it) of the city's table:
        per Jobbtorg exactly so many inskrivna, avslutade, avslutade till studier and till arbete.
        The table's "" row is "Saknar stadsdel": no stadsdel, no Jobbtorg."""
        kinds = {"studier": [], "arbete": [], "övrigt": [], "kvar": []}
        for y in enrolled:
            kinds["kvar" if not y.closing else y.closing if y.closing in ("studier", "arbete") else "övrigt"].append(y)
        wanted = {"studier": 0, "arbete": 0, "övrigt": 0, "kvar": 0}
        slots: dict[str, list[str]] = {k: [] for k in kinds}
        for torg, row in table.items():
            n = {"studier": row["studier"], "arbete": row["arbete"],
                 "övrigt": row["avslutade"] - row["studier"] - row["arbete"], "kvar": row["inskrivna"] - row["avslutade"]}
            for k, count in n.items():
                slots[k] += [torg or ""] * count
                wanted[k] += count
        have = {k: len(v) for k, v in kinds.items()}
        if have != wanted:
            raise ValueError(f"BER-generatorn: Jobbtorgstabellen ({wanted}) stämmer inte med målen ({have})")
        by_torg: dict[str, list[str]] = {}
        for name, (_, torg) in districts:
            by_torg.setdefault(torg or "", []).append(name)
        for k, youths in kinds.items():
            for y, torg in zip(youths, self.rng.permutation(slots[k]).tolist(), strict=True):
                y.jobbtorg = torg
                names = by_torg.get(torg) or [""]
                y.stadsdel = names[int(self.rng.integers(len(names)))] if torg else ""

    # --- dates -------------------------------------------------------------------------------------

    def born_for(self, registered: int) -> int:
        """A birth date making the young person 16–19 at registration."""
        age_days = self.day(16 * 365 + 30, 19 * 365 + 300)
        return registered - age_days

    def lay_out(self, y: Youth) -> None:
        p0, p1 = self.p0, self.p1
        for _ in range(200):
            if y.closing == "fyllt 20":  # the enrolment ends the day before the 20th birthday
                y.enrolled_to = self.day(p0 + 120, p1)
                y.born = _years_later(y.enrolled_to + 1, -20)
                latest = p0 - 60 if y.enrolled == "continuing" else y.enrolled_to - 90
                start = self.day(max(_years_later(y.born, 16) + 30, p0 - 500), latest)
            elif y.enrolled == "continuing":
                start = self.day(p0 - 500, p0 - 60)
                y.born = self.born_for(start)
            elif y.sought:
                start = self.day(p0 - 400, p1 - 60)
                y.born = self.born_for(start)
            else:
                start = self.day(p0 - 600, p1)
                y.born = self.born_for(start)
            turns20 = _years_later(y.born, 20)
            end = turns20 - 1 if turns20 <= p1 else None
            if end is not None and end < p0:
                continue
            if self.contacts_and_enrolment(y, start, end):
                return
        raise ValueError("BER-generatorn hittar inga datum som stämmer för en ungdom")

    def contacts_and_enrolment(self, y: Youth, start: int, end: int | None) -> bool:
        p0, p1 = self.p0, self.p1
        y.regs = [Registration(start, end, "fyllt 20" if end is not None else "")]
        last = p1 if end is None else min(end, p1)
        y.contacts = []
        if not y.sought:
            if end is None and self.rng.random() < 0.15 and start < p1 - 30:  # left for school or moved
                y.regs[0] = Registration(start, self.day(max(start + 1, p0), p1 - 1),
                                         "studier" if self.rng.random() < 0.7 else "flyttat")
            return True
        lo = max(p0, start + WAIT_DAYS)
        if y.own_only:
            lo = max(p0, start)
        if last - lo < 20:
            return False
        if y.enrolled == "continuing":
            y.enrolled_from = self.day(start + 20, p0 - 20)
        days = sorted(self.day(lo, last - 5) for _ in range(max(1, y.attempts)))
        if y.own_only:
            first = days[0]
            y.contacts = [(first, self.pick(OWN_CHANNELS), "J", "J")]
            if self.rng.random() < 0.3:
                y.contacts.append((self.day(first, last), self.pick(OWN_CHANNELS), "J", "J"))
        else:
            reached_at = int(self.rng.integers(len(days))) if y.reached else None
            for k, day in enumerate(days):
                answered = reached_at is not None and (k == reached_at or (k > reached_at and self.rng.random() < 0.7))
                y.contacts.append((day, self.pick(KAA_CHANNELS), "J" if answered else "N", "N"))
            if y.reached and self.rng.random() < 0.05:
                y.contacts.append((self.day(lo, last), self.pick(OWN_CHANNELS), "J", "J"))
        first_reached = min((d for d, _, n, _ in y.contacts if n == "J"), default=None)
        if y.enrolled == "new":
            if first_reached is None or first_reached > p1 - 3:
                return False
            y.enrolled_from = self.day(first_reached, min(first_reached + 40, p1 - 2))
        if y.closing:
            latest_contact = max(d for d, *_ in y.contacts)
            lo_close = max(y.enrolled_from + 1, p0, latest_contact)
            if y.closing == "fyllt 20":
                if y.enrolled_to < lo_close:
                    return False
            else:
                if lo_close > last:
                    return False
                y.enrolled_to = self.day(lo_close, last)
            if y.closing in ("studier", "flyttat", "fyllt 20"):
                y.regs[0] = Registration(start, y.enrolled_to, y.closing)
        return True

    def reregister(self) -> None:
        """Some young people move away and back: two registrations in one year, one person."""
        candidates = [y for y in self.youths if not y.sought and y.regs[0].end is None
                      and y.regs[0].start < self.p0 and _years_later(y.born, 20) > self.p1]
        for y in candidates[: self.cfg["omregistrerade"]]:
            moved = self.day(self.p0 + 10, self.p0 + 150)
            back = self.day(moved + 30, moved + 120)
            y.regs = [Registration(y.regs[0].start, moved, "flyttat"), Registration(back, None)]

    # --- files -------------------------------------------------------------------------------------

    def write(self, out_dir: Path, forvaltning: str) -> list[Path]:
        self.populate()
        for y in self.youths:
            self.lay_out(y)
        self.reregister()
        pool = PersonnummerPool(self.rng)
        for y in self.youths:
            y.number = pool.new(date.fromordinal(y.born), y.kon)
        order = [self.youths[i] for i in self.rng.permutation(len(self.youths))]
        period = f"{self.year}11"
        reg_path = out_dir / "ber" / f"registreringar_{forvaltning}_{period}.csv"
        fh, writer = open_csv(reg_path, REGISTRATION_HEADER)
        with fh:
            for y in order:
                for i, reg in enumerate(y.regs):
                    enrolment = i == len(y.regs) - 1
                    reason = reg.reason
                    if enrolment and y.enrolled_to is not None:
                        reason = y.closing
                    writer.writerow([
                        period, forvaltning, spelled(y.number, "long"), _iso(y.born), y.kon, y.stadsdel,
                        _iso(reg.start), _iso(reg.end), _iso(reg.start + WAIT_DAYS), y.jobbtorg,
                        y.occupation if enrolment else "",
                        _iso(y.enrolled_from) if enrolment else "", _iso(y.enrolled_to) if enrolment else "", reason,
                    ])
        contact_path = out_dir / "ber" / f"kontakter_{forvaltning}_{period}.csv"
        rows = [(day, y, kanal, nadd, egen) for y in self.youths for day, kanal, nadd, egen in y.contacts]
        rows.sort(key=lambda r: (r[0], r[1].number))
        fh, writer = open_csv(contact_path, CONTACT_HEADER)
        with fh:
            for day, y, kanal, nadd, egen in rows:
                writer.writerow([period, forvaltning, spelled(y.number, "short"), _iso(day), kanal, nadd, egen])
        return [reg_path, contact_path]


def _iso(ordinal: int | None) -> str:
    return "" if ordinal is None else date.fromordinal(ordinal).isoformat()


def write_ber(year: int, out_dir: Path, forvaltning: str, seed: int) -> tuple[Path, ...]:
    """Write the BER/KAA snapshot of ``year`` (November); () when the year has no BER targets."""
    config = ber_config(year)
    if config is None:
        return ()
    return tuple(Register(config, year, seed).write(Path(out_dir), forvaltning))
