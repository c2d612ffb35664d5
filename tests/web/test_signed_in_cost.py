"""What every signed-in page pays before its own work (issue 15): the signed-in user, her
entity, roles and chaired groups in one statement, and the header's unread count in one."""

from __future__ import annotations

from prb.extensions import db
from tests.conftest import sign_in
from tests.web.test_query_counts import counting


def test_the_signed_in_user_is_one_statement(client, world) -> None:
    sign_in(client, world.chair_b_finance)  # two roles, a chaired group
    client.get("/account")
    db.session.remove()  # a new request's session: nothing known yet
    with counting() as statements:
        page = client.get("/account")
    assert page.status_code == 200 and "Finance" in page.text
    about_her = [
        s
        for s in statements
        if "user_roles" in s or "working_group_chairs" in s or "FROM users" in s
    ]
    assert len(about_her) == 1, about_her
    assert sum("notifications" in s for s in statements) == 1
