"""What people do with reports: the chair submits and resubmits (the secretariat's accept or
send back, with the day it was accepted, is in `decisions`). Each use case is one
transaction that locks what it changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from prb.extensions import db
from prb.models import CENT, OwnerKind, ProgressReport, Proposal, ReportKind, User, utcnow
from prb.services import attachments, audit
from prb.services.access import chairs_group, get_visible_proposal
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.files.storage import FileStore
from prb.services.lifecycle import as_domain_error
from prb.services.once import spend
from prb.services.progress_reports.schedule import Slot, due_slots
from prb.services.transaction import committed
from workflows import PROGRESS_REPORT, GuardFailed, ReportState, ReportTrigger, Role, Transition
from workflows.definition import TransitionRefused
from workflows.progress_report import REPORTING_PROJECT_STATES, ReportGuard

MAX_PART = 10_000  # characters in one part of the narrative


class ReportGuards:
    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self._checks: dict[str, Callable[[ProgressReport], None]] = {
            ReportGuard.CHAIRS_WORKING_GROUP: self.chairs_working_group,
        }

    def __getitem__(self, name: str) -> Callable[[ProgressReport], None]:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks

    def chairs_working_group(self, report: ProgressReport) -> None:
        if self.actor is None or not chairs_group(self.actor, report.proposal.working_group_id):
            raise GuardFailed("Only a chair of the project's working group may do this.")


def slots_of(proposal: Proposal) -> list[Slot]:
    programme = proposal.programme
    return due_slots(
        proposal.actual_start,
        proposal.current_end,
        every_months=programme.progress_report_months,
        final_after_months=programme.final_report_months,
    )


@dataclass
class ReportInput:
    activities: str
    results: str
    challenges: str
    next_steps: str
    spent_to_date: Decimal | None
    unspent_balance: Decimal | None


def _clean(kind: str, data: ReportInput, approved: Decimal | None) -> ReportInput:
    """The input checked, all problems at once; nothing is saved when any is found.
    `approved`: the project's approved budget (extensions' funds included), which no amount
    spent of it can exceed."""
    errors: dict[str, list[str]] = {}
    parts = {}
    for name in ("activities", "results", "challenges", "next_steps"):
        text = (getattr(data, name) or "").strip()
        if len(text) > MAX_PART:
            errors[name] = [f"Keep this part under {MAX_PART:,} characters."]
        parts[name] = text
    if not parts["activities"] or not parts["results"]:
        for name in ("activities", "results"):
            if not parts[name]:
                errors[name] = ["Describe this part of the narrative."]
    for name in ("spent_to_date", "unspent_balance"):
        amount = getattr(data, name)
        if amount is not None and (amount < 0 or amount != amount.quantize(CENT)):
            errors[name] = ["Give an amount in dollars and cents (0 or more)."]
    if data.spent_to_date is None:
        errors["spent_to_date"] = ["Give the amount spent to date (0 if nothing yet)."]
    elif approved is not None and data.spent_to_date > approved and "spent_to_date" not in errors:
        errors["spent_to_date"] = [
            f"USD {data.spent_to_date:,.2f} is more than the project's approved budget (USD "
            f"{approved:,.2f}): give what was spent of it."
        ]
    if kind == ReportKind.FINAL and data.unspent_balance is None:
        errors["unspent_balance"] = ["A final report states the unspent balance (0 if none)."]
    if errors:
        raise Invalid("The report was not saved: please correct the fields marked.", errors)
    return ReportInput(
        **parts,
        spent_to_date=data.spent_to_date,
        unspent_balance=data.unspent_balance if kind == ReportKind.FINAL else None,
    )


def _write(report: ProgressReport, data: ReportInput) -> None:
    report.activities = data.activities
    report.results = data.results
    report.challenges = data.challenges
    report.next_steps = data.next_steps
    assert data.spent_to_date is not None
    report.spent_to_date = data.spent_to_date
    report.unspent_balance = data.unspent_balance


def submit_report(
    actor: User,
    proposal_id: int,
    kind: str,
    due_on: date,
    data: ReportInput,
    *,
    once: str | None = None,
    files: Files | None = None,
) -> ProgressReport:
    """A chair of the project's group submits the report due on `due_on` (a slot of the
    derived schedule); this creates the report's row, with its supporting files if any."""
    try:
        kind = ReportKind(kind)
    except ValueError:
        raise NotFound(f"There is no kind of report called “{kind}”.") from None
    checked = files.checked() if files else []
    try:
        with _storing(files) as stored, committed():
            spend(once, actor, "submit report")
            # The project's row lock serialises the submissions for one project.
            proposal = get_visible_proposal(actor, proposal_id, for_update=True)
            if not chairs_group(actor, proposal.working_group_id):
                raise NotAllowed("Only a chair of the project's working group may submit reports.")
            if proposal.status not in REPORTING_PROJECT_STATES:
                raise Conflict(
                    f"Reports are submitted while a project runs; {proposal.display_code} is "
                    f"{proposal.status_label}."
                )
            if not any(s.kind == kind and s.due_on == due_on for s in slots_of(proposal)):
                raise NotFound(
                    f"No {kind.label.lower()} of {proposal.display_code} is due on "
                    f"{due_on.day} {due_on:%B %Y}."
                )
            clean = _clean(kind, data, proposal.approved_budget)
            existing = db.session.scalar(
                select(ProgressReport).where(
                    ProgressReport.proposal_id == proposal.id,
                    ProgressReport.kind == kind,
                    # A project has one final report, whatever its due date was then.
                    *([] if kind == ReportKind.FINAL else [ProgressReport.due_on == due_on]),
                )
            )
            if existing is not None:
                raise Conflict(
                    f"The {existing.summary} has been submitted already (it is "
                    f"{existing.status_label}); reload the project's page."
                )
            report = ProgressReport(
                proposal=proposal,
                kind=kind,
                due_on=due_on,
                status=ReportState.SUBMITTED,
                submitted_by_id=actor.id,
                submitted_at=utcnow(),
            )
            _write(report, clean)
            db.session.add(report)
            db.session.flush()
            audit.record(
                "report_submitted",
                actor=actor,
                role=Role.CHAIR,
                proposal=proposal,
                comment=f"{report.summary.capitalize()}: spent to date USD "
                f"{report.spent_to_date:,.2f}",
            )
            _keep_files(actor, report, checked, files, stored)
            notification_events().report_in_hand(report)
    except IntegrityError:
        raise Conflict(
            "Someone submitted this report at the same moment. Nothing was saved; reload the "
            "project's page."
        ) from None
    return report


