"""``Explanation`` as text for a person or TSV for a program (``bokslut explain --format``)."""

from __future__ import annotations

from bokslut.lineage.model import Contribution, Explanation

UNIT_DECIMALS = {"mnkr": 1, "tkr": 0, "kr": 2}


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def _kr(ore: int) -> str:
    return _number(ore / 100, 2) + " kr"


def value_text(value: object, unit: str | None) -> str:
    """A figure as finance reads it: "12,3 mnkr", "1 234,50 kr", "91,8 %"."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "öre":
        return _kr(int(value))
    if unit == "andel":
        return _number(float(value) * 100, 1) + " %"
    if unit in UNIT_DECIMALS:
        return f"{_number(float(value), UNIT_DECIMALS[unit] if float(value) != int(value) or unit == 'kr' else 0)} {unit}"
    return _number(float(value), 0 if float(value) == int(value) else 4)


def _agreement(e: Explanation) -> str:
    if e.agrees is None:
        return "kan inte räknas om (ingen summa i lagret)"
    verdict = "stämmer" if e.agrees else "STÄMMER INTE"
    return f"{value_text(e.recomputed, e.unit)} – {verdict}"


def _contribution_fields(c: Contribution) -> list[str]:
    load = c.load
    return [str(c.period), c.konto or "", c.anslag or "", c.ansvar or "", c.projekt or "", c.verifikation or "",
            f"{c.amount_ore / 100:.2f}", load.file_name if load else "", load.sha256 if load else "",
            str(load.load_id) if load else ""]


CONTRIBUTION_HEADINGS = ["period", "konto", "anslag", "ansvar", "projekt", "verifikation", "belopp_kr", "fil", "sha256", "load_id"]


def _text(e: Explanation) -> str:
    lines = [e.subject, f"  Värde:      {value_text(e.value, e.unit)}", f"  Källa:      {e.source}"]
    lines += [f"    {key}: {text}" for key, text in e.details.items()]
    lines.append(f"  Omräknat:   {_agreement(e)}")
    if e.loads:
        lines.append("  Laddningar:")
        lines += [f"    {load.file_name} (SHA-256 {load.sha256}, load {load.load_id})" for load in e.loads]
    if e.contributions:
        count = f" av {e.contributions_count}" if e.contributions_count is not None else ""
        total = f", summa av alla {_kr(e.contributions_total_ore)}" if e.contributions_total_ore is not None else ""
        lines.append(f"  De {len(e.contributions)}{count} rader som bidrar mest{total}:")
        lines.append("    " + "\t".join(CONTRIBUTION_HEADINGS[:7] + ["fil"]))
        lines += ["    " + "\t".join(_contribution_fields(c)[:8]) for c in e.contributions]
    return "\n".join(lines) + "\n"


def _tsv(e: Explanation) -> str:
    def clean(text: object) -> str:
        return str("" if text is None else text).replace("\t", " ").replace("\n", " ")

    rows = [["amne", clean(e.subject)], ["varde", clean(e.value)], ["enhet", clean(e.unit)], ["kalla", clean(e.source)]]
    rows += [[f"kalla.{clean(k)}", clean(v)] for k, v in e.details.items()]
    rows += [["omraknat", clean(e.recomputed)], ["stammer", {True: "ja", False: "nej", None: ""}[e.agrees]]]
    rows += [["laddning", f"{load.load_id}\t{clean(load.file_name)}\t{load.sha256}"] for load in e.loads]
    out = ["\t".join(r) for r in rows]
    out.append("\t".join(CONTRIBUTION_HEADINGS))
    out += ["\t".join(clean(f) for f in _contribution_fields(c)) for c in e.contributions]
    return "\n".join(out) + "\n"


def render(explanations: list[Explanation], fmt: str = "text") -> str:
    return ("\n" if fmt == "text" else "\n").join((_text if fmt == "text" else _tsv)(e) for e in explanations)
