"""Tables whose rows, once written, the database itself refuses to change or delete."""

from __future__ import annotations

from sqlalchemy import DDL, Table, event


def refuse_changes_ddl(table: str) -> dict[str, list[str]]:
    """Per dialect, the statements that make `table` append-only."""
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION prb_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END; "
            "$$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION prb_refuse_change()",
        ],
    }


def make_append_only(table: Table) -> None:
    """Create the triggers whenever SQLAlchemy creates the table (tests, `create_all`);
    migrations run the same statements."""
    for dialect, statements in refuse_changes_ddl(table.name).items():
        for statement in statements:
            # DDL() formats its text with %, so a literal % is written twice.
            event.listen(
                table,
                "after_create",
                DDL(statement.replace("%", "%%")).execute_if(dialect=dialect),
            )


def _state_literal(state: str) -> str:
    # The state goes into trigger text as an SQL literal; workflow states are plain words.
    if not state.replace("_", "").isalnum():
        raise ValueError(f"not a state name: {state!r}")
    return f"'{state}'"


def refuse_changes_when_closed_ddl(
    table: str, *, parent: str, key: str, open_state: str
) -> dict[str, list[str]]:
    """Per dialect, the statements that make the rows of `table` append-only once the
    `parent` row they belong to (through `key`) has left `open_state`, and that keep a closed
    parent from being reopened. While the parent is open its rows may still change (a member
    changes or withdraws her vote); the record of a closed one is fixed."""
    open_literal = _state_literal(open_state)
    message = f"{table} rows of a closed {parent} row are append-only"
    reopen_message = f"a closed {parent} row stays closed: its {table} rows are append-only"
    # A row moved by an UPDATE must not land on a closed parent either.
    closed_sqlite = f"(SELECT status FROM {parent} WHERE id = OLD.{key}) != {open_literal}"
    closed_new_sqlite = f"(SELECT status FROM {parent} WHERE id = NEW.{key}) != {open_literal}"
    function = f"prb_refuse_{table}_change_when_closed"
    reopen_function = f"prb_refuse_{parent}_reopen"
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update_when_closed BEFORE UPDATE ON {table} "
            f"WHEN {closed_sqlite} OR {closed_new_sqlite} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {table}_no_delete_when_closed BEFORE DELETE ON {table} "
            f"WHEN {closed_sqlite} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {parent}_no_reopen BEFORE UPDATE OF status ON {parent} "
            f"WHEN OLD.status != {open_literal} AND NEW.status = {open_literal} "
            f"BEGIN SELECT RAISE(ABORT, '{reopen_message}'); END",
        ],
        "postgresql": [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN "
            f"IF EXISTS (SELECT 1 FROM {parent} WHERE id = OLD.{key} "
            f"AND status <> {open_literal}) OR (TG_OP = 'UPDATE' AND EXISTS "
            f"(SELECT 1 FROM {parent} WHERE id = NEW.{key} AND status <> {open_literal})) "
            f"THEN RAISE EXCEPTION '{message}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only_when_closed BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE OR REPLACE FUNCTION {reopen_function}() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{reopen_message}'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {parent}_no_reopen BEFORE UPDATE OF status ON {parent} "
            f"FOR EACH ROW WHEN (OLD.status <> {open_literal} AND NEW.status = {open_literal}) "
            f"EXECUTE FUNCTION {reopen_function}()",
        ],
    }


def make_append_only_when_closed(table: Table, *, parent: str, key: str, open_state: str) -> None:
    """As `make_append_only`, for rows that stay changeable while their parent is open.
    `table` refers to `parent`, so the parent exists by the time `table` is created."""
    for dialect, statements in refuse_changes_when_closed_ddl(
        table.name, parent=parent, key=key, open_state=open_state
    ).items():
        for statement in statements:
            event.listen(
                table,
                "after_create",
                DDL(statement.replace("%", "%%")).execute_if(dialect=dialect),
            )
