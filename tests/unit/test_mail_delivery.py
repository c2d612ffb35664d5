"""Delivery by the worker to a real SMTP server (aiosmtpd): once, with text, HTML and an
attachment; waiting with back-off while the server is down; dead after the last attempt;
sent outside any transaction; on PostgreSQL two workers deliver 1,000 messages exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from prb.config import normalise_database_url
from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, utcnow
from prb.services.mail import Attachment, deliver_due, delivery, enqueue
from prb.services.mail.delivery import backoff, claim
from prb.services.transaction import committed
from tests.conftest import at_once

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _message(to: object = "someone@example.org", **extra: object) -> OutboxMessage:
    with committed():
        message = enqueue(
            to=to,  # type: ignore[arg-type]
            kind="test",
            subject=str(extra.pop("subject", "Written procedure open")),
            text=str(extra.pop("text", "Please vote by Friday.")),
            **extra,  # type: ignore[arg-type]
        )
    return message


def _state(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    found = db.session.get(OutboxMessage, message_id)
    assert found is not None
    return found


def test_delivered_once_with_text_html_attachment_and_its_message_id(smtp, world) -> None:  # type: ignore[no-untyped-def]
    message = _message(
        world.chair_a,
        html="<p>Please <b>vote</b> by Friday.</p>",
        attachments=[Attachment("meeting.ics", "text/calendar", ICS)],
    )
    stored_id, message_id = message.id, message.message_id
    assert message_id.startswith("<") and message_id.endswith("@office.example>")

    assert deliver_due() == 1
    assert deliver_due() == 0, "a sent message is not sent again"

    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert smtp.collector.recipients == [[world.chair_a.email]]
    assert mail["Message-ID"] == message_id
    assert mail["From"] == "PRB <prb@office.example>"
    assert world.chair_a.email in mail["To"] and world.chair_a.name in mail["To"]
    assert mail["Subject"] == "Written procedure open"
    assert mail.get_body(("plain",)).get_content().strip() == "Please vote by Friday."
    assert "<b>vote</b>" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "meeting.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True) == ICS
    sent = _state(stored_id)
    assert sent.state == OutboxState.SENT and sent.sent_at is not None and sent.attempts == 0


def test_sent_outside_any_transaction(smtp, app, database_url) -> None:  # type: ignore[no-untyped-def]
    """While the server receives the message, another connection already reads it as
    "sending": the claim was committed before the network was touched."""
    outbox_id = _message().id
    seen: list[str] = []
    other = create_engine(normalise_database_url(database_url))

    original = smtp.collector.handle_DATA

    async def looking(server, session, envelope):  # type: ignore[no-untyped-def]
        with other.connect() as conn:
            seen.append(
                conn.execute(
                    text("SELECT state FROM outbox_messages WHERE id = :id"), {"id": outbox_id}
                ).scalar_one()
            )
        return await original(server, session, envelope)

    smtp.collector.handle_DATA = looking  # type: ignore[method-assign]
    assert deliver_due() == 1
    other.dispose()
    assert seen == ["sending"]


def test_messages_wait_while_the_server_is_down_and_go_once_it_is_back(smtp) -> None:  # type: ignore[no-untyped-def]
    smtp.stop()
    ids = [_message(f"member{i}@example.org", subject=f"Item {i}").id for i in range(3)]
    start = utcnow()

    assert deliver_due(now=start) == 0
    for outbox_id in ids:
        waiting = _state(outbox_id)
        assert waiting.state == OutboxState.QUEUED and waiting.attempts == 1
        assert waiting.next_attempt_at == start + timedelta(minutes=1)
        assert waiting.last_error
    # Not due yet: no attempt is made.
    assert deliver_due(now=start + timedelta(seconds=30)) == 0
    assert _state(ids[0]).attempts == 1
    # Second failure: the wait doubles.
    second = start + timedelta(minutes=1)
    assert deliver_due(now=second) == 0
    assert {_state(i).attempts for i in ids} == {2}
    assert _state(ids[0]).next_attempt_at == second + timedelta(minutes=2)

    smtp.start()
    assert deliver_due(now=second + timedelta(minutes=1)) == 0, "still waiting its turn"
    assert deliver_due(now=second + timedelta(minutes=2)) == 3
    assert deliver_due(now=second + timedelta(hours=3)) == 0
    assert sorted(smtp.collector.by_message_id().values()) == [1, 1, 1]
    assert {_state(i).state for i in ids} == {OutboxState.SENT}


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert backoff(30) == timedelta(hours=2)


def test_dead_after_the_last_attempt(smtp, app) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp.stop()
    outbox_id = _message().id
    now = utcnow()
    for attempt in range(1, 4):
        assert deliver_due(now=now) == 0
        assert _state(outbox_id).attempts == attempt
        now += timedelta(hours=3)
    dead = _state(outbox_id)
    assert dead.state == OutboxState.DEAD and "Connection" in dead.last_error
    smtp.start()
    assert deliver_due(now=now + timedelta(days=1)) == 0, "a dead message waits for a retry"
    assert smtp.received == []


def test_a_message_the_server_refuses_for_good_is_dead_at_once_and_the_rest_go(smtp) -> None:  # type: ignore[no-untyped-def]
    """A 5xx reply to a recipient or to a message's content is permanent (RFC 5321): tried
    again for hours it gets the same answer. A 4xx waits and is tried again."""
    smtp.collector.refuse_recipient = {
        "left@example.org": "550 5.1.1 No such user here",
        "busy@example.org": "451 4.3.0 Try again later",
    }
    smtp.collector.refuse_content = {"small@example.org": "552 5.3.4 Message too big"}
    ids = {
        to: _message(to, subject=f"To {to}").id
        for to in ("left@example.org", "busy@example.org", "small@example.org", "ok@example.org")
    }
    now = utcnow()
    assert deliver_due(now=now) == 1
    for to in ("left@example.org", "small@example.org"):
        dead = _state(ids[to])
        assert (dead.state, dead.attempts) == (OutboxState.DEAD, 1), to
    assert "550" in _state(ids["left@example.org"]).last_error
    assert "552" in _state(ids["small@example.org"]).last_error
    waiting = _state(ids["busy@example.org"])
    assert (waiting.state, waiting.attempts) == (OutboxState.QUEUED, 1)
    assert "451" in waiting.last_error and waiting.next_attempt_at == now + timedelta(minutes=1)
    assert _state(ids["ok@example.org"]).state == OutboxState.SENT
    # The busy one goes once the server takes it; the dead ones wait for the administrator.
    smtp.collector.refuse_recipient = {}
    smtp.collector.refuse_content = {}
    assert deliver_due(now=now + timedelta(minutes=1)) == 1
    assert [m["To"] for m in smtp.received] == ["ok@example.org", "busy@example.org"]
    assert _state(ids["left@example.org"]).state == OutboxState.DEAD


def test_only_a_permanent_refusal_of_the_message_itself_is_for_good() -> None:
    """A refused sender is the office's own setting (every message would fail alike): it is
    tried again, as are 4xx replies."""
    from smtplib import SMTPRecipientsRefused, SMTPSenderRefused

    assert not delivery.refused_for_good(SMTPSenderRefused(550, b"not allowed", "prb@x"))
    assert not delivery.refused_for_good(SMTPRecipientsRefused({}))
    assert delivery.refused_for_good(SMTPRecipientsRefused({"a@x": (550, b"no")}))
    assert not delivery.refused_for_good(SMTPRecipientsRefused({"a@x": (450, b"busy")}))


def test_a_message_left_sending_by_a_stopped_worker_goes_again_with_its_message_id(smtp) -> None:  # type: ignore[no-untyped-def]
    message = _message()
    now = utcnow()
    assert claim(now, 10) == [message.id]  # … and the worker stops before sending
    assert deliver_due(now=now + timedelta(minutes=30)) == 0, "not yet taken from the worker"
    assert deliver_due(now=now + timedelta(hours=1, minutes=1)) == 1
    assert [m["Message-ID"] for m in smtp.received] == [message.message_id]


def test_two_workers_deliver_a_thousand_messages_exactly_once(  # type: ignore[no-untyped-def]
    smtp, app, backend, monkeypatch
) -> None:
    if backend != "postgresql":
        pytest.skip("several workers: PostgreSQL (SQLite runs one worker)")
    take = delivery._take

    def slow_take(candidates, now):  # type: ignore[no-untyped-def]
        # Widen the gap between reading the due rows and taking them, so that the other
        # worker reads within it: without the row locks both would take the same rows.
        time.sleep(0.01)
        return take(candidates, now)

    monkeypatch.setattr(delivery, "_take", slow_take)
    with committed():
        for i in range(1000):
            enqueue(to=f"member{i}@example.org", kind="test", subject=f"No. {i}", text="x")

    def worker() -> str:
        total = 0
        while sent := deliver_due(limit=20):
            total += sent
        return str(total)

    results = at_once(app, [worker, worker])
    assert sum(int(r) for r in results) == 1000, results
    counts = smtp.collector.by_message_id()
    assert len(counts) == 1000 and set(counts.values()) == {1}
    sent = db.session.scalar(select(func.count()).where(OutboxMessage.state == OutboxState.SENT))
    assert sent == 1000
