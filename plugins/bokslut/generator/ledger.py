"""Write the postings of a :class:`~.plan.Plan` to huvudbok CSV files, period by period.

Memory does not grow with the number of rows: each flow × period is generated in blocks of at
most ``BLOCK`` postings and written at once. Every block draws from its own random stream,
seeded by (seed, year, flow, period, block), so output depends only on the seed and the plan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import repeat
from pathlib import Path
from typing import Callable

import numpy as np

from .csvout import LEDGER_HEADER, Calendar, format_amounts, open_csv
from .koddelar import Koddelar, project_share
from .plan import AccrualFlow, Flow, PairFlow, Plan
from .split import allocate, split_postings
from .targets import YearTargets
from .texts import VOUCHER_CODES, TextMaker

BLOCK = 50_000


class VoucherNumbers:
    """Sequential voucher numbers per voucher type: ``YY`` + type code + 8-digit sequence."""

    def __init__(self, year: int):
        self.base = (year % 100) * 10**10
        self.seq: dict[str, int] = defaultdict(int)
        self.shared: dict[tuple[int, str], int] = {}

    def take(self, vertyp: str, k: int) -> np.ndarray:
        start = self.seq[vertyp] + 1
        self.seq[vertyp] += k
        return self.base + VOUCHER_CODES[vertyp] * 10**8 + np.arange(start, start + k, dtype=np.int64)

    def shared_number(self, period: int, key: str, vertyp: str) -> int:
        if (period, key) not in self.shared:
            self.shared[(period, key)] = int(self.take(vertyp, 1)[0])
        return self.shared[(period, key)]


class LedgerWriter:
    def __init__(self, targets: YearTargets, plan: Plan, kod: Koddelar, seed: int, forvaltning: str):
        self.t = targets
        self.plan = plan
        self.kod = kod
        self.seed = seed
        self.forv = forvaltning
        self.year = targets.year
        self.cal = Calendar(self.year)
        self.numbers = VoucherNumbers(self.year)
        self.texts = TextMaker(self.year, kod.suppliers, kod.customers)
        self.rows = 0

    def name(self, konto: str) -> str:
        try:
            return self.t.names[konto]
        except KeyError:
            raise ValueError(f"Kontonamn saknas för konto {konto} ({self.year})") from None

    def rng(self, *keys: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.year, *keys])

    # -- files -----------------------------------------------------------------------------

    def write(self, path_for: Callable[[int], Path], progress: Callable[[str], None] | None) -> list[Path]:
        """Write periods 00–13; ``path_for(period)`` names the file (the same path = one file)."""
        written: list[Path] = []
        fh = writer = None
        current: Path | None = None
        for p in range(14):
            path = path_for(p)
            if path != current:
                if fh:
                    fh.close()
                fh, writer = open_csv(path, LEDGER_HEADER)
                current = path
                written.append(path)
            before = self.rows
            self.write_period(p, writer)
            if progress:
                progress(f"Huvudbok {self.year}{p:02d}: {self.rows - before} konteringar")
        if fh:
            fh.close()
        return written

    def write_period(self, p: int, writer) -> None:
        for flow in self.plan.flows:
            if flow.counts[p]:
                self._flow(flow, p, writer)
        for pair in self.plan.pairs:
            if pair.counts[p]:
                self._pairs(pair, p, writer)
        for acc in self.plan.accruals:
            self._accruals(acc, p, writer)

    # -- blocks ----------------------------------------------------------------------------

    def _flow(self, f: Flow, p: int, writer) -> None:
        n, total = int(f.counts[p]), int(f.totals[p])
        blocks = math.ceil(n / BLOCK)
        sizes = allocate(n, np.ones(blocks))
        totals = allocate(total, sizes.astype(float), unit=f.unit) if blocks > 1 else [total]
        for b, (size, sub) in enumerate(zip(sizes.tolist(), list(totals))):
            rng = self.rng(f.fid, p, b)
            amounts = split_postings(int(sub), size, rng, unit=f.unit, gross_ratio=f.gross,
                                     corr_share=f.corr, sigma=f.sigma)
            if amounts.size:
                self._write_flow_block(f, p, amounts, rng, writer)

    def _write_flow_block(self, f: Flow, p: int, amounts: np.ndarray, rng, writer) -> None:
        m = amounts.size
        if p == 13:
            vertyp = np.full(m, "BO")
        else:
            vertyp = np.where(amounts > 0, f.debit, f.credit)
        if f.voucher:
            vernr = np.full(m, self.numbers.shared_number(p, f.voucher, str(vertyp[0])))
        else:
            vernr = np.empty(m, dtype=np.int64)
            for vt in np.unique(vertyp).tolist():
                idx = vertyp == vt
                vernr[idx] = self.numbers.take(vt, int(idx.sum()))
        names = None
        if f.motpart:
            motpart = np.full(m, f.motpart)
        else:
            pool = self.kod.motpart[f.cls]
            pick = pool.draw(rng, m)
            motpart = pool.codes[pick]
            names = np.array(pool.names)[pick]
        ansvar, verksamhet, projekt = self.kod.dims(rng, m, project_share(f.konto))
        dates = self.cal.by_rule(f.day, rng, p, m)
        if f.text:
            texts = repeat(f.text, m)
        else:
            texts = self.texts.make(rng, vertyp, amounts, f.konto, p, names,
                                    bolag=f.cls == "stadens_bolag")
        self._emit(writer, p, f.konto, f.anslag, ansvar, verksamhet, projekt, motpart, vertyp,
                   vernr, dates, texts, amounts)

    def _pairs(self, pf: PairFlow, p: int, writer) -> None:
        k = int(pf.counts[p])
        rng = self.rng(pf.fid, p)
        x = np.maximum(100, np.round(rng.lognormal(np.log(pf.scale), 0.8, k) / 100) * 100).astype(np.int64)
        amounts = np.column_stack([x, -x]).ravel()
        if pf.motpart:
            motpart = np.full(2 * k, pf.motpart)
        else:
            motpart = np.repeat(self.kod.motpart_codes(rng, pf.cls, k), 2)
        ansvar, verksamhet, projekt = self.kod.dims(rng, 2 * k, project_share(pf.konto) / 2)
        vernr = np.repeat(self.numbers.take(pf.vertyp, k), 2)
        dates = np.repeat(self.cal.random(rng, p, k), 2)
        vertyp = np.full(2 * k, pf.vertyp)
        self._emit(writer, p, pf.konto, "D", ansvar, verksamhet, projekt, motpart, vertyp, vernr,
                   dates, repeat(pf.text, 2 * k), amounts)

    def _accrual_bookings(self, af: AccrualFlow, month: int):
        rng = self.rng(af.fid, month)
        x = np.maximum(100, np.round(rng.lognormal(np.log(af.scale), 0.6, af.per_month) / 100) * 100)
        motpart = self.kod.motpart_codes(rng, af.cls, af.per_month)
        ansvar, verksamhet, projekt = self.kod.dims(rng, af.per_month, 0.0)
        return x.astype(np.int64), motpart, ansvar, verksamhet, projekt

    def _accruals(self, af: AccrualFlow, p: int, writer) -> None:
        if not 1 <= p <= 12:
            return
        if af.same_month:  # booked mid-month, cleared at month end
            legs = ((p, 1, "random", ""), (p, -1, "last", "Avslut: "))
        else:  # booked at month end, reversed on the 1st of the next month
            legs = ((p, 1, "last", ""), (p - 1, -1, "first", "Återföring: "))
        for month, sign, when, prefix in legs:
            if month not in af.months:
                continue
            x, motpart, ansvar, verksamhet, projekt = self._accrual_bookings(af, month)
            k = x.size
            label = f"{prefix}{af.text} {self.year}-{month:02d}"
            vernr = self.numbers.take("MA", k)  # one voucher per booking, both legs
            date = self.cal.by_rule(when, self.rng(af.fid, month, 1), p, 1)[0]
            br_amounts = sign * af.br_sign * x
            for konto, amounts in ((af.br, br_amounts), (af.rr, -br_amounts)):
                self._emit(writer, p, konto, "D", ansvar, verksamhet, projekt,
                           motpart, np.full(k, "MA"), vernr, np.full(k, date),
                           repeat(label, k), amounts)

    def _emit(self, writer, p, konto, anslag, ansvar, verksamhet, projekt, motpart, vertyp,
              vernr, dates, texts, amounts) -> None:
        m = int(amounts.size)
        writer.writerows(
            zip(
                repeat(self.forv, m),
                repeat(f"{self.year}{p:02d}", m),
                repeat(konto, m),
                repeat(self.name(konto), m),
                ansvar.tolist(),
                verksamhet.tolist(),
                projekt.tolist(),
                motpart.tolist(),
                repeat(anslag, m),
                vertyp.tolist(),
                vernr.astype(str).tolist(),
                dates.tolist(),
                texts,
                format_amounts(amounts),
            )
        )
        self.rows += m
