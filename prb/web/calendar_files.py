"""Calendar files: a Board meeting as an .ics download for anyone who may see it."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from prb.services import board, invitations
from prb.web.access import roles_required
from prb.web.board import VIEWERS

bp = Blueprint("calendar_files", __name__, url_prefix="/board")


@bp.route("/meetings/<int:meeting_id>/calendar.ics")
@roles_required(*VIEWERS)
def meeting_ics(meeting_id: int) -> Response:
    meeting = board.get_meeting(current_user, meeting_id)
    # A download is published, not an invitation to answer; once the meeting is cancelled
    # the same UID with a higher SEQUENCE removes it from a calendar that has it.
    method: invitations.Method = "CANCEL" if board.cancellation(meeting) else "PUBLISH"
    body = invitations.meeting_ics(
        meeting, sequence=invitations.meeting_sequence(meeting), method=method
    )
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": (f'attachment; filename="{invitations.ics_filename(meeting)}"'),
            # Who may see the meeting is checked on each request: keep it out of caches.
            "Cache-Control": "private, no-store",
        },
    )
