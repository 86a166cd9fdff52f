"""The tier rule of tests/conftest.py fails on a test with no tier, two tiers, or a unit test on a full year."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import tier_problems

pytestmark = pytest.mark.unit


def _item(name: str, marks: list[str], fixtures: tuple[str, ...] = ()):
    return SimpleNamespace(nodeid=name, fixturenames=fixtures,
                           iter_markers=lambda: [SimpleNamespace(name=m) for m in marks])


def test_exactly_one_tier_passes():
    items = [_item("a", ["unit", "postgres"]), _item("b", ["integration"], ("loaded_2024",)),
             _item("c", ["dag"], ("generated_2024",)), _item("d", ["celery_stack", "postgres"])]
    assert tier_problems(items) == []


def test_no_tier_two_tiers_and_a_unit_test_on_a_full_year_are_reported():
    items = [_item("none", ["postgres"]), _item("two", ["unit", "dag"]), _item("year", ["unit"], ("filled",))]
    problems = tier_problems(items)
    assert [p.split(":")[0] for p in problems] == ["none", "two", "year"]
    assert "none" in problems[0] and "['dag', 'unit']" in problems[1] and "['filled']" in problems[2]
