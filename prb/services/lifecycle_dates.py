"""The day a proposal's transition took effect, beside the time PRB recorded it.

An office catching up on a past year records a cancellation or a completion after the fact:
whoever fires a transition the definition marks `effective_date` may give its day (blank:
today). It may not lie in the future, nor before what the project's record already dates —
its approval, its initiation and start (as the overview dates them: the first commitment's
value date, the actual start), an extension the Board granted, the effective day of its last
recorded step — and a completion not before its final report nor the last entry of its
ledger (the balance was settled by then). The project's current end is no bound: a project
may finish early, or report after its end.

The other transitions are dated for them: a Board decision by its decision's day (passed in
by `prb.services.board`), an initiation and a start by the day the overview gives them, the
rest the day they are recorded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, LedgerEntry, Proposal
from prb.services.calendar import long_date
from prb.services.errors import Invalid
from workflows import PROPOSAL, ProposalState, ProposalTrigger, Transition
from workflows.proposal import PROJECT_STATES

S = ProposalState
FIELD = "effective_on"
# Where the final report's day comes from, and where it is put right: said with a refusal.
FINAL_REPORT = (
    "That is the day its final report was accepted (“Accepted on” when the secretariat "
    "accepts it; blank was today). If it was accepted earlier, finance corrects the day on the "
    "project's finance page (“Final report received”) before the completion is recorded."
)


@dataclass(frozen=True)
class Bound:
    """A day an effective date may not precede, and what happened on it."""

    day: date
    what: str  # "its approval on 10 February 2025"
    # What to do when the day is wrong, said after the refusal ("" when nothing can be done).
    hint: str = ""


def earliest(proposal: Proposal, trigger: str) -> Bound | None:
    """The latest day the record holds that a transition of `proposal` by `trigger` may not
    be dated before (read before it is fired); None when nothing bounds it, or when the
    trigger takes no date (`check` refuses one)."""
    if trigger not in {t.trigger for t in PROPOSAL.transitions if t.effective_date}:
        return None
    from prb.services.portfolio.as_at import ACTIVE  # see `_record_of`

    bounds = []
    line = timeline_of(proposal)
    if line.approved_on is not None:
        bounds.append(Bound(line.approved_on, f"its approval on {long_date(line.approved_on)}"))
    if proposal.status in ACTIVE and line.initiated_on is not None:
        bounds.append(Bound(line.initiated_on, f"its initiation on {long_date(line.initiated_on)}"))
    if proposal.status in (S.ONGOING, S.EXTENDED) and line.ongoing_on is not None:
        bounds.append(Bound(line.ongoing_on, f"its start on {long_date(line.ongoing_on)}"))
    for e in line.extensions:
        if e.decided_on is not None:
            bounds.append(
                Bound(e.decided_on, f"the extension granted on {long_date(e.decided_on)}")
            )
    last = db.session.execute(
        select(AuditRecord.effective_on, AuditRecord.from_state, AuditRecord.to_state)
        .where(
            AuditRecord.proposal_id == proposal.id,
            AuditRecord.from_state.is_not(None),
            AuditRecord.to_state.in_(PROJECT_STATES),
            AuditRecord.effective_on.is_not(None),
        )
        .order_by(AuditRecord.effective_on.desc(), AuditRecord.id.desc())
        .limit(1)
    ).first()
    if last is not None:
        day, before, after = last
        step = f"{PROPOSAL.label(before)} → {PROPOSAL.label(after)}"
        bounds.append(Bound(day, f"its last recorded step ({step}), dated {long_date(day)}"))
    if trigger == ProposalTrigger.COMPLETE:
        if proposal.final_report_on is not None:
            received = long_date(proposal.final_report_on)
            bounds.append(
                Bound(proposal.final_report_on, f"its final report, of {received}", FINAL_REPORT)
            )
        paid = db.session.scalar(
            select(func.max(LedgerEntry.value_date)).where(LedgerEntry.proposal_id == proposal.id)
        )
        if paid is not None:
            bounds.append(Bound(paid, f"the last entry in its ledger, of {long_date(paid)}"))
    return max(bounds, key=lambda b: b.day) if bounds else None


def check(t: Transition, day: date, bound: Bound | None, today: date) -> None:
    """Raise Invalid (the message beside the form's date field) unless `day` may date `t`."""
    if not t.effective_date:
        problem = f"“{t.label}” takes effect the day it is recorded: leave the date out."
    else:
        problem = day_problem(
            day,
            bound,
            today,
            named="The effective date",
            too_early="The effective date cannot be before",
        )
    if problem is not None:
        raise Invalid(f"Nothing was done: {problem}", {FIELD: [problem]})


def day_problem(
    day: date, bound: Bound | None, today: date, *, named: str, too_early: str
) -> str | None:
    """Why `day`, typed as the day something took effect after the fact, cannot be (None: it
    can): it is after `today`, or before `bound`. The sentence goes beside the form's field;
    `named` names the field ("The effective date"), `too_early` opens the refusal of a day
    before the bound ("… cannot be before"), which ends with what happened on it."""
    if day > today:
        return f"{named} cannot be in the future (today is {long_date(today)}, UTC)."
    if bound is not None and day < bound.day:
        return f"{too_early} {bound.what}." + (f" {bound.hint}" if bound.hint else "")
    return None


def day_recorded_for(proposal: Proposal, today: date) -> date:
    """The effective day of a transition just fired with no day given: an initiation and a
    start as the overview dates them (the first commitment's value date, the actual start,
    not before the approval), anything else today."""
    if proposal.status not in (S.INITIATED, S.ONGOING):
        return today
    from prb.services.portfolio.as_at import timeline  # see `_record_of`

    record = _record_of(proposal)
    line = timeline(replace(record, status_today=S(proposal.status)))
    day = line.initiated_on if proposal.status == S.INITIATED else line.ongoing_on
    return min(day, today) if day is not None else today


def timeline_of(proposal: Proposal):  # type: ignore[no-untyped-def]
    """The days the overview gives the project's statuses (`portfolio.as_at.Timeline`), from
    its record as it stands."""
    from prb.services.portfolio.as_at import timeline  # see `_record_of`

    return timeline(_record_of(proposal))


def _record_of(proposal: Proposal):  # type: ignore[no-untyped-def]
    """The project's dated record, as the overview reads it. The portfolio package is
    imported when used: it reads proposals' pages, whose module fires transitions (this
    module's caller), so importing it with this module made a cycle."""
    from prb.services.portfolio.records import project_records

    return next(project_records(None, only=[proposal.id]))[1]