@dataclass(frozen=True)
class Files:
    """Files sent with a report (name and bytes each), the store that keeps them, and the
    size limit: checked before anything is saved, so a refused file saves no report."""

    uploads: Sequence[tuple[str | None, bytes]]
    store: FileStore
    max_size: int

    def checked(self) -> list[attachments.CheckedFile]:
        return [
            attachments.check_file(name, data, max_size=self.max_size)
            for name, data in self.uploads
        ]


def _storing(files: Files | None) -> AbstractContextManager[list[str]]:
    return attachments.removed_unless_committed(files.store) if files else nullcontext([])


def _keep_files(
    actor: User,
    report: ProgressReport,
    checked: list[attachments.CheckedFile],
    files: Files | None,
    stored: list[str],
) -> None:
    if not checked or files is None:
        return
    db.session.flush()
    found = attachments.owner(actor, OwnerKind.REPORT, report.id)
    for one in checked:
        attachments.keep(actor, found, one, files.store, stored)


def lock_report(actor: User, report_id: int) -> ProgressReport:
    """The report, locked for a move on it (a step shared with `decisions`); NotFound when
    there is none or the actor may not see its project."""
    report = (
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.id == report_id)
            .with_for_update(of=ProgressReport)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    if report is None:
        raise NotFound(f"There is no report number {report_id}.")
    get_visible_proposal(actor, report.proposal_id)  # 404 for those who may not see the project
    return report


# How the history names each move ("Report accepted" …).
_EVENTS = {
    ReportTrigger.ACCEPT: "report_accepted",
    ReportTrigger.RETURN: "report_sent_back",
    ReportTrigger.RESUBMIT: "report_resubmitted",
}


def fire(
    actor: User,
    report: ProgressReport,
    trigger: str,
    comment: str,
    effective_on: date | None = None,
) -> Transition:
    """Fire `trigger` on the locked report and write its audit record (with the day it took
    effect when it was recorded after the fact); no commit."""
    before = report.status
    try:
        PROGRESS_REPORT.fire(report, trigger, actor.roles, ReportGuards(actor))
    except TransitionRefused as exc:
        raise as_domain_error(exc.refusal) from None
    t = PROGRESS_REPORT.transition(trigger)
    # The audit's from/to states are the proposal's: the report's move is in the comment.
    audit.record(
        _EVENTS[trigger],
        actor=actor,
        role=sorted(t.roles & actor.roles)[0],
        proposal=report.proposal,
        comment=f"{report.summary.capitalize()}: {PROGRESS_REPORT.label(before)} → "
        f"{report.status_label}" + (f". {comment}" if comment else ""),
        effective_on=effective_on,
    )
    return t


def _as_it_read(report: ProgressReport) -> str:
    figures = f"spent to date USD {report.spent_to_date:,.2f}"
    if report.unspent_balance is not None:
        figures += f", unspent balance USD {report.unspent_balance:,.2f}"
    parts = " ".join(f"{heading}: {text}" for heading, text in report.parts if text)
    return f"{parts} ({figures})."


def race_conflict() -> Conflict:
    """What a move on a report says when a concurrent one changed its row first."""
    return Conflict(
        "Someone else acted on this report at the same moment. Nothing was done; reload the "
        "project's page."
    )


def resubmit_report(
    actor: User,
    report_id: int,
    data: ReportInput,
    *,
    expected_status: str | None = None,
    files: Files | None = None,
) -> ProgressReport:
    """A chair corrects a report the secretariat sent back and submits it again (with more
    supporting files if any; the earlier ones stay)."""
    checked = files.checked() if files else []
    try:
        with _storing(files) as stored, committed():
            report = lock_report(actor, report_id)
            if not chairs_group(actor, report.proposal.working_group_id):
                raise NotAllowed("Only a chair of the project's working group may do this.")
            if expected_status is not None and report.status != expected_status:
                raise Conflict(
                    f"This report changed while you were looking at it: it is now "
                    f"{report.status_label}. Nothing was saved."
                )
            clean = _clean(report.kind, data, report.proposal.approved_budget)
            # The wording the secretariat sent back stays on record (the audit trail is
            # append-only); the report's row holds the corrected one.
            fire(actor, report, ReportTrigger.RESUBMIT, f"As sent back: {_as_it_read(report)}")
            _write(report, clean)
            report.submitted_by_id = actor.id
            report.submitted_at = utcnow()
            report.decided_by_id = None
            report.decided_at = None
            _keep_files(actor, report, checked, files, stored)
            notification_events().report_in_hand(report)
    except StaleDataError:
        raise race_conflict() from None
    return report


def notification_events():  # type: ignore[no-untyped-def]
    """Imported when used: the notifications' scheduler reads this package's reports."""
    from prb.services.notifications import events

    return events


def actions(user: User, report: ProgressReport) -> list[Transition]:
    """The buttons this user may press on this report now."""
    return PROGRESS_REPORT.available(report, user.roles, ReportGuards(user))
