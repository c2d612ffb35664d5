"""PRB itself closing the items of written procedures whose deadline has passed: run by the
worker on each round, or by `prb board close-due` from cron; never by a page (no write on a
GET)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Meeting, utcnow
from prb.services.board.decisions import close
from prb.services.errors import Conflict, Invalid
from workflows import ItemState


def close_due(now: datetime | None = None) -> int:
    """Close every open item of a written procedure whose deadline has passed. Each item in
    its own transaction; items being closed by someone else right now are skipped."""
    now = now or utcnow()
    due = list(
        db.session.execute(
            select(AgendaItem.id, AgendaItem.meeting_id)
            .join(Meeting)
            .where(
                AgendaItem.status == ItemState.OPEN,
                Meeting.deadline <= now,
                # A procedure entered after the fact closed long ago: the secretariat closes
                # its items once the record is in.
                Meeting.recorded_after.is_(False),
            )
        ).all()
    )
    closed = 0
    for item_id, meeting_id in due:
        try:
            # The meeting before the item, as `lock_item` takes them; one busy now (a vote
            # being written, the secretariat at work) is closed at the next pass.
            meeting = db.session.scalar(
                select(Meeting.id)
                .where(Meeting.id == meeting_id)
                .with_for_update(of=Meeting, skip_locked=True)
            )
            if meeting is None:
                db.session.rollback()
                continue
            item = (
                db.session.scalars(
                    select(AgendaItem)
                    .where(AgendaItem.id == item_id)
                    .with_for_update(of=AgendaItem, skip_locked=True)
                    .execution_options(populate_existing=True)
                )
                .unique()
                .one_or_none()
            )
            if item is None or not item.is_open:
                db.session.rollback()
                continue
            close(item, actor=None, terms=None, now=now)
            db.session.commit()
            closed += 1
        except (Invalid, Conflict) as exc:
            # e.g. the stored terms no longer pass: leave it open for the secretariat.
            db.session.rollback()
            current_app.logger.warning("could not close item %s at deadline: %s", item_id, exc)
    return closed
