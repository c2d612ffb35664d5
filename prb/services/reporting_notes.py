"""How an approved project's duration reads in reports, as the secretariat sets it from a date
on: a duration note ("subject to extension") and a period text ("March/April 2019–May/June
2020"). Notes are append-only rows: a new note from a later (or earlier) date is a new row, so
an overview as at any date reads the note that was in force then."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Decision, Proposal, ReportingNote, User, utcnow
from prb.services import audit, calendar
from prb.services.access import get_visible_proposal, require_role
from prb.services.errors import Conflict, Invalid
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import Role, VoteChoice
from workflows.proposal import PROJECT_STATES

MAX_LENGTH = 120  # the columns' width


@dataclass(frozen=True)
class NoteInput:
    effective_on: date | None
    duration_note: str = ""
    period_text: str = ""


def duration_text(months: int | None, duration_note: str, period_text: str = "") -> str:
    """ "12 months (subject to extension)", "15 months (March/April 2019–May/June 2020)",
    both: "12 months (March 2019–February 2020; subject to extension)"."""
    if not months:
        return ""
    text = calendar.months_text(months)
    remark = "; ".join(part for part in (period_text, duration_note) if part)
    return f"{text} ({remark})" if remark else text


def in_force(notes: Iterable[ReportingNote], day: date) -> ReportingNote | None:
    """The note in force on `day`: the latest effective on or before it; of two notes from the
    same day, the one recorded last."""
    candidates = [n for n in notes if n.effective_on <= day]
    return max(candidates, key=lambda n: (n.effective_on, n.id), default=None)


def notes_by_project(proposal_ids: Iterable[int]) -> dict[int, list[ReportingNote]]:
    """Every note of these projects, in one query (the overview's query count stays fixed)."""
    ids = list(proposal_ids)
    found: dict[int, list[ReportingNote]] = {pid: [] for pid in ids}
    for note in db.session.scalars(
        select(ReportingNote)
        .where(ReportingNote.proposal_id.in_(ids))
        .order_by(ReportingNote.effective_on, ReportingNote.id)
    ):
        found[note.proposal_id].append(note)
    return found


def notes_for(proposal: Proposal) -> list[ReportingNote]:
    """The project's notes, latest first."""
    return list(reversed(notes_by_project([proposal.id])[proposal.id]))


def approved_on(proposal: Proposal) -> date | None:
    """The day the Board approved the project: its approval decision's date (the meeting's),
    else when it was recorded approved (an imported project)."""
    decided = db.session.scalar(
        select(func.min(Decision.decided_on)).where(
            Decision.proposal_id == proposal.id,
            Decision.outcome == VoteChoice.APPROVE,
            Decision.extension_id.is_(None),
        )
    )
    if decided is not None:
        return decided
    return proposal.approved_at.date() if proposal.approved_at else None


def check(data: NoteInput, *, approved: date | None, today: date) -> dict[str, list[str]]:
    """The input's faults by field (empty: none). Both texts empty is allowed: from that date
    the duration reads without a note."""
    errors: dict[str, list[str]] = {}
    if data.effective_on is None:
        errors["effective_on"] = ["Give the date from which reports read the note."]
    elif data.effective_on > today:
        errors["effective_on"] = ["The date cannot be in the future."]
    elif approved is not None and data.effective_on < approved:
        errors["effective_on"] = [
            f"The project was approved on {approved.day} {approved:%B %Y}: not before."
        ]
    for name in ("duration_note", "period_text"):
        if len(getattr(data, name)) > MAX_LENGTH:
            errors[name] = [f"At most {MAX_LENGTH} characters."]
    return errors


def set_note(
    actor: User, proposal_id: int, data: NoteInput, *, once: str | None = None
) -> ReportingNote:
    """The secretariat sets how the project's duration reads in reports from a date on."""
    require_role(actor, Role.SECRETARIAT, action="set how a project's duration reads in reports")
    data = NoteInput(data.effective_on, data.duration_note.strip(), data.period_text.strip())
    with committed():
        spend(once, actor, "set reporting note")
        proposal = get_visible_proposal(actor, proposal_id, for_update=True)
        if proposal.status not in PROJECT_STATES:
            raise Conflict(
                f"{proposal.display_code} is {proposal.status_label}: reporting notes are for "
                "projects the Board has approved."
            )
        errors = check(data, approved=approved_on(proposal), today=utcnow().date())
        if errors:
            raise Invalid("Nothing was saved: please correct the fields marked.", errors)
        before = in_force(notes_by_project([proposal.id])[proposal.id], data.effective_on)  # type: ignore[arg-type]
        note = ReportingNote(
            proposal_id=proposal.id,
            effective_on=data.effective_on,
            duration_note=data.duration_note,
            period_text=data.period_text,
            recorded_by=actor,
        )
        db.session.add(note)
        db.session.flush()
        audit.record_change(
            "reporting_note_set",
            actor=actor,
            role=Role.SECRETARIAT,
            subject="reporting_note",
            subject_id=note.id,
            before=_values(before) if before is not None else None,
            after=_values(note),
            comment=f"From {data.effective_on}, the duration reads "
            f"“{duration_text(proposal.duration_months, data.duration_note, data.period_text)}”.",
        ).proposal_id = proposal.id
    return note


def _values(note: ReportingNote) -> dict[str, object]:
    return {
        "effective_on": note.effective_on,
        "duration_note": note.duration_note,
        "period_text": note.period_text,
    }
