"""`board_members` reads the members, with their seats of the date, in one statement: their
roles and chaired groups, which no caller asks of a member, are not loaded with them (two
statements more on every meeting page), yet still read correctly if something does ask."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from prb.extensions import db
from prb.services.board import board_members
from workflows import Role


def test_the_members_are_read_in_one_statement(world) -> None:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        members = board_members(on=date(2026, 1, 15))
        names = [m.name for m in members]
        codes = [m.entity.code for m in members]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    assert len(names) == len(codes) == 3
    # Asked for, a member's roles are still there.
    assert all(m.user.has_role(Role.BOARD_MEMBER) for m in members)
