"""Which loads are published is written once (include/sql/fragments/published_loads.sql) and the
SQL that reads published ledger or extract data includes it (fast, no database)."""

from __future__ import annotations

import re

import pytest

from bokslut.settings import SQL_DIR
from bokslut.sql import load_sql, render_fragments

pytestmark = pytest.mark.unit

READERS = ("reports/account_balances", "reports/asset_register_by_type", "reports/treasury_by_type",
           "reports/budget_by_dimension", "templates/gl_by_account_period", "templates/gl_by_ansvar",
           "templates/gl_by_projekt")
# Reading publication for another purpose: HR months joined by partition, the readiness listing of
# published periods.
OWN_PUBLICATION_READ = {"hr/contracted_time", "templates/readiness", "fragments/published_loads"}


@pytest.mark.parametrize("name", READERS)
def test_published_data_goes_through_the_fragment(name):
    raw = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert "{published_loads}" in raw
    text = load_sql(name).text
    assert "{" not in text
    assert "SELECT load_id FROM publication WHERE source = :source AND forvaltning = :forvaltning" in text


def test_no_other_file_restricts_to_published_loads_by_hand():
    def reads_publication(text: str) -> bool:
        return any(re.search(r"\bpublication\b", line) for line in text.splitlines()
                   if not line.lstrip().startswith("--"))

    by_hand = {path.relative_to(SQL_DIR).with_suffix("").as_posix() for path in SQL_DIR.rglob("*.sql")
               if reads_publication(path.read_text(encoding="utf-8"))}
    assert by_hand == OWN_PUBLICATION_READ


def test_only_existing_fragments_are_filled_in():
    assert render_fragments("SELECT * FROM {batch}") == "SELECT * FROM {batch}"
    assert "--" not in render_fragments("x IN ({published_loads})")
