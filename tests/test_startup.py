"""`bokslut --help` and argument checking start fast: the command line imports nothing heavy until
a command runs (issue 10, startup). Checked by what is imported, not by a clock."""

from __future__ import annotations

import subprocess
import sys
import pytest

pytestmark = pytest.mark.unit

HEAVY = ("sqlalchemy", "pandas", "pyarrow", "airflow", "great_expectations", "openpyxl")


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split()) & set(HEAVY)


def test_the_command_line_parser_imports_nothing_heavy():
    assert _imported_after("from bokslut.cli import _parser; _parser()") == set()


def test_the_names_the_parser_offers_are_those_of_the_implementation():
    from bokslut import names
    from bokslut.ingest.formats import SOURCE_GROUPS, SOURCES
    from bokslut.reports.ledger import REPORT_NAMES

    assert tuple(SOURCES) == names.SOURCE_NAMES and SOURCE_GROUPS == names.SOURCE_GROUPS
    assert REPORT_NAMES is names.REPORT_NAMES


def test_a_dag_task_imports_its_flow_without_the_data_stack():
    """A DAG task's first line (``from bokslut.flows import ledger``) must not pay for pandas,
    pyarrow, Great Expectations or openpyxl: those come when a step needs them."""
    heavy = {"pandas", "pyarrow", "great_expectations", "openpyxl", "airflow"}
    for flow in ("ledger", "personal", "templates"):
        assert _imported_after(f"from bokslut.flows import {flow}") & heavy == set(), flow
