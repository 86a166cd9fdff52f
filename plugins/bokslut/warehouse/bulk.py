"""Fast bulk insert of a typed DataFrame: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import csv
import io

import pandas as pd
import sqlalchemy as sa


def bulk_insert(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert ``frame`` (columns named like ``table``'s) inside the caller's transaction."""
    if frame.empty:
        return 0
    columns = [c.name for c in table.columns if c.name in frame.columns]
    frame = frame[columns]
    if connection.dialect.name == "postgresql":
        _copy(connection, table, frame, columns)
    else:
        placeholders = ", ".join("?" for _ in columns)
        rows = list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})", rows
        )
    return len(frame)


def _copy(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> None:
    buffer = io.StringIO()
    # Quote every string so '' stays an empty string and only a missing value is NULL.
    frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC, na_rep="")
    raw = connection.connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor() as cursor:
        if hasattr(cursor, "copy"):  # psycopg 3
            with cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:  # psycopg2
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
