"""hr and kaa snapshots (person-level, pseudonymised)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ber_contact',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('kanal', sa.String(length=20), nullable=False),
    sa.Column('nadd', sa.String(length=1), nullable=False),
    sa.Column('egeninitierad', sa.String(length=1), nullable=False)
    )
    with op.batch_alter_table('ber_contact', schema=None) as batch_op:
        batch_op.create_index('ix_ber_contact_load', ['load_id', 'forvaltning', 'period'], unique=False)
        batch_op.create_index('ix_ber_contact_person', ['person_id'], unique=False)

    op.create_table('ber_registration',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('fodelsedatum', sa.Date(), nullable=False),
    sa.Column('kon', sa.String(length=1), nullable=False),
    sa.Column('stadsdel', sa.String(length=60), nullable=False),
    sa.Column('registrerad_fran', sa.Date(), nullable=False),
    sa.Column('registrerad_till', sa.Date(), nullable=True),
    sa.Column('uppsok_fran', sa.Date(), nullable=True),
    sa.Column('jobbtorg', sa.String(length=60), nullable=False),
    sa.Column('sysselsattning_forsta_kontakt', sa.String(length=20), nullable=False),
    sa.Column('inskriven_fran', sa.Date(), nullable=True),
    sa.Column('inskriven_till', sa.Date(), nullable=True),
    sa.Column('avslutsorsak', sa.String(length=20), nullable=False)
    )
    with op.batch_alter_table('ber_registration', schema=None) as batch_op:
        batch_op.create_index('ix_ber_registration_load', ['load_id', 'forvaltning', 'period'], unique=False)
        batch_op.create_index('ix_ber_registration_person', ['person_id'], unique=False)

    op.create_table('hr_absence',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('employment_id', sa.String(length=64), nullable=False),
    sa.Column('franvarotyp', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('start_day', sa.Integer(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_day', sa.Integer(), nullable=True),
    sa.Column('omfattning_hundradelar', sa.Integer(), nullable=False),
    sa.Column('sjuklonekostnad_ore', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('hr_absence', schema=None) as batch_op:
        batch_op.create_index('ix_hr_absence_employment', ['employment_id'], unique=False)
        batch_op.create_index('ix_hr_absence_load', ['load_id', 'forvaltning', 'period'], unique=False)

    op.create_table('hr_contracted_time',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('employment_id', sa.String(length=64), nullable=False),
    sa.Column('avtalade_dagar_hundradelar', sa.BigInteger(), nullable=False),
    sa.Column('arsarbetare_tiotusendelar', sa.BigInteger(), nullable=False)
    )
    with op.batch_alter_table('hr_contracted_time', schema=None) as batch_op:
        batch_op.create_index('ix_hr_contracted_time_load', ['load_id', 'forvaltning', 'period'], unique=False)

    op.create_table('hr_employment',
    sa.Column('load_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.Column('forvaltning', sa.String(length=3), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('employment_id', sa.String(length=64), nullable=False),
    sa.Column('enhet', sa.String(length=20), nullable=False),
    sa.Column('anstallningsform', sa.String(length=20), nullable=False),
    sa.Column('sysselsattningsgrad_hundradelar', sa.Integer(), nullable=False),
    sa.Column('chef', sa.String(length=1), nullable=False),
    sa.Column('kon', sa.String(length=1), nullable=False),
    sa.Column('utrikes_fodd', sa.String(length=1), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('start_day', sa.Integer(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_day', sa.Integer(), nullable=True),
    sa.Column('avgangsorsak', sa.String(length=60), nullable=False)
    )
    with op.batch_alter_table('hr_employment', schema=None) as batch_op:
        batch_op.create_index('ix_hr_employment_employment', ['employment_id'], unique=False)
        batch_op.create_index('ix_hr_employment_load', ['load_id', 'forvaltning', 'period'], unique=False)
        batch_op.create_index('ix_hr_employment_person', ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hr_employment', schema=None) as batch_op:
        batch_op.drop_index('ix_hr_employment_person')
        batch_op.drop_index('ix_hr_employment_load')
        batch_op.drop_index('ix_hr_employment_employment')

    op.drop_table('hr_employment')
    with op.batch_alter_table('hr_contracted_time', schema=None) as batch_op:
        batch_op.drop_index('ix_hr_contracted_time_load')

    op.drop_table('hr_contracted_time')
    with op.batch_alter_table('hr_absence', schema=None) as batch_op:
        batch_op.drop_index('ix_hr_absence_load')
        batch_op.drop_index('ix_hr_absence_employment')

    op.drop_table('hr_absence')
    with op.batch_alter_table('ber_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_ber_registration_person')
        batch_op.drop_index('ix_ber_registration_load')

    op.drop_table('ber_registration')
    with op.batch_alter_table('ber_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_ber_contact_person')
        batch_op.drop_index('ix_ber_contact_load')

    op.drop_table('ber_contact')
