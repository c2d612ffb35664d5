"""Outbox messages say what they are about (an agenda item), so that events can overtake a
notice not sent yet: an invitation or a request to vote stops when its item closes, its
meeting is cancelled or corrected, or its reader votes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 09:00:00

One nullable, indexed column; every existing message gets NULL, "about nothing that can
overtake it", and is sent as it would have been. No existing row changes otherwise.

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("about", sa.String(length=60), nullable=True))
        batch_op.create_index("ix_outbox_messages_about", ["about"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_index("ix_outbox_messages_about")
        batch_op.drop_column("about")
