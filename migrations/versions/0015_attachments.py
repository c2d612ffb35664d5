"""Attachments: files on proposals, extension requests and meetings (append-only; a new
version supersedes an older one, both kept); agenda item snapshots record the files the Board had

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import prb.models.types
from prb.models.immutable import refuse_changes_ddl


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', prb.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supersedes_id'], ['attachments.id'], name=op.f('fk_attachments_supersedes_id_attachments')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_attachments_supersedes_id'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_owner', ['owner_kind', 'owner_id'], unique=False)
    for statement in refuse_changes_ddl('attachments').get(op.get_bind().dialect.name, []):
        op.execute(statement)
    # What files an agenda item's snapshot saw (the minutes' annex). A plain ADD COLUMN, not
    # a batch copy: SQLite keeps the append-only table's triggers, and old rows stay NULL
    # ("taken before files were kept"), so earlier minutes render as before.
    op.add_column('agenda_item_snapshots', sa.Column('attachments', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('agenda_item_snapshots', 'attachments')
    # Dropping the table drops its triggers; prb_refuse_change() stays, other tables use it.
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_owner')
    op.drop_table('attachments')
