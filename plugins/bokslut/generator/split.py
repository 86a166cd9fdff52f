"""Split an öre total into integer parts that add up exactly.

Two building blocks, both pure integer arithmetic on the result (floats only rank remainders):

* :func:`allocate` shares a total over weights (largest-remainder rounding), deterministic;
* :func:`split_postings` turns one total into ``n`` non-zero postings with random lognormal
  weights and a few opposite-sign corrections (credit notes, reversals), as a real ledger has.

Amounts are multiples of ``unit`` (1 öre, or 100 öre for whole-krona accounts).
"""

from __future__ import annotations

import numpy as np


def allocate(total: int, weights, unit: int = 1, minimum: int = 0) -> np.ndarray:
    """Parts of ``total`` proportional to non-negative ``weights``; ``sum(parts) == total``.

    Every part is a multiple of ``unit`` and at least ``minimum`` units in absolute value
    (parts share the sign of ``total``). Raises ValueError when that is impossible.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = w.size
    if total % unit:
        raise ValueError(f"{total} öre är inte en multipel av {unit}")
    units = total // unit
    if n == 0:
        if units:
            raise ValueError("belopp utan mottagare")
        return np.zeros(0, dtype=np.int64)
    if (w < 0).any():
        raise ValueError("negativ vikt")
    sign = -1 if units < 0 else 1
    left = abs(units) - minimum * n
    if left < 0:
        raise ValueError(f"{abs(units)} enheter räcker inte till {n} delar om minst {minimum}")
    s = w.sum()
    if s <= 0:
        w = np.ones(n)
        s = float(n)
    raw = w * (left / s)
    base = np.floor(raw).astype(np.int64)
    rest = left - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        while rest > 0:  # float rounding can leave rest == n now and then
            k = min(rest, n)
            base[order[:k]] += 1
            rest -= k
        while rest < 0:
            k = min(-rest, int((base > 0).sum()))
            idx = np.flatnonzero(base > 0)[:k]
            base[idx] -= 1
            rest += k
    return sign * (base + minimum) * unit


def split_postings(
    total: int,
    n: int,
    rng: np.random.Generator,
    *,
    unit: int = 1,
    gross_ratio: float = 1.0,
    corr_share: float = 0.04,
    sigma: float = 1.0,
) -> np.ndarray:
    """``n`` (or, for tiny totals, fewer) non-zero postings summing exactly to ``total``.

    ``gross_ratio`` >= 1 sets the turnover: the postings' absolute sum is about
    ``gross_ratio * |total|`` (a receivables account turns over far more than it changes).
    ``corr_share`` is the share of postings with the opposite sign. A zero total is split into
    pairs of both signs (needs n >= 2).
    """
    if n <= 0:
        if total:
            raise ValueError("belopp utan konteringar")
        return np.zeros(0, dtype=np.int64)
    units = total // unit
    if total % unit:
        raise ValueError(f"{total} öre är inte en multipel av {unit}")
    if n == 1:
        if units == 0:
            return np.zeros(0, dtype=np.int64)
        return np.array([total], dtype=np.int64)
    sign = -1 if units < 0 else 1
    mag = abs(units)
    if mag == 0:
        n_neg = max(1, n // 2)
    else:
        share = corr_share if gross_ratio <= 1.0 + 2 * corr_share else max(corr_share, 0.3)
        n_neg = int(rng.binomial(n - 1, min(share, 0.5)))
    n_pos = n - n_neg
    if n_neg:
        extra = max(mag * (gross_ratio - 1.0) / 2.0, mag * corr_share * 0.6)
        q = max(n_neg, int(round(extra)))
        if mag == 0:
            q = max(q, n_neg * 50)
    else:
        q = 0
    p = mag + q
    n_pos = min(n_pos, p)
    pos = allocate(p, rng.lognormal(0.0, sigma, n_pos), minimum=1)
    neg = allocate(q, rng.lognormal(0.0, sigma, n_neg), minimum=1) if n_neg else pos[:0]
    out = np.concatenate([pos * sign, -neg * sign]) * unit
    return out[rng.permutation(out.size)]


def period_weights(rng: np.random.Generator, months: int = 12, shape: float = 6.0) -> np.ndarray:
    """Random but even-ish monthly weights (gamma draws); a little seasonality is realistic."""
    return rng.gamma(shape, 1.0, months)
