"""Each subpackage of bokslut names its modules in its ``__init__`` docstring, one job each (issue 12:
the package's module map matches the code). The map is a literal block after a line starting
``Modules, one job each`` and ending ``::``; an entry is a line indented four spaces, the module's
name, two or more spaces and what it does (continuation lines are indented deeper)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "bokslut"
HEADER = re.compile(r"^Modules, one job each.*::$")
ENTRY = re.compile(r"^ {4}([a-z_][a-z0-9_]*)(?: {2,}\S|$)")


def subpackages(root: Path = PACKAGE) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/__init__.py"))


def modules(package: Path) -> set[str]:
    """The package's modules: its .py files and its subpackages (folders with an __init__.py)."""
    return {p.stem for p in package.glob("*.py") if p.stem != "__init__"} | {p.parent.name for p in package.glob("*/__init__.py")}


def module_map(package: Path) -> list[str]:
    """The names the package's module map lists, in order (empty when it has no map)."""
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    lines = doc.splitlines()
    start = next((i for i, line in enumerate(lines) if HEADER.match(line)), None)
    if start is None:
        return []
    names = []
    for line in lines[start + 1:]:
        if line.strip() and not line.startswith(" "):
            break  # the block ends at the first unindented line
        if match := ENTRY.match(line):
            names.append(match.group(1))
    return names


def map_problems(package: Path) -> list[str]:
    names = module_map(package)
    listed, actual = set(names), modules(package)
    problems = [f"{package.name}: module {m} is not in the module map" for m in sorted(actual - listed)]
    problems += [f"{package.name}: the module map lists {m}, which is no module" for m in sorted(listed - actual)]
    problems += [f"{package.name}: the module map lists {m} twice" for m in sorted(listed) if names.count(m) > 1]
    return problems


def test_every_subpackage_is_checked():
    assert {p.name for p in subpackages()} >= {"alerts", "controls", "domain", "flows", "generator", "hr", "ingest",
                                               "lineage", "reports", "templates", "warehouse"}


@pytest.mark.parametrize("package", subpackages(), ids=lambda p: p.name)
def test_the_module_map_lists_every_module_once(package):
    assert map_problems(package) == []


def test_a_missing_a_stale_and_a_repeated_module_are_reported(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "sub" / "__init__.py").write_text("")
    for name in ("read", "write", "new"):
        (package / f"{name}.py").write_text("")
    (package / "__init__.py").write_text('"""A package.\n\nModules, one job each::\n\n'
                                         '    read   reads\n           on two lines\n    write  writes\n'
                                         '    write  again\n    gone   was renamed\n    sub\n\nMore text.\n"""\n')
    assert module_map(package) == ["read", "write", "write", "gone", "sub"]
    assert map_problems(package) == ["pkg: module new is not in the module map",
                                     "pkg: the module map lists gone, which is no module",
                                     "pkg: the module map lists write twice"]
    (package / "__init__.py").write_text('"""No map."""\n')
    assert "pkg: module read is not in the module map" in map_problems(package)
