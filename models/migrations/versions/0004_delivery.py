"""acknowledgement of receipt; indexes for distribution progress and claims

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 20:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ack_token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_delivery_ack_token_hash'), ['ack_token_hash'])
        batch_op.create_index('ix_delivery_plan_status', ['plan_id', 'status'], unique=False)

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.create_index('ix_outboxmessage_plan_status', ['plan_id', 'status', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_index('ix_outboxmessage_plan_status')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_plan_status')
        batch_op.drop_constraint(batch_op.f('uq_delivery_ack_token_hash'), type_='unique')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('ack_token_hash')
