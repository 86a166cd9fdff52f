"""SQL lives in ``include/sql`` (one file per purpose); this loads it as SQLAlchemy text.

Values (periods, förvaltning, load ids) reach the SQL only as bound parameters (``:name``). Two
kinds of text of the code are filled in when a file is loaded, both constants, never input:

- ``{published_loads}`` (a lower-case name): the SQL of ``include/sql/fragments/<name>.sql``, so a
  rule every reader shares (which loads are published) is written once; its binds are the caller's.
- ``{ARETS_RESULTAT}`` (an upper-case name of ``bokslut.domain.accounts``): the account set's
  condition rendered by ``AccountSet.sql_condition``, so a Kontokontroll and the report line it
  checks use one definition. Text rather than binds because Great Expectations runs the control
  SQL as one string, and a condition of bound range bounds would still spell out the set's shape
  (how many ranges, which Anslag) by hand in each file. sqlfluff parses it as a column name.

``{batch}`` is left for the control runner and Great Expectations (the table a check reads).
"""

from __future__ import annotations

import re
from functools import cache

import sqlalchemy as sa

from bokslut.domain import accounts
from bokslut.settings import SQL_DIR

ACCOUNT_SET = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
FRAGMENT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
FRAGMENT_DIR = SQL_DIR / "fragments"


@cache
def fragment(name: str) -> str:
    """The SQL of ``include/sql/fragments/<name>.sql`` without its comment lines."""
    text = (FRAGMENT_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()


def render_fragments(sql: str) -> str:
    """``{published_loads}`` -> the fragment's SQL; other names (``{batch}``) stay."""
    return FRAGMENT.sub(lambda m: fragment(m.group(1)) if (FRAGMENT_DIR / f"{m.group(1)}.sql").is_file()
                        else m.group(0), sql)


def render_account_sets(sql: str) -> str:
    """``{ARETS_RESULTAT}`` -> the condition on ``konto``/``anslag`` that ``accounts.ARETS_RESULTAT`` defines."""

    def condition(match: re.Match) -> str:
        account_set = getattr(accounts, match.group(1), None)
        if not isinstance(account_set, accounts.AccountSet):
            raise KeyError(f"{match.group(1)} är ingen kontomängd i bokslut.domain.accounts")
        return account_set.sql_condition()

    return ACCOUNT_SET.sub(condition, sql)


def literal_sql(statement: sa.Executable, dialect: sa.Dialect) -> str:
    """A SQLAlchemy statement as one string with its bound values rendered as literals by the dialect:
    only where a statement cannot take parameters (a view's body, a Great Expectations query asset)."""
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def sql_text(name: str) -> str:
    """The text of ``include/sql/<name>.sql`` with its fragments and account sets filled in."""
    return render_account_sets(render_fragments((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")))


@cache
def load_sql(name: str) -> sa.TextClause:
    """``load_sql("reports/account_balances")`` → the statement in ``include/sql/reports/account_balances.sql``."""
    return sa.text(sql_text(name))
