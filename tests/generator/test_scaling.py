"""``rows=`` changes the number of postings, never a total; the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from bokslut.generator import generate


def _totals(extract) -> list:
    return extract.q(
        "SELECT yr, pp IN (0, 13) AS edge, Konto, col, Anslag, SUM(Belopp) FROM p "
        "GROUP BY ALL HAVING SUM(Belopp) <> 0 ORDER BY ALL"
    )


@pytest.mark.integration
def test_rows_scales_the_postings_not_the_totals(x2024, x2024_scaled):
    assert _totals(x2024_scaled) == _totals(x2024)
    assert x2024_scaled.q("SELECT * EXCLUDE (filename) FROM treasury ORDER BY ALL") == x2024.q("SELECT * EXCLUDE (filename) FROM treasury ORDER BY ALL")
    for table in ("assets", "budget"):
        assert x2024_scaled.q(f"SELECT COUNT(*), SUM(Belopp) FROM {table}") == x2024.q(
            f"SELECT COUNT(*), SUM(Belopp) FROM {table}"
        )
    n = x2024_scaled.generated.postings
    assert 0.9 * 200_000 <= n <= 1.1 * 200_000
    assert n == x2024_scaled.scalar("SELECT COUNT(*) FROM ledger")
    assert x2024_scaled.generated.postings_year == x2024_scaled.scalar("SELECT COUNT(*) FROM p WHERE yr = 2024")


@pytest.mark.integration
def test_default_size_is_realistic(set_2024, x2024):
    assert 50_000 <= set_2024.postings_year <= 100_000
    assert set_2024.postings == x2024.scalar("SELECT COUNT(*) FROM ledger")


def _digest(root) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.csv"))
    }


@pytest.mark.unit
def test_same_seed_same_files(tmp_path):
    a = generate(2024, tmp_path / "a", rows=20_000, seed=7)
    b = generate(2024, tmp_path / "b", rows=20_000, seed=7)
    c = generate(2024, tmp_path / "c", rows=20_000, seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    da, dc = _digest(tmp_path / "a"), _digest(tmp_path / "c")
    assert da.keys() == dc.keys() and da != dc
    assert a.postings == b.postings
    assert a.seed == 7 and c.seed == 8


@pytest.mark.integration
def test_default_seed_is_the_year(set_2024):
    assert set_2024.seed == 2024


@pytest.mark.unit
def test_output_does_not_depend_on_the_process(tmp_path):
    """Same bytes from separate interpreters with different string-hash seeds."""
    code = "import sys; from pathlib import Path; from bokslut.generator import generate; " \
           "generate(2020, Path(sys.argv[1]), rows=15_000)"
    for name, hashseed in (("p1", "1"), ("p2", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, env=env)
    assert _digest(tmp_path / "p1") == _digest(tmp_path / "p2")
