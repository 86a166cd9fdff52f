"""The two small extracts beside the ledger: anläggningsreskontra and stadskassan.

* Anläggningsreskontra: the asset register's transactions, which must agree with the ledger
  (Anläggningsinformation "Diff HB och ANL" = 0): Aktivering per asset account and period, and
  Automatisk avskrivning per depreciation account and period, exactly as the ledger planned them.
* Stadskassan: monthly Externa inbetalningar, Interna inbetalningar and Externa utbetalningar.
  Their yearly sum satisfies Stadskassans konto Summa (= the three + Σ 904x/905x)
  = change of 2021 − Årets resultat; an ``auto`` figure in targets.yaml is solved from it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .csvout import ASSET_REGISTER_HEADER, TREASURY_HEADER, format_amount, open_csv
from .plan import Plan, parse
from .split import allocate, period_weights
from .targets import YearTargets

TREASURY_TYPES = ("Externa inbetalningar", "Interna inbetalningar", "Externa utbetalningar")
_TREASURY_KEYS = ("externa_inbetalningar", "interna_inbetalningar", "externa_utbetalningar")


def write_asset_register(t: YearTargets, plan: Plan, forvaltning: str, path: Path) -> Path:
    fh, writer = open_csv(path, ASSET_REGISTER_HEADER)
    with fh:
        for period, konto, typ, amount in sorted(plan.asset_register):
            writer.writerow((forvaltning, f"{t.year}{period:02d}", konto, typ, format_amount(amount)))
    return path


def treasury_totals(t: YearTargets, plan: Plan) -> dict[str, int]:
    """Yearly stadskassan figures in öre, with an ``auto`` one solved from the identity."""
    spec = t.config["stadskassan"]
    clearing = sum(v for k, v in plan.derived.items() if k.startswith(("904", "905")))
    result = sum(rt.total for rt in t.result.values())
    target = t.balance["2021"].change - result - clearing  # = in + interna in + ut
    given = {k: parse(v) for k, v in spec.items() if str(v) != "auto"}
    missing = [k for k in _TREASURY_KEYS if k not in given]
    if len(missing) > 1:
        raise ValueError("Högst ett stadskassebelopp får vara 'auto'")
    if missing:
        given[missing[0]] = target - sum(given.values())
    if sum(given.values()) != target:
        raise ValueError(
            f"Stadskassans konto går inte ihop: {sum(given.values())} öre ≠ förändring 2021 − "
            f"årets resultat − 904x/905x = {target} öre"
        )
    return {typ: given[key] for typ, key in zip(TREASURY_TYPES, _TREASURY_KEYS)}


def write_treasury(t: YearTargets, plan: Plan, seed: int, forvaltning: str, path: Path) -> Path:
    totals = treasury_totals(t, plan)
    rng = np.random.default_rng([seed, t.year, 4])
    monthly = {}
    for typ, total in totals.items():
        unit = 100 if total % 100 == 0 else 1
        weights = period_weights(rng, 12, shape=12.0)
        monthly[typ] = allocate(total, weights, unit=unit) if total else np.zeros(12, dtype=np.int64)
    fh, writer = open_csv(path, TREASURY_HEADER)
    with fh:
        for m in range(1, 13):
            for typ in TREASURY_TYPES:
                amount = format_amount(int(monthly[typ][m - 1]))
                writer.writerow((forvaltning, f"{t.year}{m:02d}", typ, amount))
    return path
