"""A proposal's transition keeps the day it took effect beside the time PRB recorded it: a
cancellation or a completion recorded after the fact, an approval by a meeting entered later

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 14:30:00

One nullable column on the append-only audit trail; every existing record gets NULL, read as
"the day it was recorded", as every transition was dated until now. No existing row changes.
Added and dropped in place (no batch rebuild), so SQLite keeps the table's append-only
triggers.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_records', sa.Column('effective_on', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('audit_records', 'effective_on')
