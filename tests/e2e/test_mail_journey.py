"""Issue 14: a board member receives the written procedure's e-mail (through a real SMTP
server), follows its link, signs in and votes in the browser; 48 hours before the deadline
the reminder goes only to the members who have not voted."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Notification, User, utcnow
from prb.services import board
from prb.services.mail import deliver_due
from prb.services.notifications import Event, scheduled
from prb.services.notifications.audience import item_audience
from tests.e2e.conftest import PASSWORD, flash
from tests.mail_helpers import SmtpServer
from workflows import MeetingKind, Role


def _deliver(live) -> None:  # type: ignore[no-untyped-def]
    with live.app.app_context():
        while deliver_due():
            pass
        db.session.remove()


def _received(smtp: SmtpServer, words: str) -> dict[str, str]:
    """recipient → plain text, of the messages whose subject has `words`."""
    found = {}
    for message in smtp.received:
        if words in str(message["Subject"]):
            found[message["To"].addresses[0].addr_spec] = message.get_body(("plain",)).get_content()
    return found


def test_a_member_follows_the_e_mail_votes_and_only_the_others_are_reminded(live, new_page):
    smtp = SmtpServer()
    smtp.start()
    try:
        smtp.configure(live.app)
        live.app.config.update(BASE_URL=live.url)
        with live.app.app_context():
            secretariat = db.session.scalars(select_role(Role.SECRETARIAT)).first()
            proposal = _under_review(secretariat)
            procedure = board.schedule_meeting(
                secretariat,
                board.MeetingInput(
                    number=board.suggested_number(),
                    kind=MeetingKind.WRITTEN_PROCEDURE,
                    held_on=utcnow().date(),
                    deadline=utcnow() + timedelta(hours=40),
                ),
            )
            item = board.add_to_agenda(secretariat, procedure.id, proposal.id)
            voters = {u.email for u in item_audience(Event.WRITTEN_PROCEDURE_OPENED, item)}
            number = procedure.number
            db.session.remove()
        assert len(voters) >= 2
        _deliver(live)
        opened = _received(smtp, f"Written procedure {number}: vote on")
        assert set(opened) == voters  # the members who vote on it, and no one else
        member_email = sorted(voters)[0]
        (link,) = re.findall(rf"{re.escape(live.url)}/board/meetings/\d+", opened[member_email])

        page = new_page()
        page.goto(link)  # not signed in: the sign-in page, then back to the link
        page.get_by_label("E-mail").fill(member_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(link)
        page.get_by_label("Approve").first.check()
        page.get_by_role("button", name="Cast my vote").first.click()
        assert "Your vote is recorded: Approve." in flash(page)

        with live.app.app_context():
            before = _reminders()
            scheduled.notify_due()  # (the demo's overdue progress reports are noticed too)
            written = _reminders() - before
            db.session.remove()
        assert written == len(voters) - 1
        _deliver(live)
        reminded = _received(smtp, f"Written procedure {number}: your vote on")
        assert set(reminded) == voters - {member_email}
    finally:
        smtp.stop()


def _under_review(secretariat):  # type: ignore[no-untyped-def]
    """A proposal under review and on no agenda: the demo's, or a submitted one the
    secretariat takes into review."""
    from sqlalchemy import select

    from prb.models import Proposal
    from prb.services import lifecycle
    from workflows import ProposalState

    waiting = board.schedulable_proposals()
    if waiting:
        return waiting[0]
    submitted = db.session.scalars(
        select(Proposal).where(Proposal.status == ProposalState.SUBMITTED).order_by(Proposal.id)
    ).first()
    assert submitted is not None, "the demo has no proposal to put to the Board"
    return lifecycle.fire(secretariat, submitted.id, "start_review")


def select_role(role: Role):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from prb.models import UserRole

    return select(User).where(
        User.active.is_(True),
        User.id.in_(select(UserRole.user_id).where(UserRole.role == str(role))),
    )


def _reminders() -> int:
    """Notices that a written procedure's deadline is near, written so far."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.event == str(Event.DEADLINE_NEAR))
    )
