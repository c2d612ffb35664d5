"""Transactional outbox: e-mail written with the change that causes it, sent by `prb worker`

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 19:40:00.000000

A new table only; no existing row is touched.

"""
from alembic import op
import sqlalchemy as sa

import prb.models.types


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', prb.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('created_at', prb.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', prb.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', prb.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_outbox_messages_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id'))
    )
    op.create_index(op.f('ix_outbox_messages_recipient_user_id'), 'outbox_messages', ['recipient_user_id'], unique=False)
    op.create_index('ix_outbox_messages_state_next', 'outbox_messages', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_messages_state_next', table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_recipient_user_id'), table_name='outbox_messages')
    op.drop_table('outbox_messages')
