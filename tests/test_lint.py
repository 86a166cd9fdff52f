"""Guardrails as code (issue 12): the import-layer contract of pyproject.toml names the layers and
fails on an inverted import; `make lint` runs it (with ruff and sqlfluff) in `.ci/run`.

The inverted import is made in a copy of the package (a temporary folder first on PYTHONPATH), so
the real tree is never touched; lint-imports runs in a subprocess on a copy of pyproject.toml, the
contract unchanged. The ruff ban on heavy module-level imports in DAG files is checked the same way,
on a DAG file given on standard input.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.unit  # the linters are dev dependencies (make venv): missing, the tests fail, never skip


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "layers"]
    return contract


def _layer_names() -> list[str]:
    return [name.strip() for layer in _contract()["layers"] for name in layer.replace(":", "|").split("|")]


def _lint_imports(package_parent: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """lint-imports with the repository's config on the `bokslut` found first under package_parent."""
    config = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", config)
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layer_contract_lists_the_layers_lowest_last():
    layers = _layer_names()
    order = ["bokslut.cli", "bokslut.flows", "bokslut.templates", "bokslut.alerts", "bokslut.controls",
             "bokslut.ingest", "bokslut.reports", "bokslut.hr", "bokslut.warehouse", "bokslut.settings",
             "bokslut.money", "bokslut.problems"]
    assert set(order) <= set(layers)
    position = {name: i for i, layer in enumerate(_contract()["layers"])
                for name in (n.strip() for n in layer.replace(":", "|").split("|"))}
    assert position["bokslut.cli"] < position["bokslut.flows"] < position["bokslut.templates"]
    assert position["bokslut.templates"] == position["bokslut.alerts"] < position["bokslut.controls"]
    assert position["bokslut.controls"] < position["bokslut.reports"] < position["bokslut.ingest"] == position["bokslut.hr"]
    assert position["bokslut.ingest"] < position["bokslut.warehouse"] < position["bokslut.settings"] < position["bokslut.money"]


def test_every_ignored_import_says_why():
    """Each ignore_imports line of every contract has a comment right above it (or above the lines
    it shares the comment with) in pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    contracts = tomllib.loads("\n".join(text))["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} == {"layers", "acyclic"}
    for ignored in (line for c in contracts for line in c.get("ignore_imports", [])):
        at = next(i for i, line in enumerate(text) if line.strip().startswith(f'"{ignored}"'))
        above = next(line.strip() for line in reversed(text[:at]) if not line.strip().startswith('"'))
        assert above.startswith("#"), ignored


def test_the_real_tree_keeps_the_layer_contract(tmp_path):
    result = _lint_imports(ROOT / "plugins", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _lint_a_copy_with(tmp_path: Path, module: str, added_import: str) -> subprocess.CompletedProcess:
    """lint-imports on a copy of the package in which ``module`` (a path under bokslut/) gains one
    module-level import."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "plugins" / "bokslut", copy / "bokslut",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    changed = copy / "bokslut" / module
    text = changed.read_text(encoding="utf-8")
    marker = "from __future__ import annotations\n"
    assert marker in text
    changed.write_text(text.replace(marker, f"{marker}{added_import}  # deliberately wrong\n", 1), encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    return _lint_imports(copy, run)


def test_an_inverted_import_breaks_the_layer_contract(tmp_path):
    # The warehouse (a low layer) importing a flow (a high one) at module level.
    result = _lint_a_copy_with(tmp_path, "warehouse/aggregate.py", "import bokslut.flows.ledger")
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert "bokslut.warehouse is not allowed to import bokslut.flows" in result.stdout
    assert "bokslut.warehouse.aggregate -> bokslut.flows.ledger" in result.stdout


def test_ruff_bans_heavy_module_level_imports_in_dag_files_only():
    ruff = Path(sys.executable).with_name("ruff")
    source = ("from __future__ import annotations\n\nimport pandas as pd\n\n\n"
              "def task():\n    import pyarrow\n    return pd, pyarrow\n")

    def check(filename: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ruff), "check", "--output-format", "concise", "--stdin-filename", filename, "-"],
                              cwd=ROOT, input=source, capture_output=True, text=True, timeout=60)

    in_dags = check("dags/inverted_example.py")
    assert in_dags.returncode == 1, in_dags.stdout + in_dags.stderr
    assert "TID253 `pandas` is banned at the module level" in in_dags.stdout
    assert "pyarrow" not in in_dags.stdout  # inside a task: allowed
    in_plugins = check("plugins/bokslut/inverted_example.py")
    assert in_plugins.returncode == 0, in_plugins.stdout + in_plugins.stderr


def test_a_new_cycle_inside_a_package_breaks_the_acyclic_contract(tmp_path):
    # warehouse.aggregate imports warehouse.schema; the schema importing the aggregation closes a cycle.
    result = _lint_a_copy_with(tmp_path, "warehouse/schema.py", "import bokslut.warehouse.aggregate")
    assert result.returncode != 0, result.stdout
    assert "No cycles are allowed in bokslut.warehouse." in result.stdout
    assert "1 kept, 1 broken" in result.stdout


def test_sqlfluff_parses_the_placeholders_and_fails_on_what_it_cannot_parse(tmp_path):
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "good.sql").write_text(
        "SELECT konto, SUM(amount_ore) AS amount_ore FROM {batch}\n"
        "WHERE period BETWEEN :first_month AND :period AND ({candidate_filter})\nGROUP BY konto\n", encoding="utf-8")
    (tmp_path / "broken.sql").write_text("SELECT konto FROM {batch} WHERE period = :period AND\n", encoding="utf-8")

    def lint(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(sqlfluff), "lint", "--disable-progress-bar", "--nocolor", name], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    good = lint("good.sql")
    assert good.returncode == 0, good.stdout + good.stderr
    broken = lint("broken.sql")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "PRS" in broken.stdout
