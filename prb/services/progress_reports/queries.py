"""Reading reports: a project's schedule with each report's state, the overdue reports a
person should see on a dashboard, and the accepted narratives of a year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, extract, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from prb.extensions import db
from prb.models import ProgressReport, Proposal, ReportKind, User
from prb.services import calendar, stamped
from prb.services.access import (
    chairs_group,
    get_visible_proposal,
    visibility_key,
    visible_proposals,
)
from prb.services.errors import Conflict, NotAllowed, NotFound
from prb.services.progress_reports.schedule import Slot
from prb.services.progress_reports.use_cases import slots_of
from prb.services.sql import written_in
from workflows import ReportState, Role
from workflows.progress_report import REPORTING_PROJECT_STATES


@dataclass(frozen=True)
class ScheduleLine:
    """One due report of a project: its slot, the report submitted for it (if any), and
    whether it is overdue."""

    slot: Slot
    report: ProgressReport | None
    overdue: bool

    @property
    def can_be_submitted(self) -> bool:
        return self.report is None


def _lines(
    proposal: Proposal, reports: Iterable[ProgressReport], today: date
) -> list[ScheduleLine]:
    progress = {r.due_on: r for r in reports if r.kind == ReportKind.PROGRESS}
    finals = [r for r in reports if r.kind == ReportKind.FINAL]
    running = proposal.status in REPORTING_PROJECT_STATES
    lines: list[ScheduleLine] = []
    slots = slots_of(proposal)
    for slot in slots:
        # A project has one final report: an extension moves its due date, not the report.
        report = (
            (finals[-1] if finals else None)
            if slot.kind == ReportKind.FINAL
            else (progress.pop(slot.due_on, None))
        )
        accepted = report is not None and report.status == ReportState.ACCEPTED
        lines.append(ScheduleLine(slot, report, running and slot.due_on < today and not accepted))
    # Reports for slots the schedule no longer has (the start was corrected) stay listed.
    for due_on, report in sorted(progress.items()):
        lines.append(ScheduleLine(Slot(due_on, ReportKind.PROGRESS, 0), report, False))
    if not any(s.kind == ReportKind.FINAL for s in slots):
        for report in finals:
            lines.append(ScheduleLine(Slot(report.due_on, ReportKind.FINAL), report, False))
    return sorted(lines, key=lambda line: (line.slot.due_on, line.slot.kind))


def reports_of(proposal_ids: Iterable[int]) -> dict[int, list[ProgressReport]]:
    ids = list(proposal_ids)
    found: dict[int, list[ProgressReport]] = {i: [] for i in ids}
    if not ids:
        return found
    for report in db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.proposal_id.in_(ids))
        .order_by(ProgressReport.due_on, ProgressReport.id)
        # The caller holds the projects: each report's is found in the session, not joined
        # again (with its own graph) to every report row.
        .options(lazyload(ProgressReport.proposal))
    ).unique():
        found[report.proposal_id].append(report)
    return found


def schedule(proposal: Proposal, today: date) -> list[ScheduleLine]:
    """The project's reports, due and submitted (the caller has checked it may be seen)."""
    return _lines(proposal, reports_of([proposal.id])[proposal.id], today)


def may_submit(user: User, proposal: Proposal) -> bool:
    return chairs_group(user, proposal.working_group_id) and (
        proposal.status in REPORTING_PROJECT_STATES
    )


@dataclass(frozen=True)
class OverdueReport:
    proposal_id: int
    display_code: str
    title: str
    label: str
    due_on: date
    state_label: str  # "Not submitted", "Submitted", "Returned"


def _overdue_lines(stmt, today: date) -> list[tuple[Proposal, ScheduleLine]]:  # type: ignore[no-untyped-def]
    """The overdue lines of the running projects `stmt` selects. Two queries, whatever the
    number of projects."""
    stmt = stmt.where(Proposal.status.in_(REPORTING_PROJECT_STATES))
    # Not the implementing entities (a query per 500 projects): nothing here reads them.
    projects = list(
        db.session.scalars(
            stmt.options(lazyload(Proposal.implementing_entities)).order_by(Proposal.id)
        ).unique()
    )
    reports: dict[int, list[ProgressReport]] = {p.id: [] for p in projects}
    # The same projects as a subquery, not a list of ids: no bound on the parameters.
    ids = stmt.with_only_columns(Proposal.id).order_by(None)
    for report in db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.proposal_id.in_(ids))
        .order_by(ProgressReport.due_on, ProgressReport.id)
    ).unique():
        reports[report.proposal_id].append(report)
    return [
        (proposal, line)
        for proposal in projects
        for line in _lines(proposal, reports[proposal.id], today)
        if line.overdue
    ]


def overdue(user: User, today: date, *, own_groups_only: bool = False) -> list[OverdueReport]:
    """The overdue reports of the running projects `user` may see (a chair: her groups'
    projects when `own_groups_only`), oldest first."""
    stmt = visible_proposals(user)
    if own_groups_only:
        stmt = stmt.where(Proposal.working_group_id.in_(user.chaired_group_ids or [-1]))
    found = [
        OverdueReport(
            proposal.id,
            proposal.display_code,
            proposal.title,
            line.slot.label,
            line.slot.due_on,
            line.report.status_label if line.report else "Not submitted",
        )
        for proposal, line in _overdue_lines(stmt, today)
    ]
    return sorted(found, key=lambda o: (o.due_on, o.display_code))


def overdue_of(project_ids: list[int], today: date) -> list[tuple[Proposal, ScheduleLine]]:
    """The overdue reports of these projects (the worker's notices, a batch at a time)."""
    return _overdue_lines(select(Proposal).where(Proposal.id.in_(project_ids)), today)


