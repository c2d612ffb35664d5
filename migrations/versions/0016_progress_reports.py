"""Progress and final reports of projects, and each programme's reporting schedule

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 03:00:00

A new table, and two columns of programmes with the defaults every existing programme
takes (a progress report every six months, the final report three months after the end);
no existing row changes otherwise.

"""
from alembic import op
import sqlalchemy as sa

import prb.models.types


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes') as batch_op:
        batch_op.add_column(
            sa.Column('progress_report_months', sa.Integer(), server_default='6', nullable=False)
        )
        batch_op.add_column(
            sa.Column('final_report_months', sa.Integer(), server_default='3', nullable=False)
        )
    op.create_table('progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('activities', sa.Text(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('spent_to_date', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unspent_balance', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', prb.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', prb.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_progress_reports_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_progress_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_progress_reports_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reports')),
    sa.UniqueConstraint('proposal_id', 'kind', 'due_on', name=op.f('uq_progress_reports_proposal_id_kind_due_on'))
    )
    op.create_index(op.f('ix_progress_reports_proposal_id'), 'progress_reports', ['proposal_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_progress_reports_proposal_id'), table_name='progress_reports')
    op.drop_table('progress_reports')
    with op.batch_alter_table('programmes') as batch_op:
        batch_op.drop_column('final_report_months')
        batch_op.drop_column('progress_report_months')
