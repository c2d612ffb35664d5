"""Progress and final reports of projects: the schedule (derived), the use cases (submit,
resubmit, accept, send back) and the reads (schedule lines, overdue, accepted narratives)."""

from prb.services.progress_reports.decisions import decide_report
from prb.services.progress_reports.queries import (
    AcceptedNarrative,
    OverdueReport,
    ScheduleLine,
    accepted_final_report,
    accepted_narratives,
    awaiting_review,
    dashboard_overdue,
    final_report,
    get_report,
    may_submit,
    overdue,
    overdue_of,
    reports_of,
    schedule,
    submission_slot,
)
from prb.services.progress_reports.schedule import Slot, due_slots, months_after
from prb.services.progress_reports.use_cases import (
    Files,
    ReportInput,
    actions,
    resubmit_report,
    slots_of,
    submit_report,
)

__all__ = [
    "AcceptedNarrative",
    "Files",
    "OverdueReport",
    "ReportInput",
    "ScheduleLine",
    "Slot",
    "accepted_final_report",
    "accepted_narratives",
    "actions",
    "awaiting_review",
    "dashboard_overdue",
    "decide_report",
    "due_slots",
    "final_report",
    "get_report",
    "may_submit",
    "months_after",
    "overdue",
    "overdue_of",
    "reports_of",
    "resubmit_report",
    "schedule",
    "slots_of",
    "submission_slot",
    "submit_report",
]
