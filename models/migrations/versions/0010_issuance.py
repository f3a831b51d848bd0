"""issuance by the văn thư: the organisation's automatic-issuance setting; signing certificates
registered to people

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing organisations keep issuing as before: automatically, right after the signature.
    # A plain ADD COLUMN (SQLite needs no table copy for it, which its foreign keys would refuse).
    op.add_column('organisation', sa.Column('automatic_issuance', sa.Boolean(), nullable=False, server_default=sa.text('true')))
    op.create_table('signingcertificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('not_before', models.types.UTCDateTime(), nullable=False),
    sa.Column('not_after', models.types.UTCDateTime(), nullable=False),
    sa.Column('pem', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('registered_at', models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signingcertificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signingcertificate_fingerprint'), ['fingerprint'], unique=True)
        batch_op.create_index(batch_op.f('ix_signingcertificate_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signingcertificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signingcertificate_person_id'))
        batch_op.drop_index(batch_op.f('ix_signingcertificate_fingerprint'))
    op.drop_table('signingcertificate')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('automatic_issuance')
