"""The repository stands alone: no tracked file reads or cites the developers' reference library.

Users clone this repository alone. The golden figures live in ``tests/reference/`` and the
spec excerpts in ``docs/spec/``; nothing tracked may point at a ``shared`` folder beside the
checkout. A fast test of the ``unit`` tier (part of ``make test-fast``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
import pytest

pytestmark = pytest.mark.unit


ROOT = Path(__file__).resolve().parents[1]
# ``../shared`` in any form, a path into the library's spec/, reference/ or seeds/, or a Python
# path built to reach it (``ROOT.parent / "shared"``, ``os.path.join(.., "shared", "reference")``).
FORBIDDEN = re.compile(
    rb"\.\.[/\\]shared\b"
    rb"|\bshared[/\\](?:spec|reference|seeds)\b"
    rb"""|/\s*["']shared["']"""
    rb"""|["']shared["']\s*,\s*["'](?:spec|reference|seeds)["']"""
)
EXEMPT_FILES = {"tests/test_standalone.py"}
EXEMPT_DIRS = ("docs/spec/",)  # the spec excerpts themselves (copied from the library)
# Without git (a ``git archive`` export, as .ci/run tests in): every file but the build products
# that .gitignore names (at the root, or anywhere).
UNTRACKED_AT_ROOT = {".git", ".venv", ".airflow", "data", "out", ".env"}
UNTRACKED_ANYWHERE = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def _tracked_files() -> list[str]:
    if shutil.which("git") is not None and (ROOT / ".git").exists():
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
        return [name for name in out.decode("utf-8").split("\0") if name]
    names = []
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder)
        dirs[:] = [d for d in dirs if d not in UNTRACKED_ANYWHERE and not d.endswith(".egg-info")
                   and not (here == ROOT and d in UNTRACKED_AT_ROOT)]
        names += [(here / f).relative_to(ROOT).as_posix() for f in files
                  if not f.endswith(".pyc") and not (here == ROOT and f in UNTRACKED_AT_ROOT)]
    return names


def offending_lines(names: list[str]) -> dict[str, list[str]]:
    """Per file, the ``line N: text`` of every citation of the reference library."""
    found: dict[str, list[str]] = {}
    for name in names:
        if name in EXEMPT_FILES or name.startswith(EXEMPT_DIRS):
            continue
        path = ROOT / name
        if not path.is_file():  # deleted in the working tree, or a submodule
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:  # binary (xlsx, png, ...)
            continue
        for number, line in enumerate(data.splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.setdefault(name, []).append(
                    f"line {number}: {line.decode('utf-8', 'replace').strip()[:160]}"
                )
    return found


def test_the_pattern_finds_citations_and_spares_ordinary_english():
    assert FORBIDDEN.search(b"REFERENCE = ROOT / '../shared/reference'")
    assert FORBIDDEN.search(b"see ``shared/spec/domain.md`` \xc2\xa79")
    assert FORBIDDEN.search(b"(shared/seeds/000_x.txt lines 1-2)")
    assert FORBIDDEN.search(b"..\\shared")
    assert FORBIDDEN.search(b'REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"')
    assert FORBIDDEN.search(b"os.path.join(root, '..', 'shared', 'seeds')")
    assert not FORBIDDEN.search(b"the figures shared by every report; shared_buffers = 1GB")
    assert not FORBIDDEN.search(b'assert "shared" not in base.parts')
    assert not FORBIDDEN.search(b"tests/reference/2024/kaa.tsv and docs/spec/formats.md")


def test_no_tracked_file_reads_or_cites_the_reference_library():
    found = offending_lines(_tracked_files())
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in sorted(found.items()))
    assert not found, (
        f"{len(found)} tracked file(s) still read or cite ../shared "
        f"(use tests/reference/ and docs/spec/ instead): {', '.join(sorted(found))}\n{report}"
    )
