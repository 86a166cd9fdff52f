"""posting_aggregate: the ledger aggregated once per load, read by controls and reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('posting_aggregate',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('konto', sa.String(length=4), nullable=False),
    sa.Column('motpart', sa.String(length=4), nullable=False),
    sa.Column('anslag', sa.String(length=1), nullable=False),
    sa.Column('vertyp', sa.String(length=2), nullable=False),
    sa.Column('blank_projekt', sa.Boolean(), nullable=False),
    sa.Column('blank_verksamhet', sa.Boolean(), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('abs_amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('postings', sa.Integer(), nullable=False),
    )
    with op.batch_alter_table('posting_aggregate', schema=None) as batch_op:
        batch_op.create_index('ux_posting_aggregate_group', ['load_id', 'forvaltning', 'period', 'konto', 'motpart',
                              'anslag', 'vertyp', 'blank_projekt', 'blank_verksamhet'], unique=True)
        batch_op.create_index('ix_posting_aggregate_period', ['forvaltning', 'period'], unique=False)
    # Loads staged or published before this revision: aggregated from their rows, as ingest now does.
    op.execute(
        "INSERT INTO posting_aggregate (load_id, forvaltning, period, konto, motpart, anslag, vertyp, "
        "blank_projekt, blank_verksamhet, amount_ore, abs_amount_ore, postings) "
        "SELECT load_id, forvaltning, period, konto, motpart, anslag, vertyp, projekt = '', verksamhet = '', "
        "SUM(amount_ore), SUM(ABS(amount_ore)), COUNT(*) FROM posting "
        "GROUP BY load_id, forvaltning, period, konto, motpart, anslag, vertyp, projekt = '', verksamhet = ''")
    # The product never updates a posting; a correction made by hand in the warehouse (UPDATE) must
    # still reach the figures controls and reports read, or they would silently disagree with the
    # vouchers. Hand-made INSERT/DELETE are not followed (a row trigger on them would run for every
    # row a load or a publish writes); docs/controls.md says to correct through a new load.
    statements = _FOLLOW_UPDATE
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION posting_aggregate_follow_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   + "; ".join(statements) + "; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER posting_aggregate_follow_update AFTER UPDATE ON posting FOR EACH ROW "
                   "EXECUTE FUNCTION posting_aggregate_follow_update()")
    else:
        op.execute("CREATE TRIGGER posting_aggregate_follow_update AFTER UPDATE ON posting FOR EACH ROW BEGIN "
                   + "; ".join(statements) + "; END")


_GROUP = ("load_id = OLD.load_id AND forvaltning = OLD.forvaltning AND period = OLD.period AND konto = OLD.konto "
          "AND motpart = OLD.motpart AND anslag = OLD.anslag AND vertyp = OLD.vertyp "
          "AND blank_projekt = (OLD.projekt = '') AND blank_verksamhet = (OLD.verksamhet = '')")
_KEY = "load_id, forvaltning, period, konto, motpart, anslag, vertyp, blank_projekt, blank_verksamhet"
_FOLLOW_UPDATE = (
    # the old row leaves its group ...
    "UPDATE posting_aggregate SET amount_ore = amount_ore - OLD.amount_ore, "
    f"abs_amount_ore = abs_amount_ore - ABS(OLD.amount_ore), postings = postings - 1 WHERE {_GROUP}",
    # ... the new one joins its own ...
    f"INSERT INTO posting_aggregate ({_KEY}, amount_ore, abs_amount_ore, postings) VALUES (NEW.load_id, "
    "NEW.forvaltning, NEW.period, NEW.konto, NEW.motpart, NEW.anslag, NEW.vertyp, NEW.projekt = '', "
    f"NEW.verksamhet = '', NEW.amount_ore, ABS(NEW.amount_ore), 1) ON CONFLICT ({_KEY}) DO UPDATE SET "
    "amount_ore = posting_aggregate.amount_ore + EXCLUDED.amount_ore, "
    "abs_amount_ore = posting_aggregate.abs_amount_ore + EXCLUDED.abs_amount_ore, "
    "postings = posting_aggregate.postings + 1",
    # ... and a group left without postings is no group (it would name an account the data no longer has)
    f"DELETE FROM posting_aggregate WHERE postings = 0 AND {_GROUP}",
)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS posting_aggregate_follow_update"
               + (" ON posting" if op.get_context().dialect.name == "postgresql" else ""))
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS posting_aggregate_follow_update()")
    with op.batch_alter_table('posting_aggregate', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_aggregate_period')
        batch_op.drop_index('ux_posting_aggregate_group')
    op.drop_table('posting_aggregate')
