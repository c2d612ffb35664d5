"""A notice that is only true until a moment is not e-mailed after it. When the worker (or the
mail server) was away, a request to vote by a deadline, an invitation to a meeting or a
reminder could arrive after it had stopped being true; such a message carries its moment
(`send_before`), and the worker marks it expired instead of sending it — logged, and listed
for the administrators. A message without a moment (a decision, minutes) is always sent; the
in-app notice stays, as history."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import Notification, OutboxMessage, OutboxState, utcnow
from prb.services import lifecycle
from prb.services.accounts.password_reset import VALID_FOR, request_reset
from prb.services.errors import Conflict
from prb.services.mail import dead_letters, deliver_due
from prb.services.mail.cleanup import forget_sent
from prb.services.mail.delivery import claim
from prb.services.notifications import Event, scheduled
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import sign_in
from workflows import ProposalState as S

VOTERS = {"board.chair@prb.example", "board.undp@prb.example"}


def _outbox(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _written_procedure(world):  # type: ignore[no-untyped-def]
    """A written procedure (deadline in 7 days) with an item: its voters are asked by e-mail."""
    m = meeting(world, written=True, number="PRB/2018/05")
    item_under_review(world, m)
    assert m.deadline is not None
    return m


def test_a_request_to_vote_is_not_sent_after_voting_closed(smtp, world, caplog) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    asked = _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))
    assert {a.to_address for a in asked} == VOTERS
    assert {a.send_before for a in asked} == {m.deadline}

    # The worker was down until a minute after the deadline.
    with caplog.at_level(logging.WARNING, logger="prb.services.mail.delivery"):
        assert deliver_due(now=m.deadline + timedelta(minutes=1)) == 0
    assert smtp.received == []
    assert {a.state for a in _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))} == {OutboxState.EXPIRED}
    for message in asked:
        assert any(
            f"message {message.id} " in r.getMessage() and "expired" in r.getMessage()
            for r in caplog.records
        )
    # Never sent later either, and the in-app notices are kept: they are history.
    assert deliver_due(now=m.deadline + timedelta(days=1)) == 0
    assert smtp.received == []
    notes = db.session.scalars(
        select(Notification).where(Notification.event == str(Event.WRITTEN_PROCEDURE_OPENED))
    ).all()
    assert len(notes) == len(VOTERS)


def test_a_request_to_vote_is_sent_while_voting_is_open(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    assert deliver_due(now=m.deadline - timedelta(minutes=1)) == len(VOTERS)
    assert {r for rcpts in smtp.collector.recipients for r in rcpts} == VOTERS
    assert {a.state for a in _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))} == {OutboxState.SENT}


def test_a_message_without_a_moment_is_sent_however_late(smtp, world) -> None:  # type: ignore[no-untyped-def]
    p = factories.proposal(world)
    lifecycle.fire(world.chair_a, p.id, "submit")
    [submitted] = _outbox(str(Event.PROPOSAL_SUBMITTED))
    assert submitted.send_before is None
    assert deliver_due(now=utcnow() + timedelta(days=365)) == 1
    assert [m["Message-ID"] for m in smtp.received] == [submitted.message_id]


def test_the_reminder_before_a_deadline_is_not_sent_after_it(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    assert scheduled.notify_due(m.deadline - timedelta(hours=47)) == len(VOTERS)
    [reminder, _] = reminders = _outbox(str(Event.DEADLINE_NEAR))
    assert reminder.send_before == m.deadline
    assert deliver_due(now=m.deadline) == 0, "at the deadline, voting has closed"
    assert {r.state for r in _outbox(str(Event.DEADLINE_NEAR))} == {OutboxState.EXPIRED}
    assert len(reminders) == 2 and smtp.received == []


@pytest.mark.parametrize(("hours_after_midnight", "sent"), [(23, True), (24, False)])
def test_an_invitation_to_a_meeting_is_worth_sending_until_the_end_of_its_day(
    smtp, world, hours_after_midnight: int, sent: bool
) -> None:  # type: ignore[no-untyped-def]
    """A meeting has a date and no hour: on its day an invitation may still reach a member
    before it begins; the day after, it has been held."""
    m = meeting(world, number="PRB/2018/07")
    item_under_review(world, m)
    day_starts = datetime.combine(m.held_on, time(), tzinfo=UTC)
    invitations = _outbox(str(Event.ON_AGENDA))
    assert {i.send_before for i in invitations} == {day_starts + timedelta(days=1)}
    delivered = deliver_due(now=day_starts + timedelta(hours=hours_after_midnight))
    assert delivered == (len(VOTERS) if sent else 0)
    states = {i.state for i in _outbox(str(Event.ON_AGENDA))}
    assert states == {OutboxState.SENT if sent else OutboxState.EXPIRED}


def test_a_notice_of_a_projects_end_is_not_sent_after_the_end(smtp, world) -> None:  # type: ignore[no-untyped-def]
    project = factories.project(world, status=S.ONGOING, group=world.group_b)
    project.current_end = utcnow().date() + timedelta(days=20)
    db.session.commit()
    scheduled.notify_due()
    notices = _outbox(str(Event.PROJECT_ENDING))
    assert notices
    day_after = datetime.combine(project.current_end + timedelta(days=1), time(), tzinfo=UTC)
    assert {n.send_before for n in notices} == {day_after}
    assert deliver_due(now=day_after) == 0
    assert {n.state for n in _outbox(str(Event.PROJECT_ENDING))} == {OutboxState.EXPIRED}


def test_a_reset_link_is_not_sent_once_it_no_longer_works(smtp, world) -> None:  # type: ignore[no-untyped-def]
    asked = utcnow()
    request_reset(
        world.chair_a.email,
        "203.0.113.9",
        link_base="https://prb.office.example/set-password/",
        answer_after=0,
    )
    [reset] = _outbox("password_reset")
    assert reset.send_before is not None
    assert asked + VALID_FOR <= reset.send_before <= utcnow() + VALID_FOR
    assert deliver_due(now=reset.send_before + timedelta(seconds=1)) == 0
    assert _outbox("password_reset")[0].state == OutboxState.EXPIRED and smtp.received == []


def test_a_message_waiting_to_be_tried_again_expires_rather_than_goes_late(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    smtp.stop()
    assert deliver_due(now=m.deadline - timedelta(minutes=5)) == 0
    waiting = _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))
    assert {w.state for w in waiting} == {OutboxState.QUEUED} and waiting[0].last_error
    smtp.start()
    assert deliver_due(now=m.deadline + timedelta(hours=3)) == 0
    expired = _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))
    assert {e.state for e in expired} == {OutboxState.EXPIRED}
    assert expired[0].last_error, "why it was late is kept"
    assert smtp.received == []


def test_the_worker_claims_no_message_past_its_moment(app, world) -> None:  # type: ignore[no-untyped-def]
    """Even one that is still queued (a claim that comes before the expiry's own step)."""
    m = _written_procedure(world)
    assert claim(m.deadline, limit=50) == []
    assert claim(m.deadline - timedelta(seconds=1), limit=50) != []


def test_the_administrator_sees_expired_messages_labelled_and_cannot_retry_them(
    smtp, app, client, world
) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    deliver_due(now=m.deadline + timedelta(minutes=1))
    [expired, _] = _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))
    sign_in(client, factories.administrator(world))
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "Not sent: too late" in html
    assert expired.subject in html and expired.to_address in html
    assert f"/admin/outbox/{expired.id}/retry" not in html
    assert "put to the Board" not in html  # never a body
    assert client.post(f"/admin/outbox/{expired.id}/retry", data={}).status_code == 409
    assert _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))[0].state == OutboxState.EXPIRED


