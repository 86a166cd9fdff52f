"""Plan one ledger year: which postings go where, as per-period totals and counts.

The plan is small (a few hundred flows × 14 periods) whatever the number of rows; the ledger
writer turns it into postings period by period. Every target is met here, exactly, by
construction:

* a :class:`Flow` is one account × posting class × Anslag with a total per period
  (``totals[p]``, öre) and a number of postings per period (``counts[p]``);
* a :class:`PairFlow` writes +x/-x pairs on one account (HC/UU vouchers, motpart 9* and 1990,
  clearing accounts that must stay at zero): they change no figure;
* an :class:`AccrualFlow` books month-end accruals and reverses them the next month.

Structured flows come first (IB, LISA + 9055, PO + 9052, internränta + 9041, moms + 9044,
investment and depreciation, bokslut pairs, the result transfer on 8901/2021); whatever is left
of each account's figure becomes an ordinary flow spread over the months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .split import allocate, period_weights
from .targets import COLUMNS, YearTargets
from .texts import voucher_types

PERIODS = 14  # 00 .. 13
MONTHS = tuple(range(1, 13))
ACCRUAL_MONTHS = (1, 2, 3, 4, 5, 6, 7, 9, 10, 11)  # never 8 or 12: zero at T2 and bokslut
PRELIMINARY_MONTHS = MONTHS
PAIR_SHARE = 0.02  # of the year's rows, for zero-net pairs
MIN_AVG_ORE = 500  # ordinary postings average at least 5 kr


@dataclass
class Flow:
    konto: str
    cls: str  # posting class: externt / stadens_bolag / internt
    anslag: str
    totals: np.ndarray  # int64[14], öre per period
    counts: np.ndarray  # int64[14], postings per period
    debit: str
    credit: str
    unit: int = 1
    gross: float = 1.0  # turnover / |total|
    corr: float = 0.04  # share of opposite-sign corrections
    voucher: str | None = None  # shared voucher key; None: one voucher per posting
    day: str = "random"  # random | payday | last | first
    text: str | None = None  # fixed text; None: by voucher type
    motpart: str | None = None  # fixed motpart code
    weight: float = 1.0  # row-count weight factor
    sigma: float = 1.0  # spread of posting sizes (lognormal sigma)
    fid: int = 0

    @property
    def total(self) -> int:
        return int(self.totals.sum())


@dataclass
class PairFlow:
    konto: str
    cls: str
    vertyp: str
    counts: np.ndarray  # pairs per period
    scale: float  # median amount, öre
    motpart: str | None = None
    text: str = "Omföring"
    fid: int = 0


@dataclass
class AccrualFlow:
    br: str
    rr: str
    cls: str
    br_sign: int  # sign of the BR leg when booked
    months: tuple[int, ...]
    per_month: int
    scale: float
    text: str
    same_month: bool = False  # reversed in the booking month (balance 0 at every month-end)
    fid: int = 0


@dataclass
class Plan:
    year: int
    flows: list[Flow] = field(default_factory=list)
    pairs: list[PairFlow] = field(default_factory=list)
    accruals: list[AccrualFlow] = field(default_factory=list)
    # asset register rows: (period, konto, transaktionstyp, öre)
    asset_register: list[tuple[int, str, str, int]] = field(default_factory=list)
    derived: dict[str, int] = field(default_factory=dict)  # 9041, 9052, 9055, ... in öre

    def expected_rows(self) -> int:
        n = sum(int(f.counts.sum()) for f in self.flows)
        n += sum(2 * int(p.counts.sum()) for p in self.pairs)
        n += sum(4 * a.per_month * len(a.months) for a in self.accruals)
        return n


def _zeros() -> np.ndarray:
    return np.zeros(PERIODS, dtype=np.int64)


def _months_vector(values_by_month: dict[int, int]) -> np.ndarray:
    v = _zeros()
    for m, x in values_by_month.items():
        v[m] = x
    return v


class Planner:
    """Builds a :class:`Plan` for one year of targets and a row budget."""

    def __init__(self, targets: YearTargets, rows: int, seed: int, first_code):
        self.t = targets
        self.rows = rows
        self.rng = np.random.default_rng([seed, targets.year, 1])
        self.first_code = first_code  # cls -> a motpart code of that class
        self.plan = Plan(targets.year)
        # what is still to be posted, öre: BR change and RR total per (konto, class)
        self.br_left: dict[tuple[str, str], int] = {}
        self.rr_left: dict[tuple[str, str], int] = {}
        ek_class = targets.config.get("eget_kapital_klass", {})
        for konto, bt in targets.balance.items():
            opening = targets.opening.get(konto, {})
            if konto.startswith("20"):
                # Eget kapital is printed as Externt; its postings use the configured class
                if bt.ub["stadens_bolag"] or bt.ub["internt"]:
                    raise ValueError(f"Eget kapital {konto} ska bara ha belopp i kolumnen Externt")
                change = {ek_class.get(konto, "externt"): bt.ub_total - bt.ib}
            else:
                classes = list(COLUMNS) + sorted(set(opening) - set(COLUMNS))  # fixed order
                change = {c: bt.ub.get(c, 0) - opening.get(c, 0) for c in classes}
            for cls, delta in change.items():
                if delta:
                    self.br_left[(konto, cls)] = delta
        for konto, rt in targets.result.items():
            for col in COLUMNS:
                if rt.totals[col]:
                    self.rr_left[(konto, col)] = rt.totals[col]

    # -- helpers ---------------------------------------------------------------------------

    def add(self, flow: Flow) -> Flow:
        flow.fid = len(self.plan.flows) + 1
        self.plan.flows.append(flow)
        return flow

    def take_br(self, konto: str, cls: str | None = None) -> dict[str, int]:
        """Consume the remaining change of a balance account (all classes or one)."""
        out = {}
        for (k, c), v in list(self.br_left.items()):
            if k == konto and (cls is None or c == cls):
                out[c] = v
                del self.br_left[(k, c)]
        return out

    def take_rr(self, konto: str, cls: str | None = None, amount: int | None = None) -> dict[str, int]:
        out = {}
        for (k, c), v in list(self.rr_left.items()):
            if k == konto and (cls is None or c == cls):
                if amount is not None:
                    if abs(amount) > abs(v):
                        raise ValueError(f"Konto {konto}: {amount} öre är mer än kontots utfall {v}")
                    out[c] = amount
                    self.rr_left[(k, c)] = v - amount
                    if self.rr_left[(k, c)] == 0:
                        del self.rr_left[(k, c)]
                    return out
                out[c] = v
                del self.rr_left[(k, c)]
        return out

    def monthly(self, total: int, months=MONTHS, shape: float = 6.0, unit: int | None = None) -> np.ndarray:
        """``total`` over the given months (random weights), as a 14-vector."""
        if unit is None:
            unit = 100 if total % 100 == 0 else 1
        v = _zeros()
        if total == 0:
            return v
        months = list(months)
        k = min(len(months), abs(total) // unit)
        months = months[:k] if k < len(months) else months
        parts = allocate(total, period_weights(self.rng, len(months), shape), unit=unit, minimum=1)
        v[months] = parts
        return v

    def single(self, konto, cls, anslag, totals, vertyp, voucher, text, motpart=None, day="last") -> Flow:
        counts = (totals != 0).astype(np.int64)
        return self.add(
            Flow(konto, cls, anslag, totals, counts, vertyp, vertyp, voucher=voucher, text=text,
                 motpart=motpart, day=day, corr=0.0)
        )

    # -- build -----------------------------------------------------------------------------

    def build(self) -> Plan:
        cfg = self.t.config
        self._opening()
        self._bokslut(cfg.get("bokslut", []))
        self._result_transfer(cfg.get("resultatoverforing"))
        self._investment(cfg.get("investering"))
        self._lisa(cfg.get("lisa"))
        self._counter("po", "PO", "PO-pålägg", day="payday")
        self._counter("internranta", "MA", "Internränta investeringar", day="last")
        self._moms(cfg.get("moms"))
        self._clearing(cfg.get("avrakning", {}))
        self._ordinary()
        self._zero_net(cfg.get("noll", {}), cfg.get("avrakning_noll", []))
        self._size()
        return self.plan

    def _opening(self) -> None:
        """Period 00: the IB of every balance account, split by posting class."""
        prior = self.t.config.get("foregaende_ar") or {}
        ek_ub = prior.get("eget_kapital_ub") or {}
        for konto, by_cls in self.t.opening.items():
            for cls, amount in by_cls.items():
                if not amount:
                    continue
                totals = _zeros()
                totals[0] = amount
                if konto == "2011" and ek_ub:
                    # IB of 2011 = last year's 2011 + last year's result (closed into 2011)
                    parts = [parse(ek_ub[k]) for k in sorted(ek_ub)]
                    if sum(parts) != amount:
                        raise ValueError("IB för eget kapital stämmer inte med föregående års UB")
                    for i, part in enumerate(parts):
                        one = _zeros()
                        one[0] = part
                        text = (f"Ingående balans {self.t.year}" if i == 0
                                else f"Omföring av årets resultat {self.t.year - 1}")
                        self.single(konto, cls, "D", one, "IB", None, text, None, "first")
                    continue
                counts = _zeros()
                counts[0] = int(min(1 + self.rng.integers(0, 4), max(1, abs(amount) // 1000)))
                unit = 100 if amount % 100 == 0 else 1
                self.add(Flow(konto, cls, "D", totals, counts, "IB", "IB", unit=unit, corr=0.0,
                              day="first", text=f"Ingående balans {self.t.year}"))

    def _bokslut(self, pairs) -> None:
        """BO pairs in period 13: RR account = -(change of the BR account), class by class."""
        for spec in pairs:
            br, rr = spec["br"], spec["rr"]
            change = self.take_br(br)
            expected = {c: -v for c, v in change.items() if v}
            actual = {c: v for c, v in self.take_rr(rr).items() if v}
            if expected != actual:
                raise ValueError(
                    f"Bokslutspost {rr} mot {br}: resultatkontot ({actual}) är inte minus "
                    f"balanskontots förändring ({expected})"
                )
            for cls, delta in change.items():
                code = self.first_code(cls)
                t13 = _zeros()
                t13[13] = delta
                self.single(br, cls, "D", t13, "BO", f"BO:{rr}", spec["text"], code, "last")
                self.single(rr, cls, "D", -t13, "BO", f"BO:{rr}", spec["text"], code, "last")

    def _result_transfer(self, spec) -> None:
        if not spec:
            return
        konto, mot = spec["konto"], spec["motkonto"]
        change = self.take_br(mot)
        total = sum(change.values())
        for cls, delta in change.items():
            code = self.first_code("internt")
            t13 = _zeros()
            t13[13] = delta
            text = f"Årets resultat {self.t.year} till eget kapital"
            self.single(mot, cls, "D", t13, "BO", "BO:resultat", text, code, "last")
            self.single(konto, "internt", "D", -t13, "BO", "BO:resultat", text, code, "last")
        self.plan.derived[konto] = -total

    def _investment(self, spec) -> None:
        """Anslag I expenditure, monthly aktivering on 789x, monthly depreciation on 79xx."""
        if not spec:
            return
        assets = sorted(k for k in self.t.balance if k[:2] in ("10", "11", "12", "13") and k[3] != "9")
        deprec = sorted(k for k in self.t.balance if k[:2] in ("10", "11", "12", "13") and k[3] == "9")
        months = [int(m) for m in spec["manader"]]
        activated = {a: self.take_br(a) for a in assets}
        # Expenditure activated and then found not capitalisable: the activation on one asset
        # account is reversed to a drift account in the same group 40 (2020: the RR konto 40 total
        # is the year's investment outturn, 206 232,23 kr more than the net additions of BR 12).
        reversal = spec.get("ej_aktiverbart")
        if reversal:
            amount = parse(reversal["belopp"])
            asset = activated.setdefault(reversal["konto"], {})
            asset["externt"] = asset.get("externt", 0) + amount
        total = 0
        by_month = {m: 0 for m in months}
        for a, change in activated.items():
            for cls, amount in change.items():
                if amount < 0:
                    raise ValueError(f"Anläggningskonto {a} minskar: stöds inte av generatorn")
                v = self.monthly(amount, months, shape=3.0)
                total += amount
                for m in months:
                    by_month[m] += int(v[m])
                    if v[m]:
                        self.plan.asset_register.append((m, a, "Aktivering", int(v[m])))
                self.single(a, cls, "D", v, "AK", "AK", None, self.first_code("externt"), "last")
        if reversal:
            self._reverse_activation(reversal)
        if "utgifter" in spec and total != parse(spec["utgifter"]):
            raise ValueError(
                f"Aktivering {total} öre ≠ investeringsutgifter {parse(spec['utgifter'])} öre"
            )
        akt = _months_vector({m: -x for m, x in by_month.items()})
        self.single(spec["aktiveringskonto"], "externt", "I", akt, "AK", "AK", None,
                    self.first_code("externt"), "last")
        accounts = list(spec["utgiftskonton"])
        shares = [float(spec["utgiftskonton"][k]) for k in accounts]
        per_account = {k: _zeros() for k in accounts}
        for m, x in by_month.items():
            if x:
                for k, part in zip(accounts, allocate(x, shares)):
                    per_account[k][m] = part
        for k, v in per_account.items():
            if v.any():
                d, c = voucher_types(k, "externt")
                self.add(Flow(k, "externt", "I", v, _zeros(), d, c, weight=0.5))
        self.plan.derived["investering"] = total
        # depreciation: linear-ish monthly amounts per account, one AV voucher a month
        dep_total = _zeros()
        for d in deprec:
            for cls, amount in self.take_br(d).items():
                if amount > 0:
                    raise ValueError(f"Avskrivningskonto {d} ökar: stöds inte av generatorn")
                v = _zeros()
                v[1:13] = allocate(amount, 1.0 + 0.02 * self.rng.random(12))
                dep_total -= v
                for m in MONTHS:
                    if v[m]:
                        self.plan.asset_register.append((m, d, "Automatisk avskrivning", int(v[m])))
                self.single(d, cls, "D", v, "AV", "AV", None, self.first_code("externt"), "last")
        if dep_total.any():
            konto = spec["avskrivningskonto"]
            rr = self.take_rr(konto)
            if rr != {"externt": int(dep_total.sum())}:
                raise ValueError(
                    f"Avskrivningar {konto} ({rr}) ≠ förändring av avskrivningskontona "
                    f"({int(dep_total.sum())})"
                )
            self.single(konto, "externt", "D", dep_total, "AV", "AV", None,
                        self.first_code("externt"), "last")

    def _reverse_activation(self, spec) -> None:
        """One AK voucher: the asset account credited, the drift account (Anslag D) debited."""
        amount, month = parse(spec["belopp"]), int(spec["manad"])
        drift = self.take_rr(spec["driftkonto"], "externt", amount)
        if drift != {"externt": amount}:
            raise ValueError(f"Driftkonto {spec['driftkonto']} saknar utfall för omföringen")
        t = _zeros()
        t[month] = amount
        text = "Ej aktiverbar investeringsutgift omförd till drift"
        code = self.first_code("externt")
        self.single(spec["konto"], "externt", "D", -t, "AK", "AK:omforing", text, code, "last")
        self.single(spec["driftkonto"], "externt", "D", t, "AK", "AK:omforing", text, code, "last")
        self.plan.asset_register.append((month, spec["konto"], "Reversering", -amount))

    def _lisa(self, spec) -> None:
        """LISA payroll: LI vouchers on salary accounts, counter-posted on 9055 every month."""
        if not spec:
            return
        prefixes = tuple(spec["prefix"])
        taken: list[tuple[str, str, int]] = []
        for konto in sorted(self.t.result):
            if konto.startswith(prefixes):
                for cls, v in self.take_rr(konto).items():
                    taken.append((konto, cls, v))
        for konto, how in (spec.get("extra") or {}).items():
            if konto in self.t.balance:
                for cls, v in self.take_br(konto).items():
                    taken.append((konto, cls, v))
            elif how == "alla":
                for cls, v in self.take_rr(konto).items():
                    taken.append((konto, cls, v))
            else:
                rt = self.t.result[konto]
                cls = max(rt.totals, key=lambda c: abs(rt.totals[c]))
                for c, v in self.take_rr(konto, cls, parse(how)).items():
                    taken.append((konto, c, v))
        counter = _zeros()
        season = 1.0 + 0.1 * self.rng.random(12)
        for konto, cls, v in taken:
            totals = _zeros()
            unit = 100 if v % 100 == 0 else 1
            if abs(v) // unit >= 12:
                totals[1:13] = allocate(v, season * (1 + 0.05 * self.rng.random(12)), unit=unit)
            else:
                totals[1 + int(self.rng.integers(0, 12))] = v
            counter -= totals
            weight = 4.0 if konto[0] == "5" else 1.0
            self.add(Flow(konto, cls, "D", totals, _zeros(), "LI", "LI", unit=unit, voucher="LI",
                          day="payday", corr=0.02, weight=weight, sigma=0.6,
                          motpart=self.first_code(cls)))
        konto = spec["motkonto"]
        self.single(konto, "internt", "D", counter, "LI", "LI", "LISA-löner, avräkning stadskassan",
                    self.first_code("internt"), "payday")
        self.plan.derived[konto] = int(counter.sum())

    def _counter(self, key: str, vertyp: str, text: str, day: str) -> None:
        """An account posted monthly with its 9xxx clearing counterpart in the same voucher."""
        spec = self.t.config.get(key)
        if not spec:
            return
        konto, mot = spec["konto"], spec["motkonto"]
        counter = _zeros()
        for cls, v in self.take_rr(konto).items():
            totals = self.monthly(v)
            counter -= totals
            self.add(Flow(konto, cls, "D", totals, _zeros(), vertyp, vertyp, voucher=key,
                          day=day, corr=0.0, text=text, weight=0.2, sigma=0.6,
                          unit=100 if v % 100 == 0 else 1, motpart=self.first_code(cls)))
        self.single(mot, "internt", "D", counter, vertyp, key, text, self.first_code("internt"), day)
        self.plan.derived[mot] = int(counter.sum())

    def _moms(self, spec) -> None:
        """VAT: input VAT collected on 167x, output VAT on 26xx, settled monthly on 9044."""
        if not spec:
            return
        net = parse(self.t.config["avrakning"][spec["motkonto"]])
        net_m = self.monthly(net)
        out_m = {k: self.monthly(-parse(v)) for k, v in spec["utgaende"].items()}
        inn_total = net_m + sum(-v for v in out_m.values())
        accounts = list(spec["ingaende"])
        shares = [float(spec["ingaende"][k]) for k in accounts]
        inn_m = {k: _zeros() for k in accounts}
        for m in MONTHS:
            for k, part in zip(accounts, allocate(int(inn_total[m]), shares)):
                inn_m[k][m] = part
        for k, v in list(inn_m.items()) + list(out_m.items()):
            d, c = ("LF", "LF") if k.startswith("16") else ("KF", "KF")
            self.add(Flow(k, "externt", "D", v.copy(), _zeros(), d, c, weight=0.6))
            self.single(k, "externt", "D", -v, "MO", "MO", "Momsredovisning",
                        self.first_code("externt"), "last")
        self.single(spec["motkonto"], "internt", "D", net_m, "MO", "MO", "Momsredovisning",
                    self.first_code("internt"), "last")
        self.plan.derived[spec["motkonto"]] = net

    def _clearing(self, avrakning: dict) -> None:
        """Remaining 904x figures: monthly single-leg transfers against stadskassan."""
        for konto, amount in avrakning.items():
            value = parse(amount)
            if konto in self.plan.derived:
                if self.plan.derived[konto] != value:
                    raise ValueError(
                        f"Konto {konto}: härlett {self.plan.derived[konto]} öre ≠ målet {value} öre"
                    )
                continue
            totals = self.monthly(value)
            self.add(Flow(konto, "internt", "D", totals, (totals != 0).astype(np.int64), "MA", "MA",
                          motpart=self.first_code("internt"), day="last", corr=0.0,
                          text=f"Avräkning stadskassan {self.t.names.get(konto, konto)}"))
            self.plan.derived[konto] = value

    def _ordinary(self) -> None:
        """Everything not yet posted: spread over the months (a little in period 13)."""
        items = [(k, c, v, "BR") for (k, c), v in sorted(self.br_left.items()) if v]
        items += [(k, c, v, "RR") for (k, c), v in sorted(self.rr_left.items()) if v]
        self.br_left.clear()
        self.rr_left.clear()
        for konto, cls, total, kind in items:
            unit = 100 if total % 100 == 0 else 1
            months = list(MONTHS)
            if konto[:2] in ("16", "17", "29", "35", "36", "46", "74") and self.rng.random() < 0.7:
                months.append(13)
            w = period_weights(self.rng, len(months))
            if 13 in months:
                w[-1] *= 0.25
            k = int(min(len(months), abs(total) // unit))
            pick = np.sort(self.rng.choice(len(months), size=k, replace=False))
            totals = _zeros()
            totals[np.array(months)[pick]] = allocate(total, w[pick], unit=unit, minimum=1)
            d, c = voucher_types(konto, cls)
            gross = self._gross(konto, cls, total) if kind == "BR" else 1.0
            weight = {"35": 0.3, "46": 1.5, "50": 4.0}.get(konto[:2], 1.0)
            self.add(Flow(konto, cls, "D", totals, _zeros(), d, c, unit=unit, gross=gross,
                          weight=weight))

    def _gross(self, konto: str, cls: str, total: int) -> float:
        """Turnover of a balance account relative to its change (receivables turn over often)."""
        turns = {"15": 6.0, "16": 2.0, "17": 2.5, "24": 3.0, "25": 12.0, "28": 2.0, "29": 2.5}
        bt = self.t.balance[konto]
        size = max(abs(bt.ub.get(cls, 0)), abs(self.t.opening.get(konto, {}).get(cls, 0)))
        gross = max(abs(total), turns.get(konto[:2], 1.0) * size)
        return max(1.0, gross / abs(total))

    def _zero_net(self, spec: dict, clearing_zero: list[str]) -> None:
        """Pairs and accruals that change no figure."""
        n_pairs_total = max(24, int(self.rows * PAIR_SHARE / 2))
        pair_specs: list[tuple[str, str, str, str | None, str]] = []
        for vt in ("HC", "UU"):
            for konto in spec.get(vt, []):
                pair_specs.append((konto, self._main_class(konto), vt, None, _PAIR_TEXT[vt]))
        for konto in spec.get("motpart_9", []):
            pair_specs.append((konto, "forvaltningsinternt", "MA", None, "Fördelning inom förvaltningen"))
        for konto in spec.get("motpart_1990", []):
            pair_specs.append((konto, "stadens_bolag", "MA", "1990", "Avräkning via motpart 1990"))
        for konto in list(spec.get("konton", [])) + list(clearing_zero):
            pair_specs.append((konto, "externt", "MA", None, "Omföring, nollställs"))
        per = max(12, n_pairs_total // max(1, len(pair_specs)))
        for konto, cls, vt, motpart, text in pair_specs:
            counts = _zeros()
            counts[1:13] = allocate(per, period_weights(self.rng, 12), minimum=1)
            scale = float(self.rng.uniform(2_000_00, 60_000_00))
            pf = PairFlow(konto, cls, vt, counts, scale, motpart, text)
            pf.fid = 10_000 + len(self.plan.pairs)
            self.plan.pairs.append(pf)
        per_month = max(1, int(self.rows * 0.004 / 12))
        for br, rr in (spec.get("periodisering") or {}).items():
            sign = 1 if br[0] == "1" else -1
            af = AccrualFlow(br, rr, self._main_class(rr), sign, ACCRUAL_MONTHS, per_month,
                             float(self.rng.uniform(50_000_00, 400_000_00)), "Uppbokning månadsavslut")
            af.fid = 20_000 + len(self.plan.accruals)
            self.plan.accruals.append(af)
        for rr, br in (spec.get("preliminar") or {}).items():
            af = AccrualFlow(br, rr, "externt", -1, PRELIMINARY_MONTHS, per_month,
                             float(self.rng.uniform(5_000_00, 80_000_00)), "Preliminärt kostnadsförd faktura",
                             same_month=True)
            af.fid = 20_000 + len(self.plan.accruals)
            self.plan.accruals.append(af)

    def _main_class(self, konto: str) -> str:
        """The posting class carrying most of an account's figure."""
        if konto in self.t.result:
            totals = self.t.result[konto].totals
        elif konto in self.t.balance:
            totals = self.t.balance[konto].ub
        else:
            return "externt"
        best = max(totals, key=lambda c: abs(totals[c]))
        return best if totals[best] else "externt"

    def _size(self) -> None:
        """Number of postings per flow and period: the rows budget shared by turnover."""
        open_flows = [f for f in self.plan.flows if not f.counts.any()]
        fixed = self.plan.expected_rows()  # preset flows, pairs and accruals
        budget = max(len(open_flows) * 24, self.rows - fixed)
        gross = np.array([max(abs(f.total) * f.gross, float(np.abs(f.totals).sum()))
                          for f in open_flows])
        weight = np.sqrt(gross) * np.array([f.weight for f in open_flows])
        cap = np.maximum(1, gross // MIN_AVG_ORE).astype(np.int64)
        active = np.array([int((f.totals != 0).sum()) for f in open_flows])
        floor = np.minimum(cap, np.maximum(active, 24))
        n = np.round(budget * weight / weight.sum()).astype(np.int64)
        for _ in range(5):  # share what the caps leave over among the uncapped flows
            n = np.clip(n, floor, cap)
            free = n < cap
            spare = budget - int(n.sum())
            if spare <= 0 or not free.any():
                break
            n[free] += np.round(spare * weight[free] / weight[free].sum()).astype(np.int64)
        n = np.clip(n, floor, cap)
        for f, k in zip(open_flows, n.tolist()):
            live = f.totals != 0
            units = np.abs(f.totals[live]) // f.unit
            k = max(int(k), int(live.sum()))
            w = units.astype(float) ** 0.8 * (1 + 0.1 * self.rng.random(units.size))
            f.counts[live] = allocate(k, w, minimum=1)


_PAIR_TEXT = {"HC": "Omföring mellan ansvar", "UU": "Utjämning mellan verksamheter"}


def parse(value) -> int:
    from bokslut.money import parse_amount_ore

    return parse_amount_ore(str(value))


def build_plan(targets: YearTargets, rows: int, seed: int, first_code) -> Plan:
    return Planner(targets, rows, seed, first_code).build()
