"""Messages the worker gave up on (and those still waiting, and those it let expire unsent),
for the administrator: who, what kind, subject, attempts and the last error — never a body,
which may hold a one-time link. A retry queues a dead message again, audited; an expired one
is not retried (sent now, it would mislead)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, User, utcnow
from prb.services import audit, calendar
from prb.services.access import require_administrator
from prb.services.errors import Conflict
from prb.services.transaction import committed, locked
from workflows import Role

SHOWN = 200


@dataclass(frozen=True)
class Overview:
    dead: Sequence[OutboxMessage]
    waiting: Sequence[OutboxMessage]
    waiting_count: int
    expired: Sequence[OutboxMessage]


def overview(actor: User) -> Overview:
    """Dead messages, newest first, those queued again after a failure, soonest first, and
    those expired unsent, newest first. The bodies are deferred columns: this never loads
    them."""
    require_administrator(actor, action="see the outbox")
    dead = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.DEAD)
        .order_by(OutboxMessage.id.desc())
        .limit(SHOWN)
    ).all()
    retried = (OutboxMessage.state == OutboxState.QUEUED) & (OutboxMessage.attempts > 0)
    waiting = db.session.scalars(
        select(OutboxMessage)
        .where(retried)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(SHOWN)
    ).all()
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(retried))
    expired = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.EXPIRED)
        .order_by(OutboxMessage.id.desc())
        .limit(SHOWN)
    ).all()
    return Overview(dead=dead, waiting=waiting, waiting_count=int(count or 0), expired=expired)


def retry(actor: User, message_id: int) -> OutboxMessage:
    """Queue a dead message again, due at once, with a fresh count of attempts."""
    require_administrator(actor, action="retry a message")
    with committed():
        message = locked(OutboxMessage, message_id, "message")
        if message.state != OutboxState.DEAD:
            raise Conflict("Only a message the worker gave up on can be retried.")
        if message.send_before is not None and message.send_before <= utcnow():
            raise Conflict(
                "This message was worth sending only until "
                f"{calendar.utc_time(message.send_before)}: sent now, it would mislead."
            )
        before = {"state": message.state, "attempts": message.attempts}
        message.state = OutboxState.QUEUED
        message.attempts = 0
        message.next_attempt_at = utcnow()
        audit.record_change(
            "outbox_message_retried",
            actor=actor,
            role=Role.ADMINISTRATOR,
            subject="outbox_message",
            subject_id=message.id,
            before=before,
            after={"state": message.state, "attempts": 0},
            # The subject and address only: the body may hold a one-time link.
            comment=f"{message.kind} to {message.to_address}: {message.subject}",
        )
    return message
