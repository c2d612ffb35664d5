"""What every signed-in page pays before its own work (issue 15): the signed-in user, her
entity, roles, chaired groups and unread count in one statement."""

from __future__ import annotations

import re
from types import SimpleNamespace

from prb.extensions import db
from prb.models import Notification, utcnow
from tests.conftest import sign_in
from tests.web.test_query_counts import counting


def _badge(page_text: str) -> str | None:
    found = re.search(r'class="badge">(\d+)<span class="visually-hidden"> unread', page_text)
    return found.group(1) if found else None


def test_a_layout_page_is_one_statement(client, world) -> None:
    sign_in(client, world.chair_b_finance)  # two roles, a chaired group, no two-step sign-in
    client.get("/workflow/")
    db.session.remove()  # a new request's session: nothing known yet
    with counting() as statements:
        page = client.get("/workflow/")
    assert page.status_code == 200 and "Finance" in page.text  # her menu: both roles'
    assert len(statements) == 1, statements
    assert "user_roles" in statements[0] and "notifications" in statements[0]
    assert "working_group_chairs" in statements[0]


def test_her_account_reads_her_groups_names_only_when_she_chairs_one(app, client, world) -> None:
    chair = SimpleNamespace(email=world.chair_b_finance.email)
    names = sorted(g.name for g in world.chair_b_finance.chaired_groups)
    sign_in(client, world.secretariat)
    client.get("/account")
    db.session.remove()
    with counting() as statements:
        page = client.get("/account")
    assert page.status_code == 200 and "<dt>Chairs</dt><dd>—</dd>" in page.text
    assert len(statements) == 1, statements

    client = app.test_client()
    sign_in(client, chair)
    db.session.remove()
    with counting() as statements:
        page = client.get("/account")
    assert f"<dt>Chairs</dt><dd>{'; '.join(names)}</dd>" in page.text
    assert len(statements) == 2, statements


def test_her_roles_and_groups_come_with_her_and_not_another_s(app, world) -> None:
    # The two lists are read beside her row: one person's must never be another's.
    from flask_login import current_user

    people = (world.chair_b_finance, world.secretariat, world.chair_a)
    expected = {p.email: (p.roles, p.chaired_group_ids) for p in people}
    assert len(set(expected.values())) == len(people)  # three different answers to tell apart
    for email in expected:
        client = app.test_client()
        sign_in(client, SimpleNamespace(email=email))
        db.session.remove()
        with client:
            client.get("/workflow/")
            seen = (current_user.roles, current_user.chaired_group_ids)
            assert seen == expected[current_user.email]
            assert current_user.role_names_read is not None  # read with her, not loaded after


def test_the_badge_counts_her_unread_notices_and_no_one_else_s(client, world) -> None:
    her, other = world.chair_b_finance, world.secretariat
    db.session.add_all(
        [
            Notification(user_id=her.id, event="submitted", subject="One", link="/"),
            Notification(user_id=her.id, event="submitted", subject="Two", link="/"),
            Notification(
                user_id=her.id, event="submitted", subject="Read", link="/", read_at=utcnow()
            ),
            Notification(user_id=other.id, event="submitted", subject="Not hers", link="/"),
        ]
    )
    db.session.commit()
    sign_in(client, her)
    assert _badge(client.get("/account").text) == "2"
    first = db.session.scalar(
        db.select(Notification).where(Notification.user_id == her.id, Notification.subject == "One")
    )
    first.read_at = utcnow()
    db.session.commit()
    assert _badge(client.get("/account").text) == "1"  # the next page knows at once
    db.session.execute(db.update(Notification).values(read_at=utcnow()))
    db.session.commit()
    assert _badge(client.get("/account").text) is None
