"""The Board's record is append-only: decisions, audit records, and votes of closed items

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:20:00.000000

On SQLite, a later migration that rebuilds decisions, audit_records or votes in batch mode
drops their triggers (reinstall them), and one that rebuilds agenda_items fails while the
vote triggers, which read it, exist (drop them first, reinstall after).
"""
from alembic import op

from prb.models.immutable import refuse_changes_ddl, refuse_changes_when_closed_ddl
from workflows import ItemState

# Rows the database refuses to change or delete once written (as prb.models.immutable).
APPEND_ONLY = ("decisions", "audit_records")
# Votes may change while their item is open; the item, once closed, is not reopened.
VOTES = {"table": "votes", "parent": "agenda_items", "key": "item_id"}

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _votes_ddl() -> dict[str, list[str]]:
    return refuse_changes_when_closed_ddl(
        VOTES["table"], parent=VOTES["parent"], key=VOTES["key"], open_state=ItemState.OPEN
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in refuse_changes_ddl(table).get(dialect, []):
            op.execute(statement)
    for statement in _votes_ddl().get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    votes, parent = VOTES["table"], VOTES["parent"]
    if dialect == "sqlite":
        statements = [
            *(f"DROP TRIGGER IF EXISTS {t}_no_{change}"
              for t in APPEND_ONLY for change in ("update", "delete")),
            f"DROP TRIGGER IF EXISTS {votes}_no_update_when_closed",
            f"DROP TRIGGER IF EXISTS {votes}_no_delete_when_closed",
            f"DROP TRIGGER IF EXISTS {parent}_no_reopen",
        ]
    elif dialect == "postgresql":
        # prb_refuse_change() stays: the tables made append-only before 0009 use it.
        statements = [
            *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY),
            f"DROP TRIGGER IF EXISTS {votes}_append_only_when_closed ON {votes}",
            f"DROP TRIGGER IF EXISTS {parent}_no_reopen ON {parent}",
            f"DROP FUNCTION IF EXISTS prb_refuse_{votes}_change_when_closed()",
            f"DROP FUNCTION IF EXISTS prb_refuse_{parent}_reopen()",
        ]
    else:
        statements = []
    for statement in statements:
        op.execute(statement)