def test_expired_messages_are_forgotten_as_sent_ones_are(app, world) -> None:  # type: ignore[no-untyped-def]
    m = _written_procedure(world)
    deliver_due(now=m.deadline + timedelta(minutes=1))
    assert forget_sent(m.deadline + timedelta(days=29)) == 0
    assert forget_sent(m.deadline + timedelta(days=31)) == len(VOTERS)
    assert _outbox(str(Event.WRITTEN_PROCEDURE_OPENED)) == []


def test_a_dead_message_past_its_moment_is_not_retried(app, world) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none")
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    m = _written_procedure(world)
    deliver_due(now=m.deadline - timedelta(hours=1))
    [dead, _] = _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))
    assert dead.state == OutboxState.DEAD
    admin = factories.administrator(world)
    m.deadline = utcnow() - timedelta(minutes=1)  # voting closed meanwhile
    dead.send_before = m.deadline
    db.session.commit()
    with pytest.raises(Conflict, match="worth sending only until"):
        dead_letters.retry(admin, dead.id)
    assert _outbox(str(Event.WRITTEN_PROCEDURE_OPENED))[0].state == OutboxState.DEAD


def test_in_development_the_mail_page_says_a_message_expired(smtp, app, client, world) -> None:  # type: ignore[no-untyped-def]
    app.config["SHOW_MAIL"] = True
    m = _written_procedure(world)
    deliver_due(now=m.deadline + timedelta(minutes=1))
    sign_in(client, world.board_undp)
    page = client.get("/mail").text
    assert "· expired (worth sending until" in page
