"""scripts/build_templates.py is the source of the templates it writes: run into a scratch folder, it
writes exactly the committed include/templates files (each YAML byte for byte; each xlsx part for
part, only the creation and modification times in docProps/core.xml differ). When this fails, rerun
the script (`.venv/bin/python scripts/build_templates.py`) and commit what it writes, or move the
change into the script."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import pytest

from bokslut.settings import TEMPLATES_DIR

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_templates.py"
WRITTEN = {"t1.xlsx", "t1.yaml", "t2.xlsx", "t2.yaml", "tertial.yaml", "vb.xlsx", "vb.yaml", "vb-2020.xlsx", "vb-2020.yaml"}
_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("build_templates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("templates")
    assert module.main(["--out", str(out)]) == 0
    return out


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["docProps/core.xml"] = _TIMES.sub(rb"\1-\2", parts["docProps/core.xml"])
    return parts


def test_the_script_writes_the_committed_files(built):
    assert {p.name for p in built.iterdir()} == WRITTEN
    assert all((TEMPLATES_DIR / name).exists() for name in WRITTEN)


@pytest.mark.parametrize("name", sorted(n for n in WRITTEN if n.endswith(".yaml")))
def test_each_mapping_is_what_the_script_writes(built, name):
    assert (TEMPLATES_DIR / name).read_text(encoding="utf-8") == (built / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(n for n in WRITTEN if n.endswith(".xlsx")))
def test_each_workbook_is_what_the_script_writes(built, name):
    committed, written = _parts(TEMPLATES_DIR / name), _parts(built / name)
    assert sorted(committed) == sorted(written)
    assert [part for part in sorted(committed) if committed[part] != written[part]] == []
