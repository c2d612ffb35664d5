"""In-app notifications and each person's choice of how to hear of each kind of event

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 19:45:00

New tables, and a new column of outbox messages (extra headers such as List-Unsubscribe);
no existing row changes.

"""
from alembic import op
import sqlalchemy as sa

import prb.models.types


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('created_at', prb.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', prb.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('digested_at', prb.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'key', name='uq_notifications_user_key')
    )
    op.create_index('ix_notifications_user_read', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'event', name=op.f('pk_notification_preferences'))
    )
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('headers')
    op.drop_table('notification_preferences')
    op.drop_index('ix_notifications_user_read', table_name='notifications')
    op.drop_table('notifications')
