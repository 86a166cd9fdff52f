"""Targets of the prior year, derived from this year's, for ``huvudbok_191_<prior>.csv``.

Only the prior year's *closing* balance is fixed: per balance account and posting class it is
this year's IB (so KK11 "UB kontra IB" holds), except Eget kapital, whose closing values come
from targets.yaml (2011 and 2021 separately; the 2021 result is closed into 2011 at the turn of
the year). Everything else is invented but consistent with the same rules as this year:
IB of the prior year = UB × a random factor, with a few liability accounts absorbing the
difference so that the prior year's IB balances too; result accounts = this year's × a random
factor; the prior year's investment expenditure from targets.yaml; depreciation near this year's.
"""

from __future__ import annotations

import copy

import numpy as np

from bokslut.money import parse_amount_ore

from .split import allocate
from .targets import COLUMNS, BalanceTarget, ResultTarget, YearTargets, proportional


def _round(value: float, like: int) -> int:
    unit = 100 if like % 100 == 0 else 1
    return int(round(value / unit)) * unit


def prior_targets(cur: YearTargets, seed: int) -> YearTargets:
    rng = np.random.default_rng([seed, cur.year, 2])
    prior_cfg = cur.config["foregaende_ar"]
    ek_ub = {k: parse_amount_ore(str(v)) for k, v in prior_cfg["eget_kapital_ub"].items()}
    ek_class = cur.config.get("eget_kapital_klass", {})
    balancing = list(prior_cfg["balanskonton"])
    result_account = cur.config["resultatoverforing"]["motkonto"]  # 2021 Årets resultat

    assets = sorted(k for k in cur.balance if k[:2] in ("10", "11", "12", "13") and k[3] != "9")
    deprec = sorted(k for k in cur.balance if k[:2] in ("10", "11", "12", "13") and k[3] == "9")
    invest = parse_amount_ore(str(prior_cfg["investering_utgifter"]))
    asset_ib = [max(0, cur.balance[a].ib) for a in assets]
    activated = dict(zip(assets, allocate(invest, asset_ib).tolist())) if invest else {}

    bokslut_br = {spec["br"]: spec["rr"] for spec in cur.config.get("bokslut", [])}
    balance: dict[str, BalanceTarget] = {}
    opening: dict[str, dict[str, int]] = {}
    depreciation = 0
    bokslut_rr: dict[str, dict[str, int]] = {}
    for konto, bt in cur.balance.items():
        if konto.startswith("20"):
            ub = ek_ub.get(konto, 0)
            ib = 0 if konto == result_account else ub  # 2011 unchanged; the year's result on 2021
            ub_cols = {"externt": ub, "stadens_bolag": 0, "internt": 0}
            balance[konto] = BalanceTarget(konto, bt.namn, ib, ub_cols)
            opening[konto] = {ek_class.get(konto, "externt"): ib} if ib else {}
            continue
        ub_by_cls = dict(cur.opening.get(konto, {}))
        ub_total = sum(ub_by_cls.values())
        if konto in activated:
            ib = ub_total - activated[konto]
        elif konto in deprec:
            dep = _round(-cur.balance[konto].change * rng.uniform(0.85, 1.05), cur.balance[konto].change)
            depreciation += dep
            ib = ub_total + dep
        else:
            ib = _round(ub_total * rng.uniform(0.75, 1.2), ub_total) if ub_total else 0
        ub = {c: ub_by_cls.get(c, 0) for c in COLUMNS}
        balance[konto] = BalanceTarget(konto, bt.namn, ib, ub)
    # the prior year's IB must balance: the difference goes to the balancing liabilities
    gap = -sum(b.ib for b in balance.values())
    weights = [abs(balance[k].ub_total) or 1 for k in balancing]
    for konto, extra in zip(balancing, allocate(gap, weights).tolist()):
        b = balance[konto]
        balance[konto] = BalanceTarget(konto, b.namn, b.ib + extra, b.ub)
    for konto, b in balance.items():
        if not konto.startswith("20"):
            opening[konto] = proportional(b.ib, b.ub)
            if konto in bokslut_br:
                change = {c: b.ub[c] - opening[konto].get(c, 0) for c in COLUMNS}
                bokslut_rr[bokslut_br[konto]] = {c: -v for c, v in change.items()}

    result: dict[str, ResultTarget] = {}
    dep_konto = cur.config["investering"]["avskrivningskonto"]
    for konto, rt in cur.result.items():
        if konto in bokslut_rr:
            totals = bokslut_rr[konto]
        elif konto == dep_konto:
            totals = {"externt": depreciation, "stadens_bolag": 0, "internt": 0}
        else:
            g = rng.uniform(0.88, 1.04)
            totals = {c: _round(v * g, v) for c, v in rt.totals.items()}
        result[konto] = ResultTarget(konto, rt.namn, totals)

    cfg = copy.deepcopy(cur.config)
    cfg["ar"] = cur.year - 1
    for key in ("stadskassan", "budget", "foregaende_ar"):
        cfg.pop(key, None)
    cfg["investering"]["utgifter"] = str(prior_cfg["investering_utgifter"])
    cfg["investering"].pop("ej_aktiverbart", None)  # the prior year's expenditure is all activated
    derived = {cfg.get(k, {}).get("motkonto") for k in ("lisa", "po", "internranta")}
    avr = {}
    for konto, value in cfg.get("avrakning", {}).items():
        if konto in derived:
            continue
        v = parse_amount_ore(str(value))
        avr[konto] = f"{_round(v * rng.uniform(0.9, 1.05), v) / 100:.2f}"
    cfg["avrakning"] = avr
    extra = cfg.get("lisa", {}).get("extra", {}) or {}
    for konto, how in list(extra.items()):
        if how != "alla":
            v = parse_amount_ore(str(how))
            extra[konto] = f"{_round(v * rng.uniform(0.8, 1.0), v) / 100:.2f}"

    out = YearTargets(cur.year - 1, balance, result, dict(cur.names), cfg, cur.koddelar)
    out.opening = opening
    return out
