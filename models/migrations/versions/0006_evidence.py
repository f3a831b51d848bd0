"""audit anchors and per-organisation sealing certificate

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-01 20:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auditanchor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditanchor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditanchor_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditanchor_plan_id'), ['plan_id'], unique=False)

    # Existing organisations seal with the settings' certificate, if any.
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('seal')

    with op.batch_alter_table('auditanchor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditanchor_plan_id'))
        batch_op.drop_index(batch_op.f('ix_auditanchor_org_id'))

    op.drop_table('auditanchor')
