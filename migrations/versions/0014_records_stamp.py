"""The records' stamp (one row every committed write to the records raises), and proposals
indexed by status and submission (the agenda's choice, longest waiting first)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'record_stamp',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_stamp')),
    )
    # Starts at 1: a database upgraded with records in it has a stamp that no empty cache
    # (which treats "no stamp" as 0) can mistake for its own.
    op.execute("INSERT INTO record_stamp (id, version) VALUES (1, 1)")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(
            'ix_proposals_status_submitted', ['status', 'submitted_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_submitted')
    op.drop_table('record_stamp')
