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
from workflows import ItemState, MeetingKind, ProposalState, ReportState
from workflows.progress_report import REPORTING_PROJECT_STATES

REMINDER_BEFORE = timedelta(hours=48)
ENDING_NOTICES = (60, 30)  # days before the end; the nearer one only, once its day has come
_RUNNING = (ProposalState.INITIATED, ProposalState.ONGOING, ProposalState.EXTENDED)


# Notices are written this many subjects (items, projects) to a transaction: a worker
# catching up after an import of thousands of running projects must not hold the database
# (SQLite's one write lock) for minutes while every sign-in waits and fails.
BATCH = 200


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def notify_due(now: datetime | None = None, *, by_day: bool = True) -> int:
    """Write the notices that have come due; returns how many were written. Each batch of
    subjects is its own transaction: a notice is written once (its key), so a pass stopped
    half-way is finished by the next. Without `by_day`, only the reminders that come due by
    the hour (written procedures' deadlines): the others come due by the day and the
    records, and a caller that has looked since either changed has nothing to find."""
    now = now or utcnow()
    today = now.date()
    written = 0
    with committed():
        item_ids = list(
            db.session.scalars(
                select(AgendaItem.id)
                .join(Meeting)
                .where(
                    AgendaItem.status == ItemState.OPEN,
                    Meeting.kind == MeetingKind.WRITTEN_PROCEDURE,
                    Meeting.recorded_after.is_(False),
                    Meeting.deadline > now,
                    Meeting.deadline <= now + REMINDER_BEFORE,
                )
                .order_by(AgendaItem.id)
            )
        )
        ending_ids: list[int] = []
        reporting_ids: list[int] = []
        if by_day:
            ending_ids = list(
                db.session.scalars(
                    select(Proposal.id)
                    .where(
                        Proposal.status.in_(_RUNNING),
                        Proposal.current_end >= today,
                        Proposal.current_end <= today + timedelta(days=max(ENDING_NOTICES)),
                    )
                    .order_by(Proposal.id)
                )
            )
            reporting_ids = list(
                db.session.scalars(
                    select(Proposal.id)
                    .where(Proposal.status.in_(REPORTING_PROJECT_STATES))
                    .order_by(Proposal.id)
                )
            )
    for batch in _batches(item_ids):
        with committed():
            items = db.session.scalars(
                select(AgendaItem).where(AgendaItem.id.in_(batch)).order_by(AgendaItem.id)
            ).unique()
            for item in items:
                written += len(events.deadline_near(item))
    for batch in _batches(ending_ids):
        with committed():
            projects = db.session.scalars(
                select(Proposal).where(Proposal.id.in_(batch)).order_by(Proposal.id)
            ).unique()
            for project in projects:
                assert project.current_end is not None
                left = (project.current_end - today).days
                days = min(d for d in ENDING_NOTICES if left <= d)
                written += len(events.project_ending(project, days))
    for batch in _batches(reporting_ids):
        with committed():
            written += _reports_overdue(batch, today)
    return written


def _reports_overdue(project_ids: list[int], today: date) -> int:
    """Each overdue report of these projects, to its project's chairs once (the key holds
    the due date, so an extension that moves the final report gives a new notice only once
    the new date has passed too). Imported here: the reports' service uses the lifecycle,
    which notifies."""
    from prb.services.progress_reports import overdue_of

    written = 0
    for proposal, line in overdue_of(project_ids, today):
        # The chairs are asked to submit what they have not: a report they submitted, still
        # awaiting the secretariat, is the secretariat's to decide (they were asked anyway).
        if line.report is not None and line.report.status != ReportState.RETURNED:
            continue
        written += len(events.report_overdue(proposal, line.slot))
    return written
