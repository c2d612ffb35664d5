"""Notices nobody's click causes, written by the worker on each round: 48 hours before a
written procedure's deadline to the members who have not voted, and 60 and 30 days before a
project's end to its chairs and finance. Each is written once per person (its key), so the
worker may look as often as it likes, and a worker that was stopped catches up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Meeting, Proposal, utcnow
from prb.services.notifications import events
from prb.services.transaction import committed
from workflows import ItemState, MeetingKind, ProposalState

REMINDER_BEFORE = timedelta(hours=48)
ENDING_NOTICES = (60, 30)  # days before the end; the nearer one only, once its day has come
_RUNNING = (ProposalState.INITIATED, ProposalState.ONGOING, ProposalState.EXTENDED)


def notify_due(now: datetime | None = None) -> int:
    """Write the notices that have come due; returns how many were written."""
    now = now or utcnow()
    written = 0
    with committed():
        items = db.session.scalars(
            select(AgendaItem)
            .join(Meeting)
            .where(
                AgendaItem.status == ItemState.OPEN,
                Meeting.kind == MeetingKind.WRITTEN_PROCEDURE,
                Meeting.recorded_after.is_(False),
                Meeting.deadline > now,
                Meeting.deadline <= now + REMINDER_BEFORE,
            )
            .order_by(AgendaItem.id)
        ).unique()
        for item in items:
            written += len(events.deadline_near(item))
        today = now.date()
        projects = db.session.scalars(
            select(Proposal)
            .where(
                Proposal.status.in_(_RUNNING),
                Proposal.current_end >= today,
                Proposal.current_end <= today + timedelta(days=max(ENDING_NOTICES)),
            )
            .order_by(Proposal.id)
        ).unique()
        for project in projects:
            assert project.current_end is not None
            left = (project.current_end - today).days
            days = min(d for d in ENDING_NOTICES if left <= d)
            written += len(events.project_ending(project, days))
        written += _reports_overdue(today)
    return written


def _reports_overdue(today: date) -> int:
    """Each overdue report, to its project's chairs once (the key holds the due date, so an
    extension that moves the final report gives a new notice only once the new date has
    passed too). Imported here: the reports' service uses the lifecycle, which notifies."""
    from prb.services.progress_reports import overdue_everywhere

    written = 0
    for proposal, line in overdue_everywhere(today):
        written += len(events.report_overdue(proposal, line.slot.label, line.slot.due_on))
    return written
