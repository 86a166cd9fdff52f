"""Synthetic Agresso extracts for förvaltning 191 that reproduce the reference figures.

There are no real Agresso files to ship, so the product generates realistic ones: a ledger
(huvudbok) per period plus the prior year, the budget, the asset register and the stadskassan
extract, in the canonical formats of ``docs/spec/formats.md``. Loaded and reported by the
pipeline they give the reference package's figures to the öre (2024 at account level, 2020 at
2-digit level). See ``docs/generator.md``. The package data is in ``data/``.

Modules, one job each::

    targets   package data → target figures
    prior     the prior year's targets
    plan      per-period totals and counts
    split     exact öre splitting
    koddelar  dimension codes
    texts     voucher types and texts
    ledger    streaming huvudbok writer
    budget    the budget extract
    extras    asset register, stadskassan
    csvout    the canonical formats
    hr        LISA employments, absence, contracted time
    ber       BER/KAA registrations and contacts
    persons   synthetic test-range personnummer
    city      a small synthetic city: other förvaltningar derived from 191's
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .ber import write_ber
from .budget import write_budget
from .extras import write_asset_register, write_treasury
from .hr import write_hr
from .koddelar import Koddelar
from .ledger import LedgerWriter
from bokslut.domain.organisation import is_forvaltning

from .plan import build_plan
from .prior import prior_targets
from .targets import SUPPORTED_YEARS, check_year, load

__all__ = ["GeneratedSet", "generate", "SUPPORTED_YEARS", "DEFAULT_ROWS"]

DEFAULT_ROWS = 80_000  # ledger rows, all files (this year and the prior year)
PRIOR_SHARE = 0.2  # share of the rows in the prior year's file


@dataclass(frozen=True)
class GeneratedSet:
    """What :func:`generate` wrote: files per source and the number of ledger rows."""

    year: int
    forvaltning: str
    seed: int
    files: dict[str, tuple[Path, ...]]  # "ledger", "budget", "anlaggningsreskontra", "stadskassan", "hr", "ber"
    postings: int  # ledger rows in all ledger files (this year and the prior year)
    postings_year: int  # ledger rows of the year itself (periods 00–13)

    @property
    def all_files(self) -> tuple[Path, ...]:
        return tuple(p for paths in self.files.values() for p in paths)


def generate(
    year: int,
    out_dir: Path,
    *,
    forvaltning: str = "191",
    rows: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> GeneratedSet:
    """Write the synthetic extracts of ``year`` under ``out_dir``.

    ``rows`` is the approximate number of ledger rows over all ledger files (default
    ``DEFAULT_ROWS``); any value gives exactly the same totals. ``seed`` defaults to the year,
    so output is deterministic. Raises ValueError (Swedish message) for an unsupported year or
    bad arguments.
    """
    check_year(year)
    if not is_forvaltning(forvaltning):
        raise ValueError(f"Förvaltning ska vara tre siffror, inte '{forvaltning}'")
    if rows is not None and (not isinstance(rows, int) or rows < 1):
        raise ValueError(f"Antal rader ska vara ett positivt heltal, inte '{rows}'")
    seed = year if seed is None else int(seed)
    total_rows = DEFAULT_ROWS if rows is None else rows
    prior_rows = int(round(total_rows * PRIOR_SHARE))
    year_rows = total_rows - prior_rows
    out_dir = Path(out_dir)
    say = progress or (lambda _msg: None)

    cur = load(year)
    kod = Koddelar(cur.koddelar)
    plan = build_plan(cur, year_rows, seed, kod.first_code)
    prev = prior_targets(cur, seed)
    prev_plan = build_plan(prev, prior_rows, seed, kod.first_code)
    say(f"Planerat {year}: {len(plan.flows)} flöden; föregående år {prev.year}: {len(prev_plan.flows)}")

    ledger_dir = out_dir / "ledger"
    prior_writer = LedgerWriter(prev, prev_plan, kod, seed, forvaltning)
    prior_path = ledger_dir / f"huvudbok_{forvaltning}_{prev.year}.csv"
    ledger_files = prior_writer.write(lambda _p: prior_path, progress)
    year_writer = LedgerWriter(cur, plan, kod, seed, forvaltning)
    ledger_files += year_writer.write(
        lambda p: ledger_dir / f"huvudbok_{forvaltning}_{year}{p:02d}.csv", progress
    )

    budget = write_budget(
        cur, kod, seed, forvaltning, out_dir / "budget" / f"budget_{forvaltning}_{year}.csv"
    )
    assets = write_asset_register(
        cur, plan, forvaltning,
        out_dir / "anlaggningsreskontra" / f"anlaggningsreskontra_{forvaltning}_{year}.csv",
    )
    treasury = write_treasury(
        cur, plan, seed, forvaltning, out_dir / "stadskassan" / f"stadskassan_{forvaltning}_{year}.csv"
    )
    hr_files = write_hr(year, out_dir, forvaltning, seed)  # () for a year without HR targets
    ber_files = write_ber(year, out_dir, forvaltning, seed)
    if hr_files or ber_files:
        say(f"Skrev personalfiler (LISA) och KAA-filer (BER): {len(hr_files) + len(ber_files)} filer")
    say(f"Klart: {prior_writer.rows + year_writer.rows} konteringar")
    return GeneratedSet(
        year=year,
        forvaltning=forvaltning,
        seed=seed,
        files={
            "ledger": tuple(ledger_files),
            "budget": (budget,),
            "anlaggningsreskontra": (assets,),
            "stadskassan": (treasury,),
            "hr": hr_files,
            "ber": ber_files,
        },
        postings=prior_writer.rows + year_writer.rows,
        postings_year=year_writer.rows,
    )
