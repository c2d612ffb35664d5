"""Index working-group chairs by user (loading the signed-in user finds her groups by it)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 05:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_working_group_chairs_user', 'working_group_chairs', ['user_id'], unique=False
    )


def downgrade():
    op.drop_index('ix_working_group_chairs_user', table_name='working_group_chairs')
