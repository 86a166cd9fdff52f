"""Warehouse tables (SQLAlchemy Core). Alembic migrations in ``warehouse/migrations`` create them.

Amounts are ``BIGINT`` öre so sums are exact on SQLite and PostgreSQL alike. Loaded rows carry
their ``load_id``; a (source, förvaltning, partition) is published by pointing ``publication`` at
one load, so replacing a period is a single atomic pointer swap (write-audit-publish).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

load_audit = sa.Table(
    "load_audit",
    metadata,
    sa.Column("load_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(40), nullable=False),  # ledger, budget, ...
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("archived_path", sa.String(1000)),
    sa.Column("encoding", sa.String(20)),
    sa.Column("mapping", sa.String(200)),
    sa.Column("status", sa.String(20), nullable=False),  # see ingest.status.LoadStatus
    sa.Column("rows_read", sa.Integer, nullable=False, default=0),
    sa.Column("rows_loaded", sa.Integer, nullable=False, default=0),
    sa.Column("rows_quarantined", sa.Integer, nullable=False, default=0),
    sa.Column("partitions", sa.Text),  # comma-separated partitions the file covers
    sa.Column("message", sa.Text),  # Swedish, for finance
    sa.Column("details", sa.Text),  # JSON: account names seen, ignored headers (applied at publish)
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("load_id", sa.Integer, sa.ForeignKey("load_audit.load_id"), nullable=False, index=True),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("line_no", sa.Integer),  # 1 = header line
    sa.Column("column_name", sa.String(100)),
    sa.Column("value", sa.String(200)),
    sa.Column("reason", sa.Text, nullable=False),  # Swedish
    sa.Column("severity", sa.String(10), nullable=False),  # fel | varning
)

publication = sa.Table(
    "publication",
    metadata,
    sa.Column("source", sa.String(40), primary_key=True),
    sa.Column("forvaltning", sa.String(3), primary_key=True),
    sa.Column("partition", sa.String(20), primary_key=True),  # 202401 | 2024:BJ
    sa.Column("load_id", sa.Integer, sa.ForeignKey("load_audit.load_id"), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)

posting = sa.Table(
    "posting",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # YYYYPP
    sa.Column("konto", sa.String(4), nullable=False),
    sa.Column("ansvar", sa.String(20), nullable=False, default=""),
    sa.Column("verksamhet", sa.String(20), nullable=False, default=""),
    sa.Column("projekt", sa.String(20), nullable=False, default=""),
    sa.Column("motpart", sa.String(4), nullable=False, default=""),
    sa.Column("anslag", sa.String(1), nullable=False),
    sa.Column("vertyp", sa.String(2), nullable=False),
    sa.Column("vernr", sa.String(30), nullable=False),
    sa.Column("datum", sa.Date, nullable=False),
    sa.Column("text", sa.String(500), nullable=False, default=""),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Index("ix_posting_load", "load_id", "forvaltning", "period"),
)


def _control_grain() -> list[sa.Column]:
    """The grain the Kontokontroller and the account reports read, with its sums: shared by the
    per-load aggregate and a control run's snapshot of it (fresh Column objects for each table)."""
    return [
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("konto", sa.String(4), nullable=False),
        sa.Column("motpart", sa.String(4), nullable=False),
        sa.Column("anslag", sa.String(1), nullable=False),
        sa.Column("vertyp", sa.String(2), nullable=False),
        sa.Column("blank_projekt", sa.Boolean, nullable=False),
        sa.Column("blank_verksamhet", sa.Boolean, nullable=False),
        sa.Column("amount_ore", sa.BigInteger, nullable=False),
        sa.Column("abs_amount_ore", sa.BigInteger, nullable=False),
        sa.Column("postings", sa.Integer, nullable=False),
    ]


# The ledger aggregated once per load, at ingest, to the grain the Kontokontroller and the ledger
# reports read: they cost the same at 10M postings as at 100k. Rows live and die with the load's
# postings (staged, published, replaced, rejected in the same transactions); drill-down to the
# vouchers behind a figure reads ``posting``.
posting_aggregate = sa.Table(
    "posting_aggregate",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    *_control_grain(),
    # unique: a load's group is one row (the trigger that follows a hand-made UPDATE of a posting upserts on it)
    sa.Index("ux_posting_aggregate_group", "load_id", "forvaltning", "period", "konto", "motpart", "anslag",
             "vertyp", "blank_projekt", "blank_verksamhet", unique=True),
    sa.Index("ix_posting_aggregate_period", "forvaltning", "period"),
)

