"""links between documents: a replacement, a correction letter, a summary report and the plan they concern

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'kind')
    )
    with op.batch_alter_table('planlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planlink_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planlink_target_id'), ['target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('planlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planlink_target_id'))
        batch_op.drop_index(batch_op.f('ix_planlink_plan_id'))
    op.drop_table('planlink')
