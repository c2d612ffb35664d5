"""Co-funding: other funders' contributions to a project, append-only

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 03:00:00

"""
from alembic import op
import sqlalchemy as sa

from prb.models.immutable import refuse_changes_ddl
from prb.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLE = 'co_funding'


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('funder', sa.String(length=200), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('rate_to_usd', sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column('usd_amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('contributed_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('withdraws_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_co_funding_amount_positive')),
        sa.CheckConstraint('rate_to_usd > 0', name=op.f('ck_co_funding_rate_positive')),
        sa.CheckConstraint('usd_amount > 0', name=op.f('ck_co_funding_usd_amount_positive')),
        sa.ForeignKeyConstraint(
            ['proposal_id'], ['proposals.id'], name=op.f('fk_co_funding_proposal_id_proposals')
        ),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['users.id'], name=op.f('fk_co_funding_recorded_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['withdraws_id'], ['co_funding.id'], name=op.f('fk_co_funding_withdraws_id_co_funding')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_co_funding')),
        sa.UniqueConstraint('withdraws_id', name=op.f('uq_co_funding_withdraws_id')),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_funding_proposal_id'), ['proposal_id'], unique=False)
    for statement in refuse_changes_ddl(TABLE).get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    # The table's triggers go with it; prb_refuse_change() stays (older tables use it).
    op.drop_table(TABLE)
