"""Voucher types by account nature, and posting texts.

Voucher types (Vertyp) written by the generator:

====  ==================================================  ====  ==============================
IB    ingående balans (period 00)                         LI    LISA payroll (+ 9055 counter)
LF    leverantörsfaktura / kreditnota                     PO    personalomkostnader (+ 9052)
KF    kundfaktura / kreditfaktura                         AV    avskrivning (asset register)
IF    internfaktura (internal counterparty)               AK    aktivering of investments
IN    inbetalning (customer payment)                      MO    momsredovisning (9044)
UT    utbetalning (supplier payment)                      BO    bokslut (period 13)
MA    manuell verifikation                                HC/UU zero-net reclassifications
====  ==================================================  ====  ==============================

Texts name organisations only (never a person) and some contain ``;`` and ``"`` on purpose,
to exercise CSV quoting downstream.
"""

from __future__ import annotations

import numpy as np

VOUCHER_CODES = {
    "IB": 10, "LF": 11, "KF": 12, "IF": 13, "IN": 14, "UT": 15, "MA": 16, "LI": 17,
    "PO": 18, "HC": 19, "UU": 20, "BO": 21, "AV": 22, "AK": 23, "MO": 24,
}


def voucher_types(konto: str, cls: str) -> tuple[str, str]:
    """(debit type, credit type) of ordinary postings on ``konto`` with counterparty ``cls``."""
    internal = cls in ("internt", "forvaltningsinternt")
    g2, c = konto[:2], konto[0]
    if c == "3" or g2 == "84":
        if g2 in ("35", "37") or g2 == "84":
            return "MA", "MA"
        return ("IF", "IF") if internal else ("KF", "KF")
    if c in "4567" or g2 == "85":
        if g2 in ("56", "57", "79") or g2 == "85":
            return "MA", "MA"
        return ("IF", "IF") if internal else ("LF", "LF")
    if g2 == "15":
        if konto.startswith("159"):
            return "MA", "MA"
        return ("IF", "IN") if internal else ("KF", "IN")
    if g2 == "16":
        return ("MA", "MA") if konto.startswith("169") else ("MA", "IN")
    if g2 == "24":
        return "UT", "IN"
    if g2 == "25":
        return ("UT", "IF") if internal else ("UT", "LF")
    return "MA", "MA"


def main_sign(konto: str) -> int:
    """Normal sign of the account (debit for assets and costs, credit for liabilities and revenue)."""
    return -1 if konto[0] in "23" or konto[:2] == "84" else 1


class TextMaker:
    """Builds the Text column for a block of postings."""

    def __init__(self, year: int, suppliers: tuple[str, ...], customers: tuple[str, ...]):
        self.year = year
        self.suppliers = suppliers
        self.customers = customers
        # names with ';' or '"' are kept rare (a few per cent of the texts)
        self._sup_cum = _rare_special(suppliers)
        self._cus_cum = _rare_special(customers)
        self._man_cum = _rare_special(_MANUAL)

    def make(
        self,
        rng: np.random.Generator,
        vertyp: np.ndarray,
        amounts: np.ndarray,
        konto: str,
        period: int,
        motpart_names: np.ndarray | None = None,
        bolag: bool = False,
    ) -> list[str]:
        """Texts by voucher type; invoices of Stadens bolag name the bolag (``motpart_names``)."""
        n = amounts.size
        month = f"{self.year}-{min(max(period, 1), 12):02d}"
        normal = np.sign(amounts) == main_sign(konto)
        nr = rng.integers(10000, 999999, n).tolist()
        out: list[str] = [""] * n
        for vt in np.unique(vertyp).tolist():
            idx = np.flatnonzero(vertyp == vt).tolist()
            if vt == "LF":
                sup = _pick(rng, self._sup_cum, len(idx))
                for i, s in zip(idx, sup):
                    word = "Faktura" if normal[i] else "Kreditnota"
                    who = motpart_names[i] if bolag and motpart_names is not None else self.suppliers[s]
                    out[i] = f"{word} {nr[i]} {who}"
            elif vt == "KF":
                cus = _pick(rng, self._cus_cum, len(idx))
                for i, s in zip(idx, cus):
                    word = "Kundfaktura" if normal[i] else "Kreditfaktura"
                    who = motpart_names[i] if bolag and motpart_names is not None else self.customers[s]
                    out[i] = f"{word} {nr[i]} {who}"
            elif vt == "IF":
                for i in idx:
                    name = motpart_names[i] if motpart_names is not None else "annan förvaltning"
                    word = "Internfaktura" if normal[i] else "Intern kreditering"
                    out[i] = f"{word} {nr[i]} {name}"
            elif vt == "IN":
                for i in idx:
                    out[i] = f"Inbetalning OCR {nr[i]}"
            elif vt == "UT":
                sup = _pick(rng, self._sup_cum, len(idx))
                for i, s in zip(idx, sup):
                    out[i] = f"Betalning {nr[i]} {self.suppliers[s]}"
            elif vt == "LI":
                for i in idx:
                    out[i] = f"Lön {month} LISA" if normal[i] else f"Löneavdrag {month} LISA"
            elif vt == "MA":
                kind = _pick(rng, self._man_cum, len(idx))
                for i, k in zip(idx, kind):
                    out[i] = _MANUAL[k].format(nr=nr[i], month=month)
            elif vt == "IB":
                for i in idx:
                    out[i] = f"Ingående balans {self.year}"
            elif vt == "BO":
                for i in idx:
                    out[i] = f"Bokslutspost {self.year} ver {nr[i]}"
            else:
                for i in idx:
                    out[i] = f"{FIXED_TEXTS.get(vt, vt)} {month}"
        return out


def _rare_special(names) -> np.ndarray:
    special = np.array([(";" in n or '"' in n) for n in names])
    w = np.where(special, 0.03 / max(1, special.sum()), 0.97 / max(1, (~special).sum()))
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    return cum


def _pick(rng: np.random.Generator, cum: np.ndarray, n: int) -> list[int]:
    return np.searchsorted(cum, rng.random(n), side="right").clip(0, cum.size - 1).tolist()


_MANUAL = (
    "Periodisering {month}",
    "Omföring enligt underlag {nr}",
    "Rättelse av kontering {nr}",
    "Korrigering {month}; enligt beslut {nr}",
    "Avräkning \"särskilt underlag\" {nr}",
    "Manuell verifikation {nr}",
)

FIXED_TEXTS = {
    "PO": "PO-pålägg",
    "AV": "Avskrivning enligt anläggningsreskontran",
    "AK": "Aktivering av investeringsutgifter",
    "MO": "Momsredovisning",
    "HC": "Omföring mellan ansvar",
    "UU": "Utjämning mellan verksamheter",
}
