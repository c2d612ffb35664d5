"""The office that runs the Board: its name and the line under it, which head the minutes
and every report PDF (until now written into the templates)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# What every PDF said before: a database already in use keeps it (an administrator may
# change it); an empty one gets its office from `prb setup`.
EARLIER_NAME = 'United Nations Office of Counter-Terrorism'
EARLIER_UNIT = 'United Nations Counter-Terrorism Centre'


def upgrade():
    office = op.create_table(
        'office',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('unit', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
    )
    in_use = op.get_bind().execute(sa.text('SELECT 1 FROM users LIMIT 1')).first()
    if in_use is not None:
        op.bulk_insert(office, [{'id': 1, 'name': EARLIER_NAME, 'unit': EARLIER_UNIT}])


def downgrade():
    op.drop_table('office')
