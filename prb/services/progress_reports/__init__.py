"""Progress and final reports of projects: the schedule (derived), the use cases (submit,
resubmit, accept, send back) and the reads (schedule lines, overdue, accepted narratives)."""

from prb.services.progress_reports.queries import (
    AcceptedNarrative,
    OverdueReport,
    ScheduleLine,
    accepted_final_report,
    accepted_narratives,
    dashboard_overdue,
    final_report,
    get_report,
    may_submit,
    overdue,
    overdue_everywhere,
    reports_of,
    schedule,
    submission_slot,
)
from prb.services.progress_reports.schedule import Slot, due_slots, months_after
from prb.services.progress_reports.use_cases import (
    ReportInput,
    actions,
    decide_report,
    resubmit_report,
    slots_of,
    submit_report,
)

__all__ = [
    "AcceptedNarrative",
    "OverdueReport",
    "ReportInput",
    "ScheduleLine",
    "Slot",
    "accepted_final_report",
    "accepted_narratives",
    "actions",
    "dashboard_overdue",
    "decide_report",
    "due_slots",
    "final_report",
    "get_report",
    "may_submit",
    "months_after",
    "overdue",
    "overdue_everywhere",
    "reports_of",
    "resubmit_report",
    "schedule",
    "slots_of",
    "submission_slot",
    "submit_report",
]
