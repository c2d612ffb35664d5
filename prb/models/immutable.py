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
