"""Small-cell protection for KAA outputs: no printed figure may point out fewer than five young people.

Rules (``docs/hr-kaa.md`` "Röjandeskydd"):

1. **Primary**: a count of 1–4 is printed ``<5``. Zero is printed: it identifies nobody.
2. **Secondary, across groups**: the groups of one breakdown (kön, stadsdel, Jobbtorg) add up to
   ``totalt``; when exactly one of them is hidden and the total is shown, the smallest other
   group (preferring a non-zero one) is hidden too, printed ``..``.
3. **Secondary, inside a group**: counts tied by an identity (sökta = nådda + ej nådda,
   registret = sökta + not sought, avslutade = till studier + till arbete + other reasons, ...)
   must not let one hidden count be derived from the others. Counts that are not printed (not
   sought, other reasons) still count as cells: when one of them is 1–4 a printed one is hidden.
4. **Shares** are printed ``..`` when their numerator or denominator is hidden, or when the
   numerator or the rest (denominator − numerator) is 1–4.

Rules 2 and 3 are applied until nothing changes (hiding one cell can expose another breakdown).
"""

from __future__ import annotations

from collections.abc import Iterable

PRIMARY = "<5"
SECONDARY = ".."
LIMIT = 5

Cell = tuple[str, str]  # (metric, group)


def small(value: int | None) -> bool:
    return value is not None and 0 < value < LIMIT


def suppress(
    values: dict[Cell, int],
    printed: set[str],
    breakdowns: Iterable[list[str]],
    identities: Iterable[tuple[str, ...]],
    total_group: str = "totalt",
) -> dict[Cell, str]:
    """The mark (``<5`` or ``..``) of every printed cell that must not be shown."""
    breakdowns = [list(b) for b in breakdowns]
    identities = [tuple(i) for i in identities]
    groups = sorted({g for _, g in values})
    hidden: dict[Cell, str] = {cell: PRIMARY for cell, v in values.items() if small(v)}

    def hide_smallest(candidates: list[Cell]) -> bool:
        visible = [c for c in candidates if c not in hidden and c[0] in printed]
        if not visible:
            return False
        cell = min(visible, key=lambda c: (values[c] == 0, values[c], c))
        hidden[cell] = SECONDARY
        return True

    changed = True
    while changed:
        changed = False
        for metric in sorted(printed):
            if (metric, total_group) in hidden:
                continue
            for groups_of in breakdowns:
                cells = [(metric, g) for g in groups_of if (metric, g) in values]
                if sum(c in hidden for c in cells) == 1:
                    changed |= hide_smallest(cells)
        for group in groups:
            for identity in identities:
                cells = [(m, group) for m in identity if (m, group) in values]
                if sum(c in hidden for c in cells) == 1:
                    changed |= hide_smallest(cells)
    return {cell: mark for cell, mark in hidden.items() if cell[0] in printed}


def share_hidden(numerator: Cell, denominator: Cell, values: dict[Cell, int], marks: dict[Cell, str]) -> bool:
    """Rule 4: whether the share numerator / denominator must be printed ``..``."""
    if numerator in marks or denominator in marks:
        return True
    n, d = values.get(numerator), values.get(denominator)
    if n is None or d is None:
        return True
    return small(n) or small(d - n) or small(d)
