"""One mapping for T1 and T2 (include/templates/tertial.yaml), each point's file extending it with what
is its own: the loaded T1 and T2 mappings are what the two full files said before they were merged."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from bokslut.settings import TEMPLATES_DIR
from bokslut.templates.mapping import MappingError, load_mapping, mapping_document

pytestmark = pytest.mark.unit

# t1.yaml as committed before the merge (a whole mapping); t2.yaml was the same file but for the
# lines below. A deliberate change of tertial.yaml makes the same change here.
BEFORE = Path(__file__).resolve().parents[1] / "data" / "templates" / "t1-before-tertial.yaml"
T2_LINES = {"template: t1.xlsx\n": "template: t2.xlsx\n", "point: T1\n": "point: T2\n"}


def _before(point: str, tmp_path: Path) -> Path:
    text = BEFORE.read_text(encoding="utf-8")
    if point == "T2":
        for old, new in T2_LINES.items():
            assert text.count(old) == 1
            text = text.replace(old, new)
    path = tmp_path / f"{point.lower()}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _content(mapping) -> dict:  # noqa: ANN001
    """Everything a loaded mapping holds but where its files are; the workbook by name."""
    content = asdict(mapping)
    del content["path"]
    content["template"] = mapping.template.name
    return content


@pytest.mark.parametrize("point", ["T1", "T2"])
def test_the_loaded_tertial_mapping_is_what_the_whole_file_said(point, tmp_path):
    merged = load_mapping(TEMPLATES_DIR / f"{point.lower()}.yaml")
    whole = load_mapping(_before(point, tmp_path))
    assert _content(merged) == _content(whole)
    assert merged.path == TEMPLATES_DIR / f"{point.lower()}.yaml"  # messages still name the point's file
    assert merged.template == TEMPLATES_DIR / f"{point.lower()}.xlsx"
    assert mapping_document(TEMPLATES_DIR / f"{point.lower()}.yaml") == mapping_document(whole.path)


def test_the_points_differ_only_in_their_own_keys():
    t1, t2 = (mapping_document(TEMPLATES_DIR / f"{p}.yaml") for p in ("t1", "t2"))
    assert {k for k in t1 if t1[k] != t2[k]} == {"template", "point"}
    assert (t1["template_year"], t2["template_year"]) == (2024, 2024)


def test_a_point_file_lays_its_keys_over_the_shared_mapping(tmp_path):
    (tmp_path / "shared.yaml").write_text(
        "template: x.xlsx\npoint: T1\ntexts: {Blad: {A1: 'a {ar}', A2: b}}\nsheets: [{sheet: Blad}]\nrules: {r: 1, s: 2}\n",
        encoding="utf-8")
    (tmp_path / "t2.yaml").write_text("extends: shared.yaml\npoint: T2\ntexts: {Blad: {A2: c}}\nrules: {s: 3}\n",
                                      encoding="utf-8")
    mapping = load_mapping(tmp_path / "t2.yaml")
    assert (mapping.point, mapping.template, mapping.path) == ("T2", tmp_path / "x.xlsx", tmp_path / "t2.yaml")
    assert mapping.texts == {"Blad": {"A1": "a {ar}", "A2": "c"}} and mapping.rules == {"r": 1, "s": 3}
    assert [s.sheet for s in mapping.sheets] == ["Blad"]


def test_a_missing_or_chained_shared_mapping_is_named(tmp_path):
    (tmp_path / "t1.yaml").write_text("extends: saknas.yaml\npoint: T1\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"t1.yaml: den gemensamma mappningen .*saknas.yaml \(extends\) finns inte"):
        load_mapping(tmp_path / "t1.yaml")
    (tmp_path / "saknas.yaml").write_text("extends: annan.yaml\nsheets: []\n", encoding="utf-8")
    with pytest.raises(MappingError, match="saknas.yaml: en gemensam mappning kan inte själv ha extends"):
        load_mapping(tmp_path / "t1.yaml")
