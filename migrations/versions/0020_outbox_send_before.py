"""Outbox messages worth sending only until a moment: a notice queued while the worker was
away (a request to vote by a deadline, an invitation to a meeting) is not sent once it has
stopped being true

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 09:00:00

One nullable column; every existing message gets NULL, "worth sending whenever it goes", as
every message was until now. No existing row changes otherwise.

"""
from alembic import op
import sqlalchemy as sa

import prb.models.types


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(
            sa.Column('send_before', prb.models.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('send_before')
