"""Which template a year is filled with: the newest template year not after it (as report layouts)."""

from __future__ import annotations

import pytest

from bokslut.templates.fill import mapping_path_for, template_versions
from bokslut.templates.mapping import load_mapping

pytestmark = pytest.mark.unit


def _folder(tmp_path, files: dict[str, int]):
    for name, year in files.items():
        (tmp_path / name).write_text(f"template: x.xlsx\npoint: VB\ntemplate_year: {year}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("year, chosen", [(2024, "vb.yaml"), (2026, "vb.yaml"), (2023, "vb-2021.yaml"), (2021, "vb-2021.yaml"),
                                          (2020, "vb-2020.yaml"), (2019, "vb-2020.yaml")])
def test_newest_not_after_the_year_and_the_earliest_before_all(tmp_path, year, chosen):
    folder = _folder(tmp_path, {"vb.yaml": 2024, "vb-2020.yaml": 2020, "vb-2021.yaml": 2021, "vb-x.yaml": 1999, "t2.yaml": 2024})
    assert sorted(template_versions("VB", folder)) == [2020, 2021, 2024]  # vb-x is no year: ignored
    assert mapping_path_for("VB", year, folder).name == chosen


def test_without_year_the_newest_layout(tmp_path):
    assert mapping_path_for("VB", None, _folder(tmp_path, {"vb.yaml": 2024, "vb-2020.yaml": 2020})).name == "vb.yaml"


def test_the_repository_templates():
    assert {y: p.name for y, p in template_versions("VB").items()} == {2020: "vb-2020.yaml", 2024: "vb.yaml"}
    assert {y: p.name for y, p in template_versions("T2").items()} == {2024: "t2.yaml"}
    for year, name in ((2020, "vb-2020.yaml"), (2024, "vb.yaml")):
        mapping = load_mapping(mapping_path_for("VB", year))
        assert (mapping.path.name, mapping.template_year, mapping.template.name) == (name, year, name.replace("yaml", "xlsx"))
    assert mapping_path_for("T2", 2020).name == "t2.yaml"  # only one T2 layout: every year uses it
