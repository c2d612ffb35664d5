"""Notifications by e-mail through a real SMTP server (aiosmtpd): each event of a Board
meeting reaches the people it concerns and no one else, as each chose (at once, in a daily
digest, or not by e-mail); every message carries a signed one-click way to stop its kind,
which only a POST uses; a change rolled back sends nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Notification, NotificationPreference, OutboxMessage, utcnow
from prb.services import board, finance, lifecycle, minutes
from prb.services.mail import deliver_due
from prb.services.notifications import Event, inbox, mailing, scheduled
from prb.services.notifications.notify import notify
from prb.services.transaction import committed
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.mail_helpers import SmtpServer
from tests.web.test_minutes import decided_meeting
from workflows import ProposalState as S
from workflows import VoteChoice

FINANCE = {"finance@prb.example", "chair.finance@prb.example"}
CHAIR_A = {"chair.a@prb.example"}
VOTERS = {"board.chair@prb.example", "board.undp@prb.example"}


def delivered(smtp: SmtpServer) -> dict[str, set[str]]:
    """subject → recipients, of everything the SMTP server received."""
    while deliver_due():
        pass
    found: dict[str, set[str]] = defaultdict(set)
    for message, rcpts in zip(smtp.received, smtp.collector.recipients, strict=True):
        found[str(message["Subject"])].update(rcpts)
    return dict(found)


def with_words(mail: dict[str, set[str]], *words: str) -> set[str]:
    return set().union(*(r for s, r in mail.items() if all(w in s for w in words)))


def test_a_meeting_e_mails_each_whom_it_concerns(smtp, world) -> None:
    decided_meeting(world)
    mail = delivered(smtp)
    # The whole meeting happened before the worker ran: its invitations were overtaken
    # (every item closed) and not sent (tests/unit/test_outbox_overtaken.py).
    assert with_words(mail, "is on the agenda") == set()
    overtaken = db.session.scalars(
        select(OutboxMessage.to_address).where(
            OutboxMessage.kind == str(Event.ON_AGENDA), OutboxMessage.state == "expired"
        )
    ).all()
    assert set(overtaken) == VOTERS
    assert with_words(mail, "Biometrics Compendium", "decision") == CHAIR_A
    assert with_words(mail, "its commitment is due") == FINANCE
    assert with_words(mail, "extension is requested") == FINANCE
    assert with_words(mail, "extension", "was approved") == FINANCE | CHAIR_A
    # exactly the people the notifications went to, each message once
    notes = db.session.scalar(select(func.count(Notification.id)))
    assert len(smtp.received) + len(overtaken) == notes
    assert len({str(m["Message-ID"]) for m in smtp.received}) == len(smtp.received)


def test_an_invitation_goes_to_the_members_while_its_item_is_open(smtp, world) -> None:  # type: ignore[no-untyped-def]
    item_under_review(world, meeting(world))
    assert with_words(delivered(smtp), "is on the agenda") == VOTERS


def test_the_message_is_plain_text_with_html_and_absolute_links(smtp, world) -> None:
    decided_meeting(world)
    delivered(smtp)
    message = next(m for m in smtp.received if "its commitment is due" in str(m["Subject"]))
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Open it in PRB: https://prb.office.example/proposals/" in text
    assert 'href="https://prb.office.example/proposals/' in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://prb.office.example/unsubscribe/")


def test_one_click_stops_a_kind_and_only_a_post_does(smtp, app, world) -> None:
    decided_meeting(world)
    delivered(smtp)
    message = next(
        m
        for m in smtp.received
        if "its commitment is due" in str(m["Subject"]) and "finance@prb.example" in str(m["To"])
    )
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    client = app.test_client()  # no session, no CSRF token: a mail client
    page = client.get(path)
    assert page.status_code == 200 and "Stop these e-mails?" in page.text
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Done" in done.text
    assert inbox.preferences(world.finance)[Event.PROJECT_APPROVED] == "app"
    assert inbox.preferences(world.finance)[Event.EXTENSION_REQUESTED] == "email"
    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert client.post(forged).status_code == 404


def test_who_chose_in_prb_only_or_the_digest_gets_no_e_mail_at_once(smtp, world) -> None:
    inbox.set_preferences(world.chair_a, {str(Event.DECIDED): "app"})
    inbox.set_preferences(world.finance, {str(Event.PROJECT_APPROVED): "digest"})
    decided_meeting(world)
    mail = delivered(smtp)
    assert with_words(mail, "Biometrics Compendium", "decision") == set()
    assert with_words(mail, "its commitment is due") == {"chair.finance@prb.example"}
    # still listed in PRB
    assert any("decision" in n.subject for n in inbox.page(world.chair_a).notifications)
    # the digest: after the digest hour, for what was written before it, once
    tomorrow = utcnow() + timedelta(days=1)
    morning = datetime.combine(tomorrow.date(), datetime.min.time(), tomorrow.tzinfo)
    assert mailing.send_digests(morning + timedelta(hours=5)) == 0  # before 06:00 UTC
    assert mailing.send_digests(morning + timedelta(hours=7)) == 1
    assert mailing.send_digests(morning + timedelta(hours=8)) == 0
    digest = delivered(smtp)
    (subject,) = [s for s in digest if s.startswith("PRB: ")]
    assert digest[subject] == {"finance@prb.example"}
    body = smtp.received[-1].get_body(("plain",)).get_content()
    assert "its commitment is due" in body


def test_a_change_rolled_back_sends_nothing(smtp, world) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), committed():
        notify(Event.DECIDED, [world.chair_a], subject="Never", body="", link="/")
        raise Boom
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert delivered(smtp) == {}


def _calendar(message) -> Calendar:  # type: ignore[no-untyped-def]
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def test_invitations_carry_the_meeting_updated_and_then_cancelled(smtp, world) -> None:
    m = meeting(world, number="PRB/2018/07")
    item_under_review(world, m)
    mail = delivered(smtp)
    assert with_words(mail, "PRB/2018/07", "is on the agenda") == VOTERS
    invite = _calendar(smtp.received[-1])
    assert invite["METHOD"] == "REQUEST"
    (event,) = invite.walk("VEVENT")
    uid = str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    # an invitation (iTIP REQUEST) names its organizer, PRB's sender, and the members
    sender_name, sender_address = parseaddr(current_app.config["MAIL_SENDER"])
    assert str(event["ORGANIZER"]) == f"mailto:{sender_address}"
    assert event["ORGANIZER"].params["CN"] == sender_name
    invited = {str(a).removeprefix("mailto:") for a in event["ATTENDEE"]}
    assert invited == {m.email for m in board.board_members(on=m.held_on)} >= VOTERS
    board.correct_meeting(
        world.secretariat,
        m.id,
        board.Correction("PRB/2018/07", m.held_on, "Geneva", world.board_chair.id),
    )
    mail = delivered(smtp)
    assert with_words(mail, "PRB/2018/07 was corrected") == VOTERS
    update = _calendar(smtp.received[-1])
    (event,) = update.walk("VEVENT")
    assert update["METHOD"] == "REQUEST" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Geneva"
    board.cancel_meeting(world.secretariat, m.id, "The quorum cannot be met.")
    mail = delivered(smtp)
    assert with_words(mail, "PRB/2018/07 was cancelled") == VOTERS
    cancel = _calendar(smtp.received[-1])
    (event,) = cancel.walk("VEVENT")
    assert cancel["METHOD"] == "CANCEL" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    # someone never invited (a member without a seat) hears of neither
    assert "chair.board@prb.example" not in with_words(mail, "PRB/2018/07")


def test_the_other_events_reach_their_people_by_e_mail(smtp, world) -> None:
    """Submission, review, a request for revision, minutes, a disbursement and a project's
    end, through the SMTP server: each to its audience and no one else."""
    p = factories.proposal(world)
    lifecycle.fire(world.chair_a, p.id, "submit")
    lifecycle.fire(world.secretariat, p.id, "start_review")
    m = meeting(world, number="PRB/2018/08")
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, VoteChoice.REQUEST_REVISION)
    board.close_item(world.secretariat, item.id)
    record = minutes.finalise(world.secretariat, m.id)
    project = factories.project(world, status=S.INITIATED, group=world.group_b)
    project.current_end = utcnow().date() + timedelta(days=20)
    db.session.commit()
    finance.record_entry(
        world.finance, project.id, finance.EntryInput("commitment", Decimal("900.00"), date.today())
    )
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("disbursement", Decimal("300.00"), date.today()),
    )
    scheduled.notify_due()
    mail = delivered(smtp)
    group_b_chairs = {"chair.b@prb.example", "chair.board@prb.example", "chair.finance@prb.example"}
    assert with_words(mail, "was submitted by") == {"secretariat@prb.example"}
    assert with_words(mail, "review has begun") == CHAIR_A
    assert with_words(mail, "asks for a revision") == CHAIR_A
    assert f"{record.meeting.number}: minutes finalised" in mail  # not "Minutes of the minutes"
    assert with_words(mail, ": minutes finalised") == {
        "board.chair@prb.example",
        "board.cted@prb.example",
        "board.undp@prb.example",
        "secretariat@prb.example",
    }
    finalised = next(m for m in smtp.received if "minutes finalised" in str(m["Subject"]))
    assert record.sha256 in finalised.get_body(("plain",)).get_content()
    assert with_words(mail, "disbursed") == group_b_chairs
    assert with_words(mail, "ends in 30 days") == group_b_chairs | FINANCE


def test_a_meeting_entered_after_it_took_place_invites_nobody(smtp, world) -> None:
    # Found in the browser: members got "is on the agenda" with a calendar REQUEST for a
    # past date, and the meeting sat under their open meetings with no vote to cast.
    from tests.unit.test_board_data import on_agenda, past_meeting

    m = past_meeting(world, held_on=utcnow().date() - timedelta(days=3), number="PRB/2018/07")
    on_agenda(world, m)
    board.cancel_meeting(world.secretariat, m.id, "Entered twice")
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    # a live meeting still invites
    item_under_review(world, meeting(world, number="PRB/2018/08"))
    assert with_words(delivered(smtp), "is on the agenda") == VOTERS
