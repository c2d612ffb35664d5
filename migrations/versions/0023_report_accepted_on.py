"""A progress or final report keeps the day it was accepted beside the time PRB recorded the
decision: an office catching up on a past year accepts its reports on the days they were

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 18:00:00

One nullable column on progress_reports. Every report accepted until now was accepted the day
it was recorded, so the upgrade fills it with decided_at's day (UTC) for the accepted ones;
a submitted or returned report keeps NULL. No other row or column changes. progress_reports
has no append-only triggers; the column is added and dropped in place all the same.

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The state as it is written in the table (workflows.ReportState.ACCEPTED), frozen here.
ACCEPTED = "accepted"


def upgrade():
    op.add_column("progress_reports", sa.Column("accepted_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    # decided_at: timestamptz on PostgreSQL, naive UTC text on SQLite.
    day = (
        "date(decided_at)"
        if bind.dialect.name == "sqlite"
        else "CAST(decided_at AT TIME ZONE 'UTC' AS date)"
    )
    bind.execute(
        sa.text(
            f"UPDATE progress_reports SET accepted_on = {day} "
            "WHERE status = :accepted AND decided_at IS NOT NULL"
        ),
        {"accepted": ACCEPTED},
    )


def downgrade():
    op.drop_column("progress_reports", "accepted_on")
