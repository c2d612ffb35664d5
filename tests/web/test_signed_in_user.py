"""The signed-in user, read once per request with her roles and the groups she chairs: all of
them, whoever holds several, and found by keys (every request pays for this statement)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from prb.extensions import db
from tests.conftest import sign_in


def _statements_of(client, path: str) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, *args):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return statements


def test_a_user_with_two_roles_and_two_groups_has_all_of_them_on_every_page(client, world) -> None:
    # Two roles × two groups: four rows for one user, which must come back as one user.
    world.chair_b_board.chaired_groups.append(world.group_a)
    db.session.commit()
    sign_in(client, world.chair_b_board)
    page = client.get("/account").get_data(as_text=True)
    assert "<dd>Board member, Working-group chair</dd>" in page, page
    assert world.group_a.name in page and world.group_b.name in page


def test_the_signed_in_user_is_found_by_keys_not_by_reading_every_chair(
    client, world, backend
) -> None:
    """Her roles and groups are now subqueries correlated to her row; this guards against a
    return of what SQLite did with joinedload's nested `LEFT JOIN (chairs JOIN groups)`,
    working out every chair of every group on every request (0.5 ms of a 0.03 ms lookup at
    272 chairs)."""
    if backend != "sqlite":
        pytest.skip("SQLite's query plan: PostgreSQL finds her rows by their keys")
    sign_in(client, world.chair_a)
    loading = [
        (statement, parameters)
        for statement, parameters in _statements_of(client, "/account")
        if "FROM users" in statement and "working_group" in statement
    ]
    assert len(loading) == 1, loading
    statement, parameters = loading[0]
    conn = db.session.connection()
    plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    # The world's data is tiny: the planner must still be able to search by key.
    assert conn.execute(text("SELECT count(*) FROM working_group_chairs")).scalar() >= 1
    assert not [step for step in plan if step.startswith(("SCAN", "MATERIALIZE"))], plan
    assert not [step for step in plan if "AUTOMATIC" in step], plan
