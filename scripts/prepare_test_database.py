"""Create the PostgreSQL test database on the local server if it is missing (used by .ci/run).

Each test creates and drops its own schema inside this database, so runs never see each other's data.
"""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa

url = sa.make_url(os.environ.get("BOKSLUT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bokslut_test"))
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
try:
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": url.database}).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
            print(f"created database {url.database}")
        else:
            print(f"database {url.database} exists")
except sa.exc.OperationalError as exc:
    print(f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: {exc}".splitlines()[0], file=sys.stderr)
    sys.exit(1)
