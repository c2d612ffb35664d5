"""The notifications in the app (issue 14 §4): the list and the header's unread count, marking
read by POST (only one's own), and each person's choice of how she hears of each kind."""

from __future__ import annotations

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Notification, NotificationPreference
from prb.services import lifecycle
from prb.services.notifications import EVENTS, Event
from tests import factories
from tests.conftest import sign_in
from tests.web.test_minutes import decided_meeting


def unread(user) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def test_the_list_and_the_header_count_are_hers_alone(app, client, world) -> None:
    decided_meeting(world)
    count = unread(world.chair_a)
    assert count >= 2  # the approval and the extension's decision
    sign_in(client, world.chair_a)
    page = client.get("/notifications").text
    # in the header, on every page
    assert f'<span class="badge">{count}<span class="visually-hidden"> unread</span>' in page
    assert "Biometrics Compendium" in page and "the Board’s decision" in page
    assert 'href="/proposals/' in page
    # finance's notice of the approval is not hers
    assert "its commitment is due" not in page
    other = app.test_client()
    sign_in(other, world.finance)
    assert "its commitment is due" in other.get("/notifications").text


def test_marking_read_is_a_post_and_only_for_her_own(client, world) -> None:
    decided_meeting(world)
    mine = db.session.scalars(
        select(Notification).where(Notification.user_id == world.chair_a.id)
    ).first()
    theirs = db.session.scalars(
        select(Notification).where(Notification.user_id == world.finance.id)
    ).first()
    assert mine is not None and theirs is not None
    before = unread(world.chair_a)
    sign_in(client, world.chair_a)
    response = client.post("/notifications/read", data={"notification_id": theirs.id})
    assert response.status_code == 404
    assert unread(world.finance) > 0
    response = client.post("/notifications/read", data={"notification_id": mine.id})
    assert response.status_code == 303
    assert unread(world.chair_a) == before - 1
    damaged = client.post("/notifications/read", data={"notification_id": "2147483648"})
    assert damaged.status_code in (400, 422) and unread(world.chair_a) == before - 1
    everything = client.post("/notifications/read", data={})
    assert everything.status_code == 303 and unread(world.chair_a) == 0
    assert "marked as read" in client.get("/notifications").text


def test_she_chooses_how_she_hears_of_each_kind(client, world) -> None:
    sign_in(client, world.chair_a)
    page = client.get("/account/notifications").text
    for kind in EVENTS.values():
        assert kind.label in page or kind.label.replace("'", "&#39;") in page
    choices = {str(e): "email" for e in EVENTS}
    choices[str(Event.DECIDED)] = "digest"
    choices[str(Event.DISBURSEMENT_RECORDED)] = "app"
    response = client.post("/account/notifications", data=choices)
    assert response.status_code == 303
    stored = dict(
        db.session.execute(
            select(NotificationPreference.event, NotificationPreference.channel).where(
                NotificationPreference.user_id == world.chair_a.id
            )
        ).all()
    )
    assert stored[str(Event.DECIDED)] == "digest"
    assert stored[str(Event.DISBURSEMENT_RECORDED)] == "app"
    page = client.get("/account/notifications").text
    assert '<option selected value="digest">' in page


def test_a_choice_not_offered_is_refused_and_nothing_saved(client, world) -> None:
    sign_in(client, world.chair_a)
    choices = {str(e): "email" for e in EVENTS}
    choices[str(Event.DECIDED)] = "pigeon"
    response = client.post("/account/notifications", data=choices)
    assert response.status_code == 422
    assert "Choose one of the options offered" in response.text
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0


def test_every_link_a_notification_carries_is_a_page_of_prb(app, world) -> None:
    p = factories.proposal(world)
    lifecycle.fire(world.chair_a, p.id, "submit")
    decided_meeting(world)
    adapter = app.url_map.bind("prb.example")
    links = set(db.session.scalars(select(Notification.link)))
    assert links
    for link in links:
        adapter.match(link.split("#")[0], method="GET")
