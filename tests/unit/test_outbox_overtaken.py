"""A notice not e-mailed yet stops when events overtake it: the invitation and request to
vote on an item are not sent once the item has closed, its meeting was cancelled or
corrected (the correction notice carries the new facts), or — for one member — once she has
voted; a reminder that a report is overdue, once the chairs submitted it. Each is marked
expired with why, listed for the administrators, never retried; the notices that tell what
happened (a cancellation, a correction) still go, and the in-app notices stay as history.
Only the item's messages stop: other items' and other kinds' go."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from prb.extensions import db
from prb.models import Notification, OutboxMessage, OutboxState, ReportKind, utcnow
from prb.services import board
from prb.services import progress_reports as reports
from prb.services.errors import Conflict
from prb.services.mail import dead_letters, deliver_due, delivery
from prb.services.notifications import Event, scheduled
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import sign_in
from tests.unit.test_progress_reports import FINAL_DUE, FIRST_DUE, narrative, running, submit
from workflows import ReportTrigger

ASKED = str(Event.WRITTEN_PROCEDURE_OPENED)
INVITED = str(Event.ON_AGENDA)


def _outbox(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _states(kind: str) -> dict[str, str]:
    return {m.to_address: m.state for m in _outbox(kind)}


def _written_procedure_with_two_items(world):  # type: ignore[no-untyped-def]
    m = meeting(world, written=True, number="PRB/2018/05")
    first, second = item_under_review(world, m), item_under_review(world, m)
    return m, first, second


def test_a_members_request_to_vote_stops_once_she_has_voted(smtp, world) -> None:  # type: ignore[no-untyped-def]
    _, first, second = _written_procedure_with_two_items(world)
    board.cast_vote(world.board_chair, first.id, "approve")

    about_first = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{first.id}"]
    states = {a.to_address: a.state for a in about_first}
    assert states == {
        world.board_chair.email: OutboxState.EXPIRED,
        world.board_undp.email: OutboxState.QUEUED,
    }
    [hers] = [a for a in about_first if a.to_address == world.board_chair.email]
    assert "recipient voted on item 1 of PRB/2018/05" in hers.last_error
    # Her request about the second item, which she has not voted on, still goes.
    about_second = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{second.id}"]
    assert {a.state for a in about_second} == {OutboxState.QUEUED}

    assert deliver_due(now=utcnow()) == 3
    sent_to = [r for rcpts in smtp.collector.recipients for r in rcpts]
    assert sent_to.count(world.board_chair.email) == 1  # the second item's only
    # The in-app notice is history: kept.
    assert db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == world.board_chair.id, Notification.event == ASKED
        )
    )


def test_cancelling_a_meeting_stops_its_invitations_and_sends_the_cancellation(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world, number="PRB/2018/07")
    item_under_review(world, m)
    assert set(_states(INVITED).values()) == {OutboxState.QUEUED}

    board.cancel_meeting(world.secretariat, m.id, "No quorum expected")

    invitations = _outbox(INVITED)
    assert {i.state for i in invitations} == {OutboxState.EXPIRED}
    assert all("was withdrawn before it went" in i.last_error for i in invitations)
    changed = _outbox(str(Event.MEETING_CHANGED))
    assert changed and {c.state for c in changed} == {OutboxState.QUEUED}
    deliver_due(now=utcnow())
    subjects = [str(r["Subject"]) for r in smtp.received]
    assert subjects and all("was cancelled" in s for s in subjects), subjects


def test_closing_an_item_stops_what_was_not_sent_about_it(smtp, world) -> None:  # type: ignore[no-untyped-def]
    _, first, second = _written_procedure_with_two_items(world)
    board.cast_vote(world.board_chair, first.id, "approve")
    # The secretariat closes it before the other member voted: her request stops too.
    board.close_item(world.secretariat, first.id)
    about_first = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{first.id}"]
    assert {a.state for a in about_first} == {OutboxState.EXPIRED}

    board.withdraw_item(world.secretariat, second.id, "Papers missing")
    about_second = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{second.id}"]
    assert {a.state for a in about_second} == {OutboxState.EXPIRED}
    assert all("item 2 of PRB/2018/05 was withdrawn" in a.last_error for a in about_second)
    deliver_due(now=utcnow())
    subjects = [str(r["Subject"]) for r in smtp.received]
    assert subjects, "the decision is told"
    assert not [s for s in subjects if "vote on" in s], subjects


def test_moving_the_deadline_stops_the_requests_that_carry_the_old_one(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m, _, _ = _written_procedure_with_two_items(world)
    assert m.deadline is not None
    new_deadline = (m.deadline + timedelta(days=3)).replace(second=0, microsecond=0)
    board.correct_meeting(
        world.secretariat,
        m.id,
        board.Correction(
            number=m.number,
            held_on=m.held_on,
            place=m.place,
            chair_id=m.chair_id,
            deadline=new_deadline,
        ),
    )
    asked = _outbox(ASKED)
    assert asked and {a.state for a in asked} == {OutboxState.EXPIRED}
    assert all("PRB/2018/05 was corrected" in a.last_error for a in asked)
    corrected = _outbox(str(Event.MEETING_CHANGED))
    assert corrected and {c.state for c in corrected} == {OutboxState.QUEUED}


def test_a_message_being_sent_goes_and_a_dead_one_is_not_retried(app, world) -> None:  # type: ignore[no-untyped-def]
    _, first, _ = _written_procedure_with_two_items(world)
    about_first = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{first.id}"]
    sending, dead = sorted(about_first, key=lambda a: a.to_address)
    sending.state, dead.state, dead.attempts = OutboxState.SENDING, OutboxState.DEAD, 8
    db.session.commit()
    sending_id, dead_id = sending.id, dead.id

    board.withdraw_item(world.secretariat, first.id, "Papers missing")

    assert db.session.get(OutboxMessage, sending_id).state == OutboxState.SENDING
    assert db.session.get(OutboxMessage, dead_id).state == OutboxState.EXPIRED
    with pytest.raises(Conflict):
        dead_letters.retry(factories.administrator(world), dead_id)


def test_the_administrator_sees_why_an_overtaken_message_was_not_sent(
    smtp, app, client, world
) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world, number="PRB/2018/07")
    item_under_review(world, m)
    board.cancel_meeting(world.secretariat, m.id, "No quorum expected")
    [stopped, *_] = _outbox(INVITED)
    sign_in(client, factories.administrator(world))
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert stopped.subject in html
    assert "was withdrawn before it went" in html
    assert f"/admin/outbox/{stopped.id}/retry" not in html


OVERDUE = str(Event.REPORT_OVERDUE)


@pytest.mark.parametrize(
    ("kind", "due", "told_on"),
    [
        (ReportKind.PROGRESS, FIRST_DUE, datetime(2018, 7, 2, 12, tzinfo=UTC)),
        (ReportKind.FINAL, FINAL_DUE, datetime(2019, 4, 1, 12, tzinfo=UTC)),
    ],
)
def test_an_overdue_reminder_stops_once_the_chairs_submitted_the_report(
    world, kind, due, told_on
) -> None:  # type: ignore[no-untyped-def]
    p = running(world)
    if kind == ReportKind.FINAL:
        reports.decide_report(world.secretariat, submit(world, p).id, ReportTrigger.ACCEPT)
    scheduled.notify_due(told_on)
    [reminder] = [m for m in _outbox(OVERDUE) if m.state == OutboxState.QUEUED]

    if kind == ReportKind.FINAL:
        # Extended meanwhile: the final report is submitted for its new due date, and the
        # reminder about the old one stops as well (a project has one final report).
        p.current_end = date(2019, 3, 31)
        db.session.commit()
        [due] = [s.due_on for s in reports.slots_of(p) if s.is_final]
        assert due == date(2019, 6, 30)
        submit(world, p, kind=kind, due=due, unspent="0.00")
    else:
        submit(world, p, kind=kind, due=due)

    [stopped] = [m for m in _outbox(OVERDUE) if m.id == reminder.id]
    assert stopped.state == OutboxState.EXPIRED
    assert "report" in stopped.last_error and "was submitted before it went" in stopped.last_error


def test_a_report_sent_back_and_resubmitted_stops_its_reminder_too(world) -> None:  # type: ignore[no-untyped-def]
    p = running(world)
    report = submit(world, p)
    reports.decide_report(world.secretariat, report.id, ReportTrigger.RETURN, "Figures missing")
    scheduled.notify_due(datetime(2018, 7, 2, 12, tzinfo=UTC))  # sent back: hers again
    [reminder] = _outbox(OVERDUE)
    assert reminder.state == OutboxState.QUEUED
    reports.resubmit_report(world.chair_a, report.id, narrative())
    assert _outbox(OVERDUE)[0].state == OutboxState.EXPIRED


@pytest.mark.parametrize("attempt_ends", ["failed", "worker_stopped"])
def test_a_message_being_sent_when_overtaken_is_not_tried_again(  # type: ignore[no-untyped-def]
    smtp, world, attempt_ends: str
) -> None:
    """Overtaken while its attempt was under way (the worker had claimed it; the server
    was slow or down), it goes only if that attempt succeeds: a failed attempt, or a worker
    that stopped, does not queue it again to be sent after the item closed."""
    _, first, _ = _written_procedure_with_two_items(world)
    about_first = [a for a in _outbox(ASKED) if a.about == f"agenda-item:{first.id}"]
    claimed = utcnow()
    for message in about_first:
        message.state, message.claimed_at = OutboxState.SENDING, claimed
    db.session.commit()
    ids = {a.id for a in about_first}

    board.withdraw_item(world.secretariat, first.id, "Papers missing")

    later = claimed + timedelta(hours=2)
    if attempt_ends == "failed":
        for outbox_id in ids:
            delivery._failed(outbox_id, "SMTPServerDisconnected", claimed)
    else:
        delivery.requeue_stale(later)
    deliver_due(now=later)
    db.session.expire_all()
    assert {db.session.get(OutboxMessage, i).state for i in ids} == {OutboxState.EXPIRED}
    withdrawn = first.proposal.display_code
    subjects = [str(r["Subject"]) for r in smtp.received]
    assert subjects and not [s for s in subjects if f"vote on {withdrawn} " in s], subjects


def test_a_meetings_correction_stops_its_items_messages_in_one_statement(smtp, world) -> None:  # type: ignore[no-untyped-def]
    m, _, _ = _written_procedure_with_two_items(world)
    item_under_review(world, m)
    assert m.deadline is not None
    updates: list[str] = []

    def _seen(conn, cursor, statement: str, *args) -> None:  # type: ignore[no-untyped-def]
        if re.match(r"\s*UPDATE outbox_messages\b", statement, re.I):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        board.correct_meeting(
            world.secretariat,
            m.id,
            board.Correction(
                number=m.number,
                held_on=m.held_on,
                place=m.place,
                chair_id=m.chair_id,
                deadline=(m.deadline + timedelta(days=3)).replace(second=0, microsecond=0),
            ),
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    # Those being sent are told their moment has passed; those waiting expire: two
    # statements for the three items, not two per item.
    assert len(updates) == 2
    asked = _outbox(ASKED)
    assert len({a.about for a in asked}) == 3
    assert {a.state for a in asked} == {OutboxState.EXPIRED}
