"""The förvaltning code, the budget versions and the keys of a published partition.

A **förvaltning** is three digits (``191``). A **partition** is what one load replaces atomically
for one source and förvaltning: a ledger period ``YYYYPP``, an HR/BER month ``YYYYMM`` or a budget
year and version ``YYYY:VV`` (the ``publication`` table's key is source, förvaltning, partition).
"""

from __future__ import annotations

import re

from bokslut.domain.invalid import InvalidValue

# Budget versions of the budget export, in the order the year produces them: verksamhetsplan,
# budgetjustering and the tertial forecasts.
BUDGET_VERSIONS = ("VP", "BJ", "T1", "T2")

FORVALTNING_PATTERN = r"\d{3}"
FORVALTNING_HINT_SV = "tre siffror"
_FORVALTNING = re.compile(FORVALTNING_PATTERN)


def is_forvaltning(text: str) -> bool:
    return bool(_FORVALTNING.fullmatch(str(text)))


def parse_forvaltning(text: str) -> str:
    """``"191"`` → ``"191"``; raises ValueError in Swedish otherwise."""
    if not is_forvaltning(text):
        raise InvalidValue("Ogiltig förvaltning", text, "ange tre siffror, t.ex. 191", quote=True)
    return str(text)


def parse_forvaltningar(text: str) -> list[str]:
    """``"191"`` or ``"191,150,310"`` → the codes in order, each once."""
    codes = [part.strip() for part in str(text).split(",")]
    if not codes or not all(is_forvaltning(c) for c in codes):
        raise InvalidValue("Ogiltig förvaltning", text, "ange tre siffror, flera med komma, t.ex. 191,150", quote=True)
    return list(dict.fromkeys(codes))


def budget_partition(year: int, version: str) -> str:
    """``budget_partition(2024, "BJ")`` → ``"2024:BJ"``."""
    return f"{year}:{version}"


def partition_key(forvaltning: str, partition: str | int) -> str:
    """``"191:202401"``: one published partition of one förvaltning (as messages and plans list them)."""
    return f"{forvaltning}:{partition}"
