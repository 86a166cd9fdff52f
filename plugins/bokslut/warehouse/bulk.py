"""Fast bulk insert of a typed DataFrame: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import csv
import io

import pandas as pd
import sqlalchemy as sa


SLICE_ROWS = 20_000


def bulk_insert(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert ``frame`` (columns named like ``table``'s) inside the caller's transaction."""
    if frame.empty:
        return 0
    columns = [c.name for c in table.columns if c.name in frame.columns]
    frame = frame[columns]
    if connection.dialect.name == "postgresql":
        _copy(connection, table, frame, columns)
    else:
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        cursor = connection.connection.driver_connection.cursor()
        for start in range(0, len(frame), SLICE_ROWS):  # Python tuples cost ~1 KB a row: keep few alive
            part = frame.iloc[start : start + SLICE_ROWS]
            cursor.executemany(sql, zip(*(_python_values(part[c]) for c in columns), strict=True))
    return len(frame)


def _python_values(column: pd.Series) -> list:
    """Plain Python values for the DBAPI, with None for missing (pandas NA cannot be bound)."""
    values = column.tolist()
    if column.hasnans:
        values = [None if pd.isna(v) else v for v in values]
    return values


def _copy(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> None:
    buffer = io.StringIO()
    # Quote every string so '' stays an empty string and only a missing value is NULL.
    frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC, na_rep="")
    raw = connection.connection.driver_connection
    # QUOTE_NONNUMERIC also quotes a missing number (""): FORCE_NULL turns it back into NULL.
    nullable = [c.name for c in table.columns if c.name in columns and c.nullable and not isinstance(c.type, sa.String)]
    force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{force_null})"
    with raw.cursor() as cursor:
        if hasattr(cursor, "copy"):  # psycopg 3
            with cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:  # psycopg2
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