budget = sa.Table(
    "budget",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("version", sa.String(2), nullable=False),  # VP, BJ, T1, T2
    sa.Column("period", sa.Integer),  # NULL = whole year
    sa.Column("konto", sa.String(4), nullable=False),
    sa.Column("ansvar", sa.String(20), nullable=False, default=""),
    sa.Column("verksamhet", sa.String(20), nullable=False, default=""),
    sa.Column("projekt", sa.String(20), nullable=False, default=""),
    sa.Column("anslag", sa.String(1), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Index("ix_budget_load", "load_id", "forvaltning", "year", "version"),
)

asset_register = sa.Table(
    "asset_register",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False, index=True),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("konto", sa.String(4), nullable=False),
    sa.Column("transaktionstyp", sa.String(60), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
)

treasury = sa.Table(  # stadskassans konto: the leg of payments not in the förvaltning's ledger
    "treasury",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False, index=True),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("transaktionstyp", sa.String(60), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
)

account = sa.Table(  # kontoplan: names for 4-digit accounts and 3/2-digit groups
    "account",
    metadata,
    sa.Column("code", sa.String(4), primary_key=True),  # 2, 3 or 4 digits
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("valid_from_year", sa.Integer),  # NULL = always
    sa.Column("valid_to_year", sa.Integer),
    sa.Column("fixed_line", sa.Boolean, nullable=False, default=False),  # printed even when zero
    sa.Column("name_source", sa.String(20), nullable=False),  # reference | export
    sa.Column("name_period", sa.Integer),  # period of the export row the name came from
)

counterparty_class = sa.Table(
    "counterparty_class",
    metadata,
    sa.Column("range_from", sa.String(4), primary_key=True),
    sa.Column("range_to", sa.String(4), nullable=False),
    sa.Column("class", sa.String(30), nullable=False),  # externt | stadens_bolag | internt | forvaltningsinternt
    sa.Column("report_column", sa.String(20), nullable=False),  # externt | stadens_bolag | internt
    sa.Column("description", sa.String(200), nullable=False),
)

period = sa.Table(
    "period",
    metadata,
    sa.Column("period", sa.Integer, primary_key=True),  # YYYYPP
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("pp", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # ib | manad | bokslut | efter_bokslut
    sa.Column("tertial", sa.Integer),  # 1, 2, 3 for months; NULL otherwise
    sa.Column("label", sa.String(40), nullable=False),
)

control_run = sa.Table(
    "control_run",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("scope", sa.String(20), nullable=False),  # manad | T1 | T2 | bokslut
    sa.Column("candidate_loads", sa.Text, nullable=False),  # load ids checked (published + staged)
    sa.Column("status", sa.String(20), nullable=False),  # ok | varning | fel
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("report_path", sa.String(1000)),
)

control_result = sa.Table(
    "control_result",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("control_run.run_id"), primary_key=True),
    sa.Column("control_id", sa.String(20), primary_key=True),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("value_ore", sa.BigInteger),
    sa.Column("expected_ore", sa.BigInteger),
    sa.Column("difference_ore", sa.BigInteger),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # ok | fel | varning | info | ej kontrollerbar
    sa.Index("ix_control_result_history", "forvaltning", "control_id", "period"),
)

# Postings of one control run aggregated to the grain every control needs: the controls then read
# thousands of rows instead of millions, through GE and as plain SQL alike.
control_snapshot = sa.Table(
    "control_snapshot",
    metadata,
    sa.Column("run_id", sa.Integer, nullable=False, index=True),
    *_control_grain(),
)

alert_log = sa.Table(  # one row per alert sent: a retried task finds its alert and stays quiet
    "alert_log",
    metadata,
    sa.Column("alert_key", sa.String(200), primary_key=True),
    sa.Column("channel", sa.String(20), primary_key=True),  # email | slack
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
)

# --- HR (LISA) and KAA (BER): person-level monthly snapshots, pseudonymised at ingest ------------
# ``person_id`` and ``employment_id`` are keyed hashes (HMAC-SHA256, hex) of the personnummer and
# the Anstallnings-id (bokslut.hr.pseudonym); neither the personnummer nor a name is ever stored.
# ``period`` is the month the extract describes (YYYYMM): each month's snapshot is its own
# publishable unit, so history is kept. Percentages and days are integers of hundredths
# (100 % → 10000), årsarbetare ten-thousandths; ``*_day`` columns are day numbers (days since
# 1970-01-01) so day arithmetic is the same SQL on SQLite and PostgreSQL.

hr_employment = sa.Table(
    "hr_employment",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # snapshot month YYYYMM
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("employment_id", sa.String(64), nullable=False),
    sa.Column("enhet", sa.String(20), nullable=False),
    sa.Column("anstallningsform", sa.String(20), nullable=False),  # tillsvidare, visstid, ...
    sa.Column("sysselsattningsgrad_hundradelar", sa.Integer, nullable=False),  # 100 % = 10000
    sa.Column("chef", sa.String(1), nullable=False),  # J | N
    sa.Column("kon", sa.String(1), nullable=False),  # K | M
    sa.Column("utrikes_fodd", sa.String(1), nullable=False),  # J | N
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("start_day", sa.Integer, nullable=False),
    sa.Column("end_date", sa.Date),  # NULL = no end date
    sa.Column("end_day", sa.Integer),
    sa.Column("avgangsorsak", sa.String(60), nullable=False, default=""),
    sa.Index("ix_hr_employment_load", "load_id", "forvaltning", "period"),
    sa.Index("ix_hr_employment_person", "person_id"),
    sa.Index("ix_hr_employment_employment", "employment_id"),
)

hr_absence = sa.Table(
    "hr_absence",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # snapshot month YYYYMM
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("employment_id", sa.String(64), nullable=False),
    sa.Column("franvarotyp", sa.String(20), nullable=False),  # sjuk, vab, ...
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("start_day", sa.Integer, nullable=False),
    sa.Column("end_date", sa.Date),  # NULL = still going on at the extract
    sa.Column("end_day", sa.Integer),
    sa.Column("omfattning_hundradelar", sa.Integer, nullable=False),  # 100 % = 10000
    sa.Column("sjuklonekostnad_ore", sa.BigInteger, nullable=False),  # sick pay days 2–14, excl. PF
    sa.Index("ix_hr_absence_load", "load_id", "forvaltning", "period"),
    sa.Index("ix_hr_absence_employment", "employment_id"),
)

hr_contracted_time = sa.Table(
    "hr_contracted_time",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # month YYYYMM of the contracted time
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("employment_id", sa.String(64), nullable=False),
    sa.Column("avtalade_dagar_hundradelar", sa.BigInteger, nullable=False),
    sa.Column("arsarbetare_tiotusendelar", sa.BigInteger, nullable=False),  # the month's FTE × 10000
    sa.Index("ix_hr_contracted_time_load", "load_id", "forvaltning", "period"),
)

ber_registration = sa.Table(
    "ber_registration",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # snapshot month YYYYMM
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("fodelsedatum", sa.Date, nullable=False),
    sa.Column("kon", sa.String(1), nullable=False),
    sa.Column("stadsdel", sa.String(60), nullable=False, default=""),
    sa.Column("registrerad_fran", sa.Date, nullable=False),
    sa.Column("registrerad_till", sa.Date),
    sa.Column("uppsok_fran", sa.Date),
    sa.Column("jobbtorg", sa.String(60), nullable=False, default=""),
    sa.Column("sysselsattning_forsta_kontakt", sa.String(20), nullable=False, default=""),
    sa.Column("inskriven_fran", sa.Date),
    sa.Column("inskriven_till", sa.Date),
    sa.Column("avslutsorsak", sa.String(20), nullable=False, default=""),
    sa.Index("ix_ber_registration_load", "load_id", "forvaltning", "period"),
    sa.Index("ix_ber_registration_person", "person_id"),
)

ber_contact = sa.Table(
    "ber_contact",
    metadata,
    sa.Column("load_id", sa.Integer, nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
    sa.Column("forvaltning", sa.String(3), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),  # snapshot month YYYYMM
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("datum", sa.Date, nullable=False),
    sa.Column("kanal", sa.String(20), nullable=False),
    sa.Column("nadd", sa.String(1), nullable=False),  # J | N: answered
    sa.Column("egeninitierad", sa.String(1), nullable=False),  # J | N: the young person made contact
    sa.Index("ix_ber_contact_load", "load_id", "forvaltning", "period"),
    sa.Index("ix_ber_contact_person", "person_id"),
)
