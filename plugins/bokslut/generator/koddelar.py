"""Draw dimension codes (motpart, ansvar, verksamhet, projekt) from the year's code lists.

Codes come from ``data/<year>/koddelar.yaml`` as ``[code, weight, name]``. Draws are vectorised:
one call returns an index array; callers turn indices into codes (and names for texts) by
indexing the pool's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Report column -> posting class key in koddelar.yaml
CLASS_KEYS = ("externt", "stadens_bolag", "internt", "forvaltningsinternt")


@dataclass(frozen=True)
class Pool:
    codes: np.ndarray  # str
    names: tuple[str, ...]
    cum: np.ndarray  # cumulative probabilities

    @classmethod
    def from_rows(cls, rows: list[list[Any]]) -> "Pool":
        codes = np.array([str(r[0]) for r in rows])
        weights = np.array([float(r[1]) for r in rows])
        cum = np.cumsum(weights / weights.sum())
        cum[-1] = 1.0
        return cls(codes, tuple(str(r[2]) for r in rows), cum)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices into ``codes`` (weighted)."""
        return np.searchsorted(self.cum, rng.random(n), side="right").clip(0, len(self.codes) - 1)


class Koddelar:
    """All code pools of one year."""

    def __init__(self, spec: dict[str, Any]):
        self.motpart = {k: Pool.from_rows(spec["motpart"][k]) for k in CLASS_KEYS}
        self.ansvar = Pool.from_rows(spec["ansvar"])
        self.verksamhet = Pool.from_rows(spec["verksamhet"])
        self.no_project = str(spec["projekt"]["ingen"])
        self.projekt = Pool.from_rows(spec["projekt"]["koder"])
        self.suppliers = tuple(spec["leverantorer"])
        self.customers = tuple(spec["kunder"])

    def motpart_codes(self, rng: np.random.Generator, cls: str, n: int) -> np.ndarray:
        pool = self.motpart[cls]
        return pool.codes[pool.draw(rng, n)]

    def first_code(self, cls: str) -> str:
        return str(self.motpart[cls].codes[0])

    def dims(self, rng: np.random.Generator, n: int, project_share: float) -> tuple[np.ndarray, ...]:
        """Ansvar, verksamhet and projekt codes for ``n`` postings (never blank)."""
        ansvar = self.ansvar.codes[self.ansvar.draw(rng, n)]
        verksamhet = self.verksamhet.codes[self.verksamhet.draw(rng, n)]
        projekt = np.full(n, self.no_project, dtype=self.projekt.codes.dtype)
        if project_share > 0:
            hit = rng.random(n) < project_share
            k = int(hit.sum())
            if k:
                projekt[hit] = self.projekt.codes[self.projekt.draw(rng, k)]
        return ansvar, verksamhet, projekt


def project_share(konto: str) -> float:
    """How often postings on an account carry a project code (EU-funded revenue almost always)."""
    if konto.startswith(("358", "359")):
        return 0.9
    if konto.startswith(("35", "36")):
        return 0.3
    if konto.startswith(("46", "74", "50")):
        return 0.15
    if konto[0] in "345678":
        return 0.08
    return 0.0