def accepted_final_report(proposal_id: int) -> ProgressReport | None:
    return db.session.scalar(
        select(ProgressReport).where(
            ProgressReport.proposal_id == proposal_id,
            ProgressReport.kind == ReportKind.FINAL,
            ProgressReport.status == ReportState.ACCEPTED,
        )
    )


def final_report(proposal_id: int) -> ProgressReport | None:
    return db.session.scalar(
        select(ProgressReport)
        .where(
            ProgressReport.proposal_id == proposal_id,
            ProgressReport.kind == ReportKind.FINAL,
        )
        .order_by(ProgressReport.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class AcceptedNarrative:
    """What the annual report prints of a project's year: its latest accepted report."""

    proposal_id: int
    kind: ReportKind
    due_on: date
    accepted_on: date
    text: str  # the narrative's parts joined, a paragraph each (activities … next steps)
    parts: tuple[tuple[str, str], ...]  # (heading, text) of each non-empty part


def accepted_narratives(
    session_or_none: Session | None,
    programme_id: int | None,
    year: int,
    *,
    accepted_by: date | None = None,
) -> dict[int, AcceptedNarrative]:
    """Proposal id → the latest (by due date) ACCEPTED report about `year`: due in it, or
    accepted in it (a final report accepted in December and due the next February is the
    latest word on the year), for the projects of the programme (None: of every
    programme). A submitted or returned report never appears; with `accepted_by`, nor one
    accepted after that day (a report "as at" a date shows what had been accepted by then).

    A report is dated by the day it was accepted (`accepted_on`), which an office recording
    it after the fact gives — as the overview dates a transition by the day it took effect,
    not the day it was recorded: as at 31 December 2025, a report accepted on 15 December
    2025 is in, even if PRB recorded it in 2026."""
    session = session_or_none or db.session
    conditions = [
        ProgressReport.status == ReportState.ACCEPTED,
        or_(
            extract("year", ProgressReport.due_on) == year,
            and_(
                ProgressReport.accepted_on >= date(year, 1, 1),
                ProgressReport.accepted_on <= date(year, 12, 31),
            ),
        ),
    ]
    if programme_id is not None:
        conditions.append(Proposal.programme_id == programme_id)
    if accepted_by is not None:
        conditions.append(ProgressReport.accepted_on <= accepted_by)
    rows = session.scalars(
        select(ProgressReport)
        .join(Proposal, Proposal.id == ProgressReport.proposal_id)
        .where(*conditions)
        .order_by(ProgressReport.due_on, ProgressReport.id)
    ).unique()
    found: dict[int, AcceptedNarrative] = {}
    for report in rows:  # in due order: the latest wins
        assert report.accepted_on is not None
        found[report.proposal_id] = AcceptedNarrative(
            report.proposal_id,
            ReportKind(report.kind),
            report.due_on,
            report.accepted_on,
            report.narrative,
            report.parts,
        )
    return found


def get_report(user: User, report_id: int) -> ProgressReport:
    """The report, or NotFound when it does not exist or its project is not `user`'s to see."""
    report = db.session.get(ProgressReport, report_id)
    if report is None:
        raise NotFound(f"There is no report number {report_id}.")
    get_visible_proposal(user, report.proposal_id)
    return report


def submission_slot(user: User, proposal_id: int, kind: str, due_on: date) -> tuple[Proposal, Slot]:
    """The project and the due slot a chair is about to submit for (the form's page); the
    same refusals as submitting (404 for what is not hers to see or not due, 403 for what is
    not hers to do, 409 once it has been submitted)."""
    proposal = get_visible_proposal(user, proposal_id)
    if not chairs_group(user, proposal.working_group_id):
        raise NotAllowed("Only a chair of the project's working group may submit reports.")
    for line in schedule(proposal, date.max):
        if line.slot.kind == kind and line.slot.due_on == due_on:
            if line.report is not None:
                raise Conflict(f"The {line.report.summary} has been submitted already.")
            return proposal, line.slot
    raise NotFound(
        f"No such report of {proposal.display_code} is due on {calendar.long_date(due_on)}."
    )


def dashboard_overdue(user: User, today: date) -> list[OverdueReport] | None:
    """The overdue reports a person's dashboard flags: the secretariat and finance see every
    project's, a chair her own groups' (a chair who is also a board member: still her own);
    None for those whose dashboard has no such panel. Kept while the records are unchanged
    (every dashboard view would otherwise read every running project's schedule)."""
    if user.has_role(Role.SECRETARIAT, Role.FINANCE):
        own_groups_only = False
    elif user.has_role(Role.CHAIR) and user.chaired_group_ids:
        own_groups_only = True
    else:
        return None
    return stamped.cache("overdue_reports").get_or_make(
        (visibility_key(user), own_groups_only, today),
        lambda: overdue(user, today, own_groups_only=own_groups_only),
    )


REVIEW_LIMIT = 20


def awaiting_review(user: User) -> list[ProgressReport] | None:
    """Submitted reports, longest waiting first, for the secretariat's dashboard (None for
    anyone else)."""
    if not user.has_role(Role.SECRETARIAT):
        return None
    return list(
        db.session.scalars(
            select(ProgressReport)
            .options(joinedload(ProgressReport.proposal).lazyload(Proposal.implementing_entities))
            .where(ProgressReport.status == written_in(ReportState.SUBMITTED))
            .order_by(ProgressReport.submitted_at, ProgressReport.id)
            .limit(REVIEW_LIMIT)
        ).unique()
    )
