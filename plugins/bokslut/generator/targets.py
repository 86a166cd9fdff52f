"""Load the target figures of one year from the package data (``data/<year>/``).

A year directory holds copies of the reference ``balansrakning.tsv`` and ``resultatrakning.tsv``,
``targets.yaml`` (everything the two reports do not hold), ``koddelar.yaml`` (code lists) and
``konton_extra.tsv`` (names of accounts outside the reports). When the reference has 2-digit lines
only (``referensniva: 2``), ``konton.tsv`` splits every group over 4-digit accounts.

The result is a :class:`YearTargets` in öre: per balance account the IB and the UB per report
column, per result account the drift total per report column. Nothing here is random.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bokslut.money import parse_amount_ore

from .split import allocate

COLUMNS = ("externt", "stadens_bolag", "internt")
SUPPORTED_YEARS = (2020, 2024)


@dataclass(frozen=True)
class BalanceTarget:
    """One balance-sheet account: IB (period 00) and UB per report column."""

    konto: str
    namn: str
    ib: int
    ub: dict[str, int]

    @property
    def ub_total(self) -> int:
        return sum(self.ub.values())

    @property
    def change(self) -> int:
        return self.ub_total - self.ib


@dataclass(frozen=True)
class ResultTarget:
    """One result account: drift total over periods 01–13 per report column."""

    konto: str
    namn: str
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


@dataclass
class YearTargets:
    year: int
    balance: dict[str, BalanceTarget]
    result: dict[str, ResultTarget]
    names: dict[str, str]
    config: dict[str, Any]
    koddelar: dict[str, Any]
    # IB per account and posting class; filled by resolve_opening() (or by the prior-year model)
    opening: dict[str, dict[str, int]] = field(default_factory=dict)

    def ore(self, *path: str) -> int:
        """An amount of targets.yaml in öre, e.g. ``ore("stadskassan", "externa_inbetalningar")``."""
        node: Any = self.config
        for key in path:
            node = node[key]
        return parse_amount_ore(str(node))


def data_dir(year: int) -> Path:
    return Path(str(resources.files("bokslut.generator") / "data" / str(year)))


def check_year(year: int) -> None:
    if year not in SUPPORTED_YEARS:
        years = " och ".join(str(y) for y in SUPPORTED_YEARS)
        raise ValueError(
            f"Året {year} stöds inte av generatorn: målsiffror finns bara för {years}."
        )


def load(year: int) -> YearTargets:
    """The targets of ``year`` with the opening balance split by class resolved."""
    check_year(year)
    base = data_dir(year)
    config = yaml.safe_load((base / "targets.yaml").read_text(encoding="utf-8"))
    koddelar = yaml.safe_load((base / "koddelar.yaml").read_text(encoding="utf-8"))
    br_rows = _read_tsv(base / "balansrakning.tsv")
    rr_rows = _read_tsv(base / "resultatrakning.tsv")
    if int(config.get("referensniva", 4)) == 4:
        balance, result = _from_level4(br_rows, rr_rows)
    else:
        balance, result = _from_level2(br_rows, rr_rows, _read_tsv(base / "konton.tsv"))
    names = {k: t.namn for k, t in balance.items()} | {k: t.namn for k, t in result.items()}
    for row in _read_tsv(base / "konton_extra.tsv"):
        names[row["konto"]] = row["namn"]
    targets = YearTargets(year, balance, result, names, config, koddelar)
    resolve_opening(targets)
    return targets


def resolve_opening(targets: YearTargets) -> None:
    """Split each IB over posting classes in proportion to the account's UB split.

    The reports do not show IB by counterparty class, so any split is right; a proportional
    one keeps every class's movement modest. Eget kapital uses its configured class.
    """
    ek_class = targets.config.get("eget_kapital_klass", {})
    for konto, bt in targets.balance.items():
        if konto.startswith("20"):
            targets.opening[konto] = {ek_class.get(konto, "externt"): bt.ib} if bt.ib else {}
            continue
        targets.opening[konto] = proportional(bt.ib, bt.ub)


def proportional(total: int, shape: dict[str, int]) -> dict[str, int]:
    """``total`` shared over the keys of ``shape`` in proportion to its (signed) values."""
    if total == 0:
        return {}
    nonzero = {c: v for c, v in shape.items() if v}
    if not nonzero:
        return {"externt": total}
    whole = sum(nonzero.values())
    if whole == 0:
        main = max(nonzero, key=lambda c: abs(nonzero[c]))
        return {main: total}
    main = max(nonzero, key=lambda c: abs(nonzero[c]))
    out = {c: (total * v) // whole for c, v in nonzero.items() if c != main}
    out[main] = total - sum(out.values())
    return {c: v for c, v in out.items() if v}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _from_level4(br_rows, rr_rows) -> tuple[dict, dict]:
    balance: dict[str, BalanceTarget] = {}
    for row in br_rows:
        if row["level"] != "4":
            continue
        ub = {c: parse_amount_ore(row[c]) for c in COLUMNS}
        bt = BalanceTarget(row["account"], row["name"], parse_amount_ore(row["ib"]), ub)
        if bt.change != parse_amount_ore(row["change"]) or bt.ub_total != parse_amount_ore(
            row["ub_totalt"]
        ):
            raise ValueError(f"Balansräkningen för konto {bt.konto} går inte ihop (IB + förändring ≠ UB)")
        balance[bt.konto] = bt
    result: dict[str, ResultTarget] = {}
    for row in rr_rows:
        if row["level"] != "4":
            continue
        rt = ResultTarget(row["account"], row["name"], {c: parse_amount_ore(row[c]) for c in COLUMNS})
        if rt.total != parse_amount_ore(row["totalt"]):
            raise ValueError(f"Resultaträkningen för konto {rt.konto} går inte ihop")
        result[rt.konto] = rt
    return balance, result


def _from_level2(br_rows, rr_rows, konton) -> tuple[dict, dict]:
    """Split 2-digit group figures over the 4-digit accounts of konton.tsv (fixed or weights)."""
    groups: dict[str, dict[str, int]] = {}
    for row in br_rows:
        if row["level"] == "2":
            groups[row["account"]] = {"ib": parse_amount_ore(row["ib"])} | {
                c: parse_amount_ore(row[c]) for c in COLUMNS
            }
    for row in rr_rows:
        if row["level"] == "2":
            groups[row["account"]] = {c: parse_amount_ore(row[c]) for c in COLUMNS}
    by_group: dict[str, list[dict[str, str]]] = {}
    for row in konton:
        grp = row["konto"][:2]
        if grp not in groups:
            raise ValueError(f"Konto {row['konto']} hör till grupp {grp} som saknas i referensen")
        by_group.setdefault(grp, []).append(row)
    amounts: dict[str, dict[str, int]] = {}
    for grp, rows in by_group.items():
        for col, group_total in groups[grp].items():
            fixed = {r["konto"]: parse_amount_ore(r[col]) for r in rows if _is_fixed(r[col])}
            weighted = [(r["konto"], float(r[col][1:])) for r in rows if r[col].strip().startswith("w")]
            rest = group_total - sum(fixed.values())
            parts = dict(fixed)
            if weighted:
                unit = 100 if rest % 100 == 0 else 1
                shares = allocate(rest, [w for _, w in weighted], unit=unit)
                parts |= {k: int(v) for (k, _), v in zip(weighted, shares)}
            elif rest:
                raise ValueError(f"Grupp {grp} kolumn {col}: {rest} öre har inget konto att fördelas på")
            for konto, value in parts.items():
                amounts.setdefault(konto, {})[col] = value
    balance: dict[str, BalanceTarget] = {}
    result: dict[str, ResultTarget] = {}
    for row in konton:
        konto = row["konto"]
        vals = amounts.get(konto, {})
        if konto[0] in "12":
            ub = {c: vals.get(c, 0) for c in COLUMNS}
            balance[konto] = BalanceTarget(konto, row["namn"], vals.get("ib", 0), ub)
        else:
            result[konto] = ResultTarget(konto, row["namn"], {c: vals.get(c, 0) for c in COLUMNS})
    return balance, result


def _is_fixed(cell: str) -> bool:
    cell = cell.strip()
    return bool(cell) and not cell.startswith("w")
