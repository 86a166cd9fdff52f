"""Budget extract: versions VP, BJ, T1, T2 for the year, whole kronor, ledger signs.

Each version's totals come from targets.yaml (``budget``): drift costs (groups 40–78 and 85
except 852), revenue (30–38 and 84), Anslag I on the investment expenditure accounts and, for
the tertial forecasts, depreciation and internränta. A total is spread over the accounts with
an outturn of that kind in proportion to the outturn (with noise), then over one to three
ansvar. BJ is periodised by month (Period ``YYYYPP``); VP, T1 and T2 are whole-year rows
(Period blank).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bokslut.domain.organisation import BUDGET_VERSIONS

from .csvout import BUDGET_HEADER, format_amount, open_csv
from .koddelar import Koddelar
from .split import allocate, period_weights
from .targets import YearTargets

MONTHLY = ("BJ",)


def _kinds(t: YearTargets) -> dict[str, list[tuple[str, int]]]:
    """Accounts (with outturn) that carry each kind of budget."""
    cfg = t.config
    skip = {spec["rr"] for spec in cfg.get("bokslut", [])}
    dep = cfg["investering"]["avskrivningskonto"]
    ir = cfg["internranta"]["konto"]
    kinds: dict[str, list[tuple[str, int]]] = {"kostnader": [], "intakter": [], "investering": []}
    for konto, rt in sorted(t.result.items()):
        total = rt.total
        g2 = konto[:2]
        if konto in skip or konto.startswith("852") or g2 in ("49", "79"):
            continue
        if ("40" <= g2 <= "78" or g2 == "85") and total > 0:
            kinds["kostnader"].append((konto, total))
        elif ("30" <= g2 <= "38" or g2 == "84") and total < 0:
            kinds["intakter"].append((konto, total))
    inv = cfg["investering"]["utgiftskonton"]
    kinds["investering"] = [(k, int(float(w) * 1_000_000)) for k, w in inv.items()]
    kinds["avskrivningar"] = [(dep, 1)]
    kinds["internranta"] = [(ir, 1)]
    return kinds


def write_budget(t: YearTargets, kod: Koddelar, seed: int, forvaltning: str, path: Path) -> Path:
    from .plan import parse

    kinds = _kinds(t)
    fh, writer = open_csv(path, BUDGET_HEADER)
    with fh:
        for vi, version in enumerate(BUDGET_VERSIONS):
            spec = t.config["budget"].get(version)
            if not spec:
                continue
            rng = np.random.default_rng([seed, t.year, 3, vi])
            for kind, amount in spec.items():
                total = parse(amount)
                accounts = kinds[kind]
                anslag = "I" if kind == "investering" else "D"
                weights = np.array([abs(v) for _, v in accounts], dtype=float)
                weights *= rng.lognormal(0.0, 0.12, weights.size)
                unit = 100 if total % 100 == 0 else 1
                for (konto, _), value in zip(accounts, allocate(total, weights, unit=unit).tolist()):
                    if value:
                        _write_account(writer, rng, kod, forvaltning, t.year, version, konto,
                                       anslag, value, unit)
    return path


def _write_account(writer, rng, kod: Koddelar, forv: str, year: int, version: str, konto: str,
                   anslag: str, value: int, unit: int) -> None:
    k = int(min(1 + rng.integers(0, 3), max(1, abs(value) // (unit * 1000))))
    picks = rng.choice(len(kod.ansvar.codes), size=k, replace=False)
    parts = allocate(value, rng.gamma(4.0, 1.0, k), unit=unit)
    for a, part in zip(picks.tolist(), parts.tolist()):
        ansvar = str(kod.ansvar.codes[a])
        verksamhet = str(kod.verksamhet.codes[kod.verksamhet.draw(rng, 1)[0]])
        common = (forv, str(year), version)
        tail = (konto, ansvar, verksamhet, kod.no_project, anslag)
        if version in MONTHLY and abs(part) // unit >= 12:
            months = allocate(part, period_weights(rng, 12, shape=20.0), unit=unit)
            for m, v in enumerate(months.tolist(), start=1):
                writer.writerow(common + (f"{year}{m:02d}",) + tail + (format_amount(v),))
        else:
            writer.writerow(common + ("",) + tail + (format_amount(part),))
