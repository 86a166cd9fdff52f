"""The warehouse database: its tables, engines and the bulk writes the loads use. Alembic migrations
are in ``migrations/`` (not a module of the package).

Modules, one job each::

    schema          the tables (SQLAlchemy Core)
    db              engines: one that migrates to head for writers, a read-only one for readers
    bulk            fast bulk insert of typed Arrow rows, inside the caller's transaction
    aggregate       per-load aggregates written while staging, read by controls and reports
    reference_data  the reference tables shipped with the project and editable by users
"""
