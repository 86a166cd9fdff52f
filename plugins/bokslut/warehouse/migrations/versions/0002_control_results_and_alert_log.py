"""control results and alert log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_log',
    sa.Column('alert_key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('alert_key', 'channel', name=op.f('pk_alert_log'))
    )
    op.create_table('control_run',
    sa.Column('run_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('candidate_loads', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('report_path', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_control_run'))
    )
    op.create_table('control_snapshot',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('konto', sa.String(length=4), nullable=False),
    sa.Column('motpart', sa.String(length=4), nullable=False),
    sa.Column('anslag', sa.String(length=1), nullable=False),
    sa.Column('vertyp', sa.String(length=2), nullable=False),
    sa.Column('blank_projekt', sa.Boolean(), nullable=False),
    sa.Column('blank_verksamhet', sa.Boolean(), nullable=False),
    sa.Column('amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('abs_amount_ore', sa.BigInteger(), nullable=False),
    sa.Column('postings', sa.Integer(), nullable=False)
    )
    with op.batch_alter_table('control_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_snapshot_run_id'), ['run_id'], unique=False)

    op.create_table('control_result',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.String(length=20), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('value_ore', sa.BigInteger(), nullable=True),
    sa.Column('expected_ore', sa.BigInteger(), nullable=True),
    sa.Column('difference_ore', sa.BigInteger(), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['control_run.run_id'], name=op.f('fk_control_result_run_id_control_run')),
    sa.PrimaryKeyConstraint('run_id', 'control_id', name=op.f('pk_control_result'))
    )
    with op.batch_alter_table('control_result', schema=None) as batch_op:
        batch_op.create_index('ix_control_result_history', ['forvaltning', 'control_id', 'period'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('control_result', schema=None) as batch_op:
        batch_op.drop_index('ix_control_result_history')

    op.drop_table('control_result')
    with op.batch_alter_table('control_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_snapshot_run_id'))

    op.drop_table('control_snapshot')
    op.drop_table('control_run')
    op.drop_table('alert_log')
