"""One owner for the environment: only ``bokslut/settings.py`` reads ``os.environ`` / ``os.getenv``.

Every other module takes its values from ``bokslut.settings`` (issue 12), so the variables, their
defaults and their meaning are listed in one place. The scan is over the syntax tree, so a
comment or a string naming ``os.environ`` does not count, and ``import os as x`` or
``from os import environ`` does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
OWNER = Path("bokslut") / "settings.py"
ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def env_readers(root: Path, owner: Path = OWNER) -> list[str]:
    """``path:line`` of every use of the environment through ``os`` in ``root``'s modules but ``owner``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative == owner:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        os_names = {"os"} | {alias.asname for node in ast.walk(tree) if isinstance(node, ast.Import)
                             for alias in node.names if alias.name == "os" and alias.asname}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ENV_NAMES
                    and isinstance(node.value, ast.Name) and node.value.id in os_names):
                found.append(f"{relative}:{node.lineno}")
            elif (isinstance(node, ast.ImportFrom) and node.module == "os"
                  and any(alias.name in ENV_NAMES or alias.name == "*" for alias in node.names)):
                found.append(f"{relative}:{node.lineno}")
    return found


@pytest.mark.unit
def test_only_the_settings_module_reads_the_environment():
    assert (PLUGINS / OWNER).is_file()
    assert env_readers(PLUGINS) == [], "read the environment in bokslut/settings.py, nowhere else"


@pytest.mark.unit
def test_the_scan_finds_a_planted_read(tmp_path):
    package = tmp_path / "bokslut"
    (package / "sub").mkdir(parents=True)
    (package / "settings.py").write_text('import os\nX = os.environ.get("X")\n', encoding="utf-8")
    (package / "clean.py").write_text('"""Mentions os.environ in text only."""\nimport os\nP = os.path.sep\n',
                                      encoding="utf-8")
    assert env_readers(tmp_path) == []
    (package / "sub" / "planted.py").write_text(
        'import os\n\n\ndef f():\n    return os.getenv("BOKSLUT_X")\n', encoding="utf-8")
    (package / "aliased.py").write_text('import os as system\nY = system.environ["Y"]\n', encoding="utf-8")
    (package / "from_import.py").write_text("from os import environ\n", encoding="utf-8")
    assert env_readers(tmp_path) == ["bokslut/aliased.py:2", "bokslut/from_import.py:1", "bokslut/sub/planted.py:5"]
