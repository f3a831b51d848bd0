"""confirmed assignments on a version; tracked work after issuance

Revision ID: 0011
Revises: 0009 (re-chained to 0010 at merge)
Create Date: 2026-12-06 04:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignments', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('planversion', schema=None) as batch_op:
        batch_op.drop_column('assignments')
