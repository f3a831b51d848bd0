"""signature and seal images: a person's signature image and an organisation's seal image (PNG)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:35:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import models.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signatureimage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('width_mm', sa.Float(), nullable=True),
    sa.Column('registered_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'person_id', 'kind')
    )
    with op.batch_alter_table('signatureimage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatureimage_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatureimage_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signatureimage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatureimage_person_id'))
        batch_op.drop_index(batch_op.f('ix_signatureimage_org_id'))
    op.drop_table('signatureimage')
