"""review policies, separation of duties and delegation

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01 20:34:01.411719
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['from_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['to_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_to_id'), ['to_id'], unique=False)

    op.create_table('planstage',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('plan_id', 'seq')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_templates', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('drafter_may_approve_and_sign', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_stage', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('review_template', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signed_signature', sa.JSON(), nullable=True))

    with op.batch_alter_table('planreviewer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('mandatory', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('reviewtask', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('delegate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_reviewtask_decided_by_id_person', 'person', ['decided_by_id'], ['id'])
        batch_op.create_foreign_key('fk_reviewtask_delegate_id_person', 'person', ['delegate_id'], ['id'])

    # Plans already submitted have one stage (every reviewer), open since their round began.
    plan = sa.table('plan', sa.column('review_stage', sa.Integer()), sa.column('review_round', sa.Integer()))
    op.execute(plan.update().where(plan.c.review_round > 0).values(review_stage=1))


def downgrade() -> None:
    with op.batch_alter_table('reviewtask', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reviewtask_delegate_id_person', type_='foreignkey')
        batch_op.drop_constraint('fk_reviewtask_decided_by_id_person', type_='foreignkey')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('delegate_id')
        batch_op.drop_column('stage')

    with op.batch_alter_table('planreviewer', schema=None) as batch_op:
        batch_op.drop_column('mandatory')
        batch_op.drop_column('stage')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('signed_signature')
        batch_op.drop_column('review_template')
        batch_op.drop_column('review_stage')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('drafter_may_approve_and_sign')
        batch_op.drop_column('review_templates')

    op.drop_table('planstage')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_to_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_org_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_from_id'))

    op.drop_table('delegation')
