"""Notifications written in the transaction of the change that causes them (issue 14 §1,
§3): each event of a Board year reaches its audience and no one else, a change rolled back
tells no one, and the worker's scheduled notices (a written procedure's deadline, a
project's end) are written once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import Notification, utcnow
from prb.services import board, finance, lifecycle, minutes
from prb.services.errors import Conflict
from prb.services.notifications import Event, scheduled
from prb.services.notifications.notify import notify
from prb.services.transaction import committed
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.web.test_minutes import decided_meeting
from workflows import ProposalState as S


def told(event: Event | None = None) -> dict[str, set[str]]:
    """subject → who was told (e-mail addresses), for one kind of event or all."""
    db.session.expire_all()
    found: dict[str, set[str]] = defaultdict(set)
    query = select(Notification)
    if event is not None:
        query = query.where(Notification.event == str(event))
    for n in db.session.scalars(query):
        from prb.models import User

        found[n.subject].add(db.session.get(User, n.user_id).email)
    return dict(found)


def everyone_told(event: Event) -> set[str]:
    return set().union(*told(event).values()) if told(event) else set()


GROUP_A_CHAIRS = {"chair.a@prb.example"}
FINANCE = {"finance@prb.example", "chair.finance@prb.example"}
VOTERS = {"board.chair@prb.example", "board.undp@prb.example"}  # board_cted is recused


def test_a_submission_tells_the_secretariat(world) -> None:
    p = factories.proposal(world)
    lifecycle.fire(world.chair_a, p.id, "submit")
    assert everyone_told(Event.PROPOSAL_SUBMITTED) == {"secretariat@prb.example"}
    lifecycle.fire(world.secretariat, p.id, "start_review")
    assert everyone_told(Event.REVIEW_STARTED) == GROUP_A_CHAIRS
    (subject,) = told(Event.REVIEW_STARTED)
    assert "Compendium of good practices" in subject


def test_a_refused_transition_tells_no_one(world) -> None:
    p = factories.proposal(world, status=S.SUBMITTED)
    with pytest.raises(Exception):  # noqa: B017 - any refusal: a chair may not start a review
        lifecycle.fire(world.chair_a, p.id, "start_review")
    assert told() == {}


def test_a_change_rolled_back_tells_no_one(world) -> None:
    with pytest.raises(Conflict), committed():
        notify(Event.DECIDED, [world.chair_a], subject="x", body="", link="/")
        raise Conflict("something else went wrong")
    assert told() == {}


def test_a_board_meeting_tells_each_whom_it_concerns(world) -> None:
    decided_meeting(world)  # an approval, an extension approved, a deferral
    assert everyone_told(Event.ON_AGENDA) == VOTERS
    assert len(told(Event.ON_AGENDA)) == 3  # three items
    assert everyone_told(Event.DECIDED) == GROUP_A_CHAIRS
    assert everyone_told(Event.PROJECT_APPROVED) == FINANCE
    (approved,) = told(Event.PROJECT_APPROVED)
    assert "Biometrics Compendium" in approved
    assert everyone_told(Event.EXTENSION_REQUESTED) == FINANCE
    assert everyone_told(Event.EXTENSION_DECIDED) == FINANCE | GROUP_A_CHAIRS
    (extension,) = told(Event.EXTENSION_DECIDED)
    assert "was approved" in extension
    # the item deferred (no quorum) is told to its chairs, with why
    assert everyone_told(Event.DEFERRED) == GROUP_A_CHAIRS
    (deferred,) = db.session.scalars(
        select(Notification).where(Notification.event == str(Event.DEFERRED))
    ).all()
    assert "deferred it to a later meeting" in deferred.subject
    assert "stays under review" in deferred.body
    # nothing about a vote before the item closed, nor to anyone else
    assert not told(Event.SENT_BACK) and not told(Event.MINUTES_FINALISED)


def test_a_deferral_by_the_board_tells_the_chairs_why(world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    board.defer_item(world.secretariat, item.id, "The Board awaits the revised budget")
    (notice,) = db.session.scalars(
        select(Notification).where(Notification.event == str(Event.DEFERRED))
    ).all()
    assert everyone_told(Event.DEFERRED) == GROUP_A_CHAIRS
    assert "The Board awaits the revised budget" in notice.body
    assert notice.link == f"/proposals/{item.proposal_id}"


def test_finalised_minutes_tell_the_members_and_the_secretariat_with_the_hash(world) -> None:
    m = decided_meeting(world)
    record = minutes.finalise(world.secretariat, m.id)
    assert everyone_told(Event.MINUTES_FINALISED) == {
        "board.chair@prb.example",
        "board.cted@prb.example",
        "board.undp@prb.example",
        "secretariat@prb.example",
    }
    note = db.session.scalars(
        select(Notification).where(Notification.event == str(Event.MINUTES_FINALISED))
    ).first()
    assert note is not None and record.sha256 in note.body


def test_a_disbursement_tells_the_groups_chairs(world) -> None:
    project = factories.project(world, status=S.INITIATED, group=world.group_b)
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 1, 1)),
    )
    assert told(Event.DISBURSEMENT_RECORDED) == {}
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("disbursement", Decimal("400.00"), date(2018, 2, 1)),
    )
    assert everyone_told(Event.DISBURSEMENT_RECORDED) == {
        "chair.b@prb.example",
        "chair.board@prb.example",
        "chair.finance@prb.example",
    }


def test_the_reminder_goes_48_hours_ahead_to_those_who_have_not_voted_once(world) -> None:
    m = meeting(world, written=True, number="PRB/2018/05")  # deadline in 7 days
    item = item_under_review(world, m)
    board.cast_vote(world.board_chair, item.id, "approve")
    assert m.deadline is not None
    assert scheduled.notify_due(m.deadline - timedelta(hours=49)) == 0
    assert scheduled.notify_due(m.deadline - timedelta(hours=47)) == 1
    assert everyone_told(Event.DEADLINE_NEAR) == {"board.undp@prb.example"}
    assert scheduled.notify_due(m.deadline - timedelta(hours=1)) == 0  # once
    assert everyone_told(Event.WRITTEN_PROCEDURE_OPENED) == VOTERS


@pytest.mark.parametrize(
    ("days_left", "notice"), [(61, None), (60, 60), (45, 60), (30, 30), (3, 30), (-1, None)]
)
def test_a_projects_end_is_announced_60_and_30_days_ahead(world, days_left, notice) -> None:
    today = utcnow().date()
    project = factories.project(
        world, status=S.ONGOING, group=world.group_b, code="UNCCT-2017-73-x"
    )
    project.current_end = today + timedelta(days=days_left)
    db.session.commit()
    now = datetime.combine(today, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    written = scheduled.notify_due(now)
    subjects = told(Event.PROJECT_ENDING)
    if notice is None:
        assert written == 0 and subjects == {}
        return
    (subject,) = subjects
    assert f"ends in {notice} days" in subject
    assert subjects[subject] == FINANCE | {"chair.b@prb.example", "chair.board@prb.example"}
    assert scheduled.notify_due(now) == 0  # once


def test_the_worker_looks_at_every_project_again_only_once_the_day_or_the_records_change(
    world, monkeypatch
) -> None:
    """A look for projects' ends and overdue reports reads every running project (~13 s at
    100,000 proposals); the worker looks once a minute, but again only when the day or the
    records have changed since its last look, and a failed look is tried again."""
    from prb.services.jobs import queue

    today = utcnow().date()
    project = factories.project(
        world, status=S.ONGOING, group=world.group_b, code="UNCCT-2017-73-x"
    )
    project.current_end = today + timedelta(days=90)
    db.session.commit()
    looked = queue._notify_due(None)
    assert looked is not None and told(Event.PROJECT_ENDING) == {}

    looks: list[bool] = []  # each look's by_day
    real = scheduled.notify_due

    def spy(now: datetime, *, by_day: bool) -> int:
        looks.append(by_day)
        return real(now, by_day=by_day)

    monkeypatch.setattr(scheduled, "notify_due", spy)
    # The same day, the same records: only the written procedures' reminders are looked for.
    assert queue._notify_due(looked) == looked and looks == [False]
    # The project's end is moved nearer (a record changed): the next look finds it.
    project.current_end = today + timedelta(days=30)
    db.session.commit()
    looked = queue._notify_due(looked)
    assert looks == [False, True]
    (subject,) = told(Event.PROJECT_ENDING)
    assert "ends in 30 days" in subject
    # The next day, nothing changed: looked at again (these notices fall due by the day).
    monkeypatch.setattr(queue, "utcnow", lambda: utcnow() + timedelta(days=1))
    looked = queue._notify_due(looked)
    assert looks == [False, True, True]
    # A look that fails is not counted as done: the next one looks again.

    def broken(now: datetime, *, by_day: bool) -> int:
        looks.append(by_day)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(scheduled, "notify_due", broken)
    project.current_end = today + timedelta(days=29)
    db.session.commit()
    assert queue._notify_due(looked) == looked
    monkeypatch.setattr(scheduled, "notify_due", spy)
    queue._notify_due(looked)
    assert looks == [False, True, True, True, True]


def test_a_long_catch_up_is_written_in_batches_and_a_stopped_pass_is_finished_by_the_next(
    world, monkeypatch
) -> None:
    """After an import of many running projects the worker's first pass has much to write:
    it commits a batch at a time (the database is never held for the whole pass), and what
    a failed batch did not write, the next pass does."""
    from sqlalchemy import event

    today = utcnow().date()
    for number in range(5):
        project = factories.project(
            world, status=S.ONGOING, group=world.group_b, code=f"UNCCT-2017-73-{number}"
        )
        project.current_end = today + timedelta(days=20)
    db.session.commit()
    now = datetime.combine(today, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    monkeypatch.setattr(scheduled, "BATCH", 2)
    announce = scheduled.events.project_ending
    calls: list[int] = []

    def failing_on_the_fourth(project, days):  # type: ignore[no-untyped-def]
        calls.append(project.id)
        if len(calls) == 4:
            raise RuntimeError("the worker stopped")
        return announce(project, days)

    monkeypatch.setattr(scheduled.events, "project_ending", failing_on_the_fourth)
    commits: list[int] = []

    def counted(session) -> None:  # type: ignore[no-untyped-def]
        commits.append(1)

    event.listen(db.session, "after_commit", counted)
    try:
        with pytest.raises(RuntimeError):
            scheduled.notify_due(now)
    finally:
        event.remove(db.session, "after_commit", counted)
    # The first batch (two projects) was committed before the failure in the second.
    assert len(told(Event.PROJECT_ENDING)) == 2
    assert len(commits) >= 2
    monkeypatch.setattr(scheduled.events, "project_ending", announce)
    assert scheduled.notify_due(now) > 0
    assert len(told(Event.PROJECT_ENDING)) == 5
    assert scheduled.notify_due(now) == 0  # each once
