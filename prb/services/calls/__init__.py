"""Calls for proposals: an administrator opens a programme's window for submissions to some
working groups; a chair's submission is accepted only inside an open call.

Windows are UTC, from `opens_at` (inclusive) to `closes_at` (exclusive), to the minute.
"""

from prb.services.calls.editing import (
    GUIDANCE_LIMIT,
    LABELS,
    TITLE_LIMIT,
    CallInput,
    Change,
    changes,
    create_call,
    snapshot,
    update_call,
)
from prb.services.calls.queries import (
    READERS,
    CallList,
    call_of,
    calls_for_chair,
    can_manage,
    get_call,
    list_calls,
    next_window_change,
    open_call,
)
from prb.services.calls.submission import call_for_submission, submission_call
from prb.services.calls.windows import (
    CallPhase,
    phase,
    phase_of,
    to_the_minute,
    window_problems,
    window_text,
)

__all__ = [
    "GUIDANCE_LIMIT",
    "LABELS",
    "READERS",
    "TITLE_LIMIT",
    "CallInput",
    "CallList",
    "CallPhase",
    "Change",
    "call_for_submission",
    "call_of",
    "calls_for_chair",
    "can_manage",
    "changes",
    "create_call",
    "get_call",
    "list_calls",
    "next_window_change",
    "open_call",
    "phase",
    "phase_of",
    "snapshot",
    "submission_call",
    "to_the_minute",
    "update_call",
    "window_problems",
    "window_text",
]
