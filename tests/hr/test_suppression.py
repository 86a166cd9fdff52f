"""Small-cell protection: primary <5, secondary across a breakdown and inside a group, shares."""

from __future__ import annotations

from bokslut.hr.suppression import PRIMARY, SECONDARY, share_hidden, suppress
import pytest

pytestmark = pytest.mark.unit

PRINTED = {"sokta", "nadda", "ej_nadda"}


def _values(**groups: tuple[int, int]) -> dict[tuple[str, str], int]:
    """group -> (sökta, nådda); ej nådda follows."""
    values = {}
    for group, (sokta, nadda) in groups.items():
        values[("sokta", group)] = sokta
        values[("nadda", group)] = nadda
        values[("ej_nadda", group)] = sokta - nadda
    return values


def test_small_counts_are_primary_and_zero_is_shown():
    values = {("sokta", "totalt"): 30, ("sokta", "a"): 0, ("sokta", "b"): 30}
    assert suppress(values, {"sokta"}, [["a", "b"]], []) == {}
    values[("sokta", "a")], values[("sokta", "b")] = 3, 27
    marks = suppress(values, {"sokta"}, [["a", "b"]], [])
    assert marks[("sokta", "a")] == PRIMARY


def test_a_single_hidden_group_takes_the_smallest_other_with_it():
    values = {("sokta", "totalt"): 100, ("sokta", "a"): 2, ("sokta", "b"): 60, ("sokta", "c"): 38}
    marks = suppress(values, {"sokta"}, [["a", "b", "c"]], [])
    assert marks == {("sokta", "a"): PRIMARY, ("sokta", "c"): SECONDARY}  # totalt − b no longer gives a


def test_identities_inside_a_group_and_the_cascade_across_groups():
    values = _values(totalt=(100, 50), a=(40, 38), b=(60, 12))  # a: 2 not reached → ej_nadda 2
    values[("sokta", "totalt")] = 100
    marks = suppress(values, PRINTED, [["a", "b"]], [("sokta", "nadda", "ej_nadda")])
    assert marks[("ej_nadda", "a")] == PRIMARY
    # sökta − nådda would give ej nådda: one more of group a is hidden ...
    assert sum(m == SECONDARY for (metric, g), m in marks.items() if g == "a") >= 1
    # ... and every breakdown then has at least two hidden cells or none.
    for metric in PRINTED:
        hidden = [g for (m, g) in marks if m == metric and g in ("a", "b")]
        assert len(hidden) != 1


def test_a_count_that_is_not_printed_still_protects():
    values = {("registret", "a"): 20, ("sokta", "a"): 18, ("ej_sokta", "a"): 2}
    marks = suppress(values, {"registret", "sokta"}, [], [("registret", "sokta", "ej_sokta")])
    assert marks == {("sokta", "a"): SECONDARY}  # registret − sökta would show the 2 not sought


def test_shares():
    values = {("n", "g"): 3, ("d", "g"): 40, ("n", "h"): 39, ("d", "h"): 40, ("n", "i"): 20, ("d", "i"): 40}
    assert share_hidden(("n", "g"), ("d", "g"), values, {})  # 3 of 40
    assert share_hidden(("n", "h"), ("d", "h"), values, {})  # all but one
    assert not share_hidden(("n", "i"), ("d", "i"), values, {})
    assert share_hidden(("n", "i"), ("d", "i"), values, {("d", "i"): SECONDARY})
