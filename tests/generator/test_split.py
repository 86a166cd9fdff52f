"""Exact öre splitting (split.py) and the target loading that relies on it (targets.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bokslut.generator.split import allocate, split_postings
from bokslut.generator.targets import load, proportional
from tests.generator.aggregate import ore, read_reference

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("total", [0, 1, -1, 99, 12_345_678_901, -98_765_432_109])
def test_allocate_is_exact(total):
    rng = np.random.default_rng(1)
    for n in (1, 3, 12, 1000):
        parts = allocate(total, rng.random(n))
        assert parts.sum() == total and parts.dtype == np.int64
        assert (np.sign(parts) * np.sign(total) >= 0).all()


def test_allocate_units_and_minimum():
    parts = allocate(-1_615_500_000_00, [3, 1, 1], unit=100, minimum=1)
    assert parts.sum() == -1_615_500_000_00 and (parts % 100 == 0).all() and (parts < 0).all()
    with pytest.raises(ValueError):
        allocate(2, [1, 1, 1], minimum=1)
    with pytest.raises(ValueError):
        allocate(150, [1, 1], unit=100)


@pytest.mark.parametrize("total", [27554, -25, 0, -19_142_261_200, 3_036_865_30])
def test_split_postings_exact_nonzero(total):
    rng = np.random.default_rng(5)
    for n in (2, 7, 500):
        for gross in (1.0, 30.0):
            amounts = split_postings(total, n, rng, gross_ratio=gross)
            assert amounts.sum() == total
            assert (amounts != 0).all() and 0 < amounts.size <= n


def test_split_postings_has_corrections_and_turnover():
    rng = np.random.default_rng(3)
    amounts = split_postings(-785_000_00, 2000, rng, gross_ratio=40.0)
    assert (amounts > 0).sum() > 100 and (amounts < 0).sum() > 100
    assert np.abs(amounts).sum() > 30 * 785_000_00


def test_proportional_keeps_total():
    split = proportional(939585800, {"externt": -12341700, "internt": 663411900})
    assert sum(split.values()) == 939585800
    assert split["externt"] < 0 < split["internt"]
    assert abs(split["externt"] / 939585800 - (-12341700 / 651070200)) < 1e-6
    assert sum(proportional(-7, {"externt": 1, "stadens_bolag": 1, "internt": 1}).values()) == -7


def test_2020_split_rolls_up_to_the_reference():
    targets = load(2020)
    for row in read_reference(2020, "balansrakning.tsv"):
        if row["level"] != "2":
            continue
        accounts = [b for k, b in targets.balance.items() if k[:2] == row["account"]]
        assert sum(b.ib for b in accounts) == ore(row["ib"])
        for col in ("externt", "stadens_bolag", "internt"):
            assert sum(b.ub[col] for b in accounts) == ore(row[col])


def test_package_data_is_self_contained():
    """The product reads its own packaged copies, never the tests' reference files."""
    from bokslut.generator.targets import data_dir

    for year in (2020, 2024):
        base = data_dir(year)
        assert "shared" not in base.parts
        for name in ("balansrakning.tsv", "resultatrakning.tsv"):
            assert (base / name).read_text(encoding="utf-8") == (
                read_reference.__globals__["REFERENCE"] / str(year) / name
            ).read_text(encoding="utf-8")
