"""role changes confirmed by a second administrator; the domains that may hold roles

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rolechange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', models.types.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rolechange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rolechange_org_id'), ['org_id'], unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_domains', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('head_email', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('head_email')
        batch_op.drop_column('role_domains')
    with op.batch_alter_table('rolechange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rolechange_org_id'))
    op.drop_table('rolechange')
