"""Sent e-mail is forgotten after PRB_MAIL_KEEP_DAYS; queued and dead messages never are."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, utcnow
from prb.services.mail import enqueue
from prb.services.mail.cleanup import forget_sent


def test_only_messages_sent_long_ago_are_forgotten(app, world) -> None:
    now = utcnow()
    states = {
        "old-sent": (OutboxState.SENT, now - timedelta(days=31)),
        "new-sent": (OutboxState.SENT, now - timedelta(days=29)),
        "old-dead": (OutboxState.DEAD, None),
        "old-queued": (OutboxState.QUEUED, None),
    }
    for subject, (state, sent_at) in states.items():
        message = enqueue(to="someone@example.org", kind="test", subject=subject, text=".")
        message.state, message.sent_at = state, sent_at
        message.created_at = now - timedelta(days=60)
    db.session.commit()
    assert forget_sent(now) == 1
    left = set(db.session.scalars(select(OutboxMessage.subject)))
    assert left == {"new-sent", "old-dead", "old-queued"}
    app.config["MAIL_KEEP_DAYS"] = 7
    assert forget_sent(now) == 1
    assert set(db.session.scalars(select(OutboxMessage.subject))) == {"old-dead", "old-queued"}
