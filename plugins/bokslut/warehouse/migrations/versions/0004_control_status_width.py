"""control_result.status wide enough for "ej kontrollerbar"

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('control_result', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=False)
    # Runs stored before this revision wrote the status short.
    op.execute("UPDATE control_result SET status = 'ej kontrollerbar' WHERE status = 'ej_kontr'")


def downgrade() -> None:
    op.execute("UPDATE control_result SET status = 'ej_kontr' WHERE status = 'ej kontrollerbar'")
    with op.batch_alter_table('control_result', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=10),
                              existing_nullable=False)
