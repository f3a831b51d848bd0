"""agency identifiers (mã định danh) and the delivery channel of units, for edXML exchange; a copy's
channel and the receiver's last status

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='email'))
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='email'))
        batch_op.add_column(sa.Column('answer_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('answer')
        batch_op.drop_column('answer_code')
        batch_op.drop_column('channel')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('channel')
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('agency_id')
