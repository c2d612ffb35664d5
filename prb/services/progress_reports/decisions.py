"""The secretariat's decision on a submitted report: accept it, on the day it was accepted,
or send it back with a reason (the day that is recorded).

An office catching up on a past year records its reports' acceptance after the fact: the
secretariat may give the day a report was accepted ("Accepted on"; blank: today, UTC). It
is kept beside the moment PRB recorded the decision (`decided_at`), dates the report in the
annual section and the history, and — for a final report — is the project's final report
day, which a completion may not precede.

The day may not be in the future, nor before the period the report is about began: its
submission is no bound (a report entered after the fact is submitted the day it is typed
in), nor is its due date (a chair may submit a report before it falls due, and it may be
accepted at once). No report can have been accepted before there was work to report on, so
the first day is, for a progress report, the day the previous progress report fell due
(the end of the period before its own); for the first one and for the final report, the
project's start as the overview dates it (its actual start, never before its approval nor
its first commitment), or its approval when the record holds no start."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm.exc import StaleDataError

from prb.models import ProgressReport, ReportKind, User, utcnow
from prb.services import audit, lifecycle_dates
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.lifecycle_dates import Bound
from prb.services.progress_reports.use_cases import fire, lock_report, race_conflict, slots_of
from prb.services.transaction import committed
from workflows import ReportTrigger, Role

FIELD = "accepted_on"


def earliest(report: ProgressReport) -> Bound | None:
    """The first day `report` may have been accepted (see the module's note); None when the
    record dates nothing it may not precede."""
    proposal = report.proposal
    line = lifecycle_dates.timeline_of(proposal)
    bounds = []
    if line.approved_on is not None:
        bounds.append(
            Bound(line.approved_on, f"the project's approval on {long_date(line.approved_on)}")
        )
    if line.ongoing_on is not None:
        bounds.append(
            Bound(line.ongoing_on, f"the project's start on {long_date(line.ongoing_on)}")
        )
    if report.kind == ReportKind.PROGRESS:
        earlier = [
            s.due_on
            for s in slots_of(proposal)
            if s.kind == ReportKind.PROGRESS and s.due_on < report.due_on
        ]
        if earlier:
            day = max(earlier)
            bounds.append(
                Bound(
                    day,
                    f"the period it reports on, which began when the previous progress report "
                    f"fell due on {long_date(day)}",
                )
            )
    # On a tie, the nearest to the report is named (its period, before the project's start).
    return max(reversed(bounds), key=lambda b: b.day) if bounds else None


def check(trigger: str, day: date, bound: Bound | None, today: date) -> None:
    """Raise Invalid (the message beside the form's date field) unless `day` may be the day
    the report was accepted."""
    if trigger != ReportTrigger.ACCEPT:
        problem = "A report is sent back the day it is recorded: leave the date out."
    else:
        problem = lifecycle_dates.day_problem(
            day,
            bound,
            today,
            named="The day it was accepted",
            too_early="A report cannot have been accepted before",
        )
    if problem is not None:
        raise Invalid(f"Nothing was done: {problem}", {FIELD: [problem]})


def decide_report(
    actor: User,
    report_id: int,
    trigger: str,
    reason: str = "",
    *,
    expected_status: str | None = None,
    accepted_on: date | None = None,
) -> ProgressReport:
    """The secretariat accepts a submitted report or sends it back with a reason.

    `accepted_on`: the day it was accepted, recorded after the fact (None: today); refused
    (422, nothing done) as `check` says, once the actor may decide. Accepting the final report
    records, on the project, that day as the day of the final report and its spent figure as
    the amount spent — what the completion rule compares with the ledger."""
    if trigger not in (ReportTrigger.ACCEPT, ReportTrigger.RETURN):
        raise NotFound(f"There is no action called “{trigger}”.")
    reason = reason.strip()
    if trigger == ReportTrigger.RETURN and not reason:
        raise Invalid(
            "Please say why the report is sent back.",
            {"reason": ["A reason is required to send a report back."]},
        )
    if len(reason) > 4000:
        raise Invalid("Keep the reason under 4,000 characters.", {"reason": ["Too long."]})
    try:
        with committed():
            report = lock_report(actor, report_id)
            if expected_status is not None and report.status != expected_status:
                raise Conflict(
                    f"This report changed while you were looking at it: it is now "
                    f"{report.status_label}. Nothing was done."
                )
            # Who may decide is asked first (403), then the day (422); either rolls back.
            fire(actor, report, trigger, reason, effective_on=accepted_on)
            now = utcnow()
            if accepted_on is not None:
                check(trigger, accepted_on, earliest(report), now.date())
            report.decided_by_id = actor.id
            report.decided_at = now
            if trigger == ReportTrigger.RETURN:
                report.return_reason = reason
            else:
                report.accepted_on = accepted_on or now.date()
            if trigger == ReportTrigger.ACCEPT and report.kind == ReportKind.FINAL:
                proposal = report.proposal
                proposal.final_report_on = report.accepted_on
                proposal.spent_reported = report.spent_to_date
                audit.record(
                    "project_dates",
                    actor=actor,
                    role=Role.SECRETARIAT,
                    proposal=proposal,
                    comment=f"final report: {proposal.final_report_on}; amount spent: "
                    f"{proposal.spent_reported} (from the accepted final report)",
                )
    except StaleDataError:
        raise race_conflict() from None
    return report
