"""The worker's side of the outbox: claim due messages, send them outside any transaction,
record the outcome of each.

Claiming is safe with several workers. On PostgreSQL the due rows are read with
`FOR UPDATE SKIP LOCKED` (another worker skips them rather than waiting); on both databases
the claim is an `UPDATE … WHERE state = 'queued'` whose result names the rows this worker
won, so a row is never claimed twice.

Guarantee: at least once. A worker that stops between sending and recording leaves its
message "sending"; after `STALE_AFTER` it is queued again and sent once more, with the same
Message-ID (so at most one duplicate per crash, recognisable as such).

A message with a `send_before` still queued at that moment (the worker or the server was
away) is not sent but marked expired: a request to vote that arrives after voting closed
misleads whoever reads it."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import undefer

from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, utcnow
from prb.services.mail.outbox import ERROR_LIMIT, compose, sender
from prb.services.mail.transport import opened
from prb.services.transaction import committed, locked

log = logging.getLogger(__name__)

# Longer than any batch can take (50 messages × the SMTP timeout), so a slow worker's
# messages are never taken from it while it is still sending them.
STALE_AFTER = timedelta(hours=1)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)
SEND_ERRORS = (OSError, smtplib.SMTPException)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4, 8 … minutes, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def max_attempts() -> int:
    return int(current_app.config["MAIL_MAX_ATTEMPTS"])


def deliver_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send up to `limit` due messages; the number sent."""
    now = now or utcnow()
    requeue_stale(now)
    expire_late(now)
    ids = claim(now, limit)
    if not ids:
        return 0
    from_ = sender()
    outgoing: list[tuple[int, EmailMessage | None, str]] = []
    for message in db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
        .options(
            undefer(OutboxMessage.text_body),
            undefer(OutboxMessage.html_body),
            undefer(OutboxMessage.attachments),
        )
    ).unique():
        try:
            outgoing.append((message.id, compose(message, from_), ""))
        except (ValueError, TypeError, KeyError) as exc:  # a message that cannot be built
            outgoing.append((message.id, None, _describe(exc)))
    # End the read before talking to the server: no transaction (nor SQLite lock) is held
    # while the network is slow.
    db.session.rollback()
    sent = 0
    pending = list(outgoing)
    try:
        with opened() as transport:
            while pending:
                outbox_id, mime, error = pending.pop(0)
                if mime is None:
                    _failed(outbox_id, error, now, permanent=True)
                    continue
                try:
                    transport.send(outbox_id, mime)
                except SEND_ERRORS as exc:
                    _failed(outbox_id, _describe(exc), now, permanent=refused_for_good(exc))
                    continue
                _sent(outbox_id)
                sent += 1
    except SEND_ERRORS as exc:
        # The server could not be reached (or dropped us): the rest of the batch waits.
        reason = _describe(exc)
        log.warning("mail server unavailable: %s", reason)
        for outbox_id, _, _ in pending:
            _failed(outbox_id, reason, now)
    return sent


def refused_for_good(exc: BaseException) -> bool:
    """The server refused this one message with a permanent (5xx) reply: its recipient
    (550 no such mailbox) or its content (552 too large, 554 rejected). Sent again it gets
    the same answer, so it is dead at once, for the administrator to see, rather than tried
    for hours. A 4xx is a "try later", and a refused sender or sign-in is the office's own
    setting (every message would fail alike): those wait and retry as when the server is
    unreachable."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = exc.recipients.values()
        return bool(replies) and all(500 <= int(code) < 600 for code, _ in replies)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= int(exc.smtp_code) < 600
    return False


def claim(now: datetime, limit: int) -> list[int]:
    """The ids of up to `limit` due messages, now "sending" and this worker's."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.next_attempt_at <= now,
            still_worth_sending(now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        with committed():
            candidates = db.session.scalars(due.with_for_update(skip_locked=True)).all()
            won = _take(candidates, now)
        return won
    candidates = db.session.scalars(due).all()
    db.session.rollback()  # end the read: the claim is its own short write
    with committed():
        return _take(candidates, now)


def still_worth_sending(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxMessage.send_before.is_(None), OutboxMessage.send_before > now)


def expire_late(now: datetime | None = None) -> int:
    """Queued messages whose moment has passed are marked expired, never to be sent; the
    number. Also those waiting for another attempt: their next one would come too late."""
    now = now or utcnow()
    with committed():
        expired = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.QUEUED, ~still_worth_sending(now))
            .values(state=OutboxState.EXPIRED)
            .returning(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.send_before)
            .execution_options(synchronize_session=False)
        ).all()
    for outbox_id, kind, until in expired:
        log.warning(
            "message %s (%s) expired unsent: worth sending only until %s", outbox_id, kind, until
        )
    return len(expired)


def _take(candidates: list[int] | tuple[int, ...], now: datetime) -> list[int]:
    """Move the candidates still queued to "sending"; the ids this worker won."""
    if not candidates:
        return []
    taken = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.SENDING, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(taken)


def _sent(outbox_id: int) -> None:
    with committed():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.state == OutboxState.SENDING)
            .values(state=OutboxState.SENT, sent_at=utcnow(), last_error="")
            .execution_options(synchronize_session=False)
        )


def _failed(outbox_id: int, error: str, now: datetime, *, permanent: bool = False) -> None:
    """One more failed attempt: wait longer, or give up after the last attempt allowed."""
    with committed():
        message = locked(OutboxMessage, outbox_id, "message")
        if message.state != OutboxState.SENDING:
            return
        message.attempts += 1
        message.last_error = error[:ERROR_LIMIT]
        if permanent or message.attempts >= max_attempts():
            message.state = OutboxState.DEAD
            log.error("message %s dead after %s attempts: %s", outbox_id, message.attempts, error)
        else:
            message.state = OutboxState.QUEUED
            message.next_attempt_at = now + backoff(message.attempts)


def requeue_stale(now: datetime | None = None) -> int:
    """Messages left "sending" by a worker that stopped are queued again (see module doc)."""
    now = now or utcnow()
    with committed():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.state == OutboxState.SENDING,
                OutboxMessage.claimed_at < now - STALE_AFTER,
            )
            .values(
                state=OutboxState.QUEUED,
                next_attempt_at=now,
                last_error="The worker stopped while sending; sent again with the same Message-ID.",
            )
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
