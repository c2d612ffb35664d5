"""Forgetting sent e-mail: a message the server accepted is kept `PRB_MAIL_KEEP_DAYS` (30)
for whoever asks "was it sent?", then deleted by the worker; so is one it let expire, that
long after its moment (nothing is left to do with it). Queued and dead messages are never
deleted here: they are still someone's business."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_

from prb.extensions import db
from prb.models import OutboxMessage, OutboxState, utcnow
from prb.services.transaction import committed

DEFAULT_KEEP_DAYS = 30


def forget_sent(now: datetime | None = None) -> int:
    """Delete messages sent, or expired, more than the kept days ago; returns how many."""
    now = now or utcnow()
    days = int(current_app.config.get("MAIL_KEEP_DAYS", DEFAULT_KEEP_DAYS))
    before = now - timedelta(days=days)
    with committed():
        result = db.session.execute(
            delete(OutboxMessage)
            .where(
                or_(
                    (OutboxMessage.state == OutboxState.SENT) & (OutboxMessage.sent_at < before),
                    (OutboxMessage.state == OutboxState.EXPIRED)
                    & (OutboxMessage.send_before < before),
                )
            )
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
