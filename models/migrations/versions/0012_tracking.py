"""confirmed assignments on a version; tracked work after issuance (assignments, periods, report files)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignments', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table('trackedassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('lead_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('follower_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('follower_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('follower_email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cadence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('acknowledged_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['planversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'seq'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('trackedassignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trackedassignment_lead_code'), ['lead_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_trackedassignment_plan_id'), ['plan_id'], unique=False)

    op.create_table('trackingperiod',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('original_due', sa.Date(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('asked_until', sa.Date(), nullable=True),
    sa.Column('ask_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('report_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('report_files', sa.JSON(), nullable=False),
    sa.Column('submitted_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['trackedassignment.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'label')
    )
    with op.batch_alter_table('trackingperiod', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trackingperiod_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trackingperiod_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_trackingperiod_state_due', ['state', 'due'], unique=False)

    op.create_table('reportfile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['trackingperiod.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reportfile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reportfile_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reportfile_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reportfile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reportfile_plan_id'))
        batch_op.drop_index(batch_op.f('ix_reportfile_period_id'))

    op.drop_table('reportfile')
    with op.batch_alter_table('trackingperiod', schema=None) as batch_op:
        batch_op.drop_index('ix_trackingperiod_state_due')
        batch_op.drop_index(batch_op.f('ix_trackingperiod_plan_id'))
        batch_op.drop_index(batch_op.f('ix_trackingperiod_assignment_id'))

    op.drop_table('trackingperiod')
    with op.batch_alter_table('trackedassignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trackedassignment_plan_id'))
        batch_op.drop_index(batch_op.f('ix_trackedassignment_lead_code'))

    op.drop_table('trackedassignment')
    with op.batch_alter_table('planversion', schema=None) as batch_op:
        batch_op.drop_column('assignments')
