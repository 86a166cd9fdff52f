"""initial warehouse schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('valid_from_year', sa.Integer(), nullable=True),
    sa.Column('valid_to_year', sa.Integer(), nullable=True),
    sa.Column('fixed_line', sa.Boolean(), nullable=False),
    sa.Column('name_source', sa.String(length=20), nullable=False),
    sa.Column('name_period', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_account'))
    )
    op.create_table('asset_register',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('konto', sa.String(length=4), nullable=False),
    sa.Column('transaktionstyp', sa.String(length=60), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('asset_register', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_register_load_id'), ['load_id'], unique=False)

    op.create_table('budget',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=2), nullable=False),
    sa.Column('period', sa.Integer(), nullable=True),
    sa.Column('konto', sa.String(length=4), nullable=False),
    sa.Column('ansvar', sa.String(length=20), nullable=False),
    sa.Column('verksamhet', sa.String(length=20), nullable=False),
    sa.Column('projekt', sa.String(length=20), nullable=False),
    sa.Column('anslag', sa.String(length=1), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.create_index('ix_budget_load', ['load_id', 'forvaltning', 'year', 'version'], unique=False)

    op.create_table('counterparty_class',
    sa.Column('range_from', sa.String(length=4), nullable=False),
    sa.Column('range_to', sa.String(length=4), nullable=False),
    sa.Column('class', sa.String(length=30), nullable=False),
    sa.Column('report_column', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('range_from', name=op.f('pk_counterparty_class'))
    )
    op.create_table('load_audit',
    sa.Column('load_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('archived_path', sa.String(length=1000), nullable=True),
    sa.Column('encoding', sa.String(length=20), nullable=True),
    sa.Column('mapping', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_loaded', sa.Integer(), nullable=False),
    sa.Column('rows_quarantined', sa.Integer(), nullable=False),
    sa.Column('partitions', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('load_id', name=op.f('pk_load_audit'))
    )
    with op.batch_alter_table('load_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_load_audit_sha256'), ['sha256'], unique=False)

    op.create_table('period',
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('pp', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('tertial', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_period'))
    )
    op.create_table('posting',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('konto', sa.String(length=4), nullable=False),
    sa.Column('ansvar', sa.String(length=20), nullable=False),
    sa.Column('verksamhet', sa.String(length=20), nullable=False),
    sa.Column('projekt', sa.String(length=20), nullable=False),
    sa.Column('motpart', sa.String(length=4), nullable=False),
    sa.Column('anslag', sa.String(length=1), nullable=False),
    sa.Column('vertyp', sa.String(length=2), nullable=False),
    sa.Column('vernr', sa.String(length=30), nullable=False),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.create_index('ix_posting_load', ['load_id', 'forvaltning', 'period'], unique=False)

    op.create_table('treasury',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('transaktionstyp', sa.String(length=60), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('treasury', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treasury_load_id'), ['load_id'], unique=False)

    op.create_table('publication',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('partition', sa.String(length=20), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['load_id'], ['load_audit.load_id'], name=op.f('fk_publication_load_id_load_audit')),
    sa.PrimaryKeyConstraint('source', 'forvaltning', 'partition', name=op.f('pk_publication'))
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=True),
    sa.Column('column_name', sa.String(length=100), nullable=True),
    sa.Column('value', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['load_id'], ['load_audit.load_id'], name=op.f('fk_quarantine_load_id_load_audit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_load_id'), ['load_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_load_id'))

    op.drop_table('quarantine')
    op.drop_table('publication')
    with op.batch_alter_table('treasury', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_treasury_load_id'))

    op.drop_table('treasury')
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_load')

    op.drop_table('posting')
    op.drop_table('period')
    with op.batch_alter_table('load_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_load_audit_sha256'))

    op.drop_table('load_audit')
    op.drop_table('counterparty_class')
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_load')

    op.drop_table('budget')
    with op.batch_alter_table('asset_register', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_register_load_id'))

    op.drop_table('asset_register')
    op.drop_table('account')
