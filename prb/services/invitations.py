"""Calendar invitations: a Board meeting (or a written procedure's deadline) as an RFC 5545
iCalendar file, for an e-mail attachment or a download.

Everything here only reads: `meeting_ics` is a pure function of the meeting and its
arguments; `meeting_sequence` reads the audit trail. Callers that send the file by e-mail
pass `method="REQUEST"` (or `"CANCEL"` once the meeting is cancelled) and
`sequence=meeting_sequence(meeting)`, and attach the bytes with `content_type(method)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Meeting, utcnow
from prb.services.board.meetings import MEETING_SUBJECT

# PUBLISH is for a download: no organizer or attendees, so clients add the event to a
# calendar instead of treating it as an invitation to answer (RFC 5546 §3.2).
Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
METHODS: tuple[Method, ...] = ("PUBLISH", "REQUEST", "CANCEL")

PRODID = "-//PRB//Programme Review Board//EN"
DEFAULT_HOST = "prb.local"
BOARD = "Programme Review Board"

# Each of these changes what a calendar shows (date, place, number, status), so each
# raises the SEQUENCE: calendars ignore an update whose SEQUENCE is not higher.
CHANGE_EVENTS = ("meeting_corrected", "meeting_cancelled")


def content_type(method: Method) -> str:
    """The MIME type of the attachment; e-mail clients read the method from it."""
    return f"text/calendar; charset=utf-8; method={method}"


def _base_url() -> str | None:
    base = str(current_app.config.get("BASE_URL") or "").strip()
    return base or None


def meeting_uid(meeting: Meeting) -> str:
    """The same for every version of the meeting's invitation, so that an update or a
    cancellation replaces the event already in a calendar. It does not depend on the host
    a request came through, only on the configured PRB_BASE_URL."""
    base = _base_url()
    host = (urlsplit(base).hostname if base else None) or DEFAULT_HOST
    return f"meeting-{meeting.id}@{host}"


def meeting_url(meeting: Meeting) -> str:
    """The meeting page's absolute address: PRB_BASE_URL when set (the worker has no
    request), else the current request's, else a placeholder host."""
    base = _base_url()
    if base is None and has_request_context():
        return url_for("board.meeting", meeting_id=meeting.id, _external=True)
    parts = urlsplit(base or f"http://{DEFAULT_HOST}")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build("board.meeting", {"meeting_id": meeting.id}, force_external=True)


def ics_filename(meeting: Meeting) -> str:
    """PRB/2018/03 → PRB-2018-03.ics (only characters safe in a Content-Disposition)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", meeting.number).strip("-.") or f"meeting-{meeting.id}"
    return f"{stem}.ics"


def meeting_sequence(meeting: Meeting) -> int:
    """The iCalendar SEQUENCE of the meeting's current state: 0 as scheduled, one more for
    each correction and for the cancellation, all kept in the audit trail."""
    return int(
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(
                AuditRecord.subject == MEETING_SUBJECT,
                AuditRecord.subject_id == meeting.id,
                AuditRecord.event.in_(CHANGE_EVENTS),
            )
        )
        or 0
    )


def _summary(meeting: Meeting) -> str:
    if meeting.is_written_procedure:
        return f"{meeting.number} — {BOARD} written procedure: votes due"
    return f"{meeting.number} — {BOARD} meeting"


# RFC 5545 TEXT allows no control characters but the tab (line breaks are escaped by
# icalendar); some clients stop reading a file at a NUL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(text: str) -> vText:
    return vText(_CONTROLS.sub("", text))


def _one_line(text: str) -> str:
    """Names go into parameters (CN), where iCalendar has no escape for line breaks."""
    return " ".join(_CONTROLS.sub("", text).replace('"', "'").split())


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = _one_line(name)
    for key, value in params.items():
        address.params[key] = value
    return address


def meeting_ics(
    meeting: Meeting,
    *,
    sequence: int,
    method: Method,
    organizer: tuple[str, str] | None = None,
    attendees: Iterable[tuple[str, str]] = (),
    stamp: datetime | None = None,
) -> bytes:
    """The meeting as a VCALENDAR with one VEVENT.

    `sequence`: `meeting_sequence(meeting)` (callers pass it, so that this stays pure).
    `method`: REQUEST to invite or update, CANCEL when the meeting is cancelled (STATUS
    CANCELLED), PUBLISH for a plain download. `organizer` and `attendees` are
    (name, e-mail) pairs; iTIP wants an ORGANIZER and the ATTENDEEs in a REQUEST.
    A meeting is an all-day event on its date; a written procedure is an event at its
    deadline (UTC), or on its date when it has none.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if sequence < 0:
        raise ValueError("sequence must not be negative")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", (stamp or utcnow()).astimezone(UTC))
    if meeting.is_written_procedure and meeting.deadline is not None:
        deadline = meeting.deadline
        if deadline.tzinfo is None:  # stored as UTC; a transient object may be naive
            deadline = deadline.replace(tzinfo=UTC)
        # No DTEND: the event is the moment voting closes (RFC 5545 §3.6.1).
        event.add("dtstart", deadline.astimezone(UTC).replace(microsecond=0))
    else:
        held_on: date = meeting.held_on
        event.add("dtstart", held_on)
        event.add("dtend", held_on + timedelta(days=1))  # DATE end is exclusive
    event.add("summary", _text(_summary(meeting)))
    if meeting.place:
        event.add("location", _text(meeting.place))
    url = meeting_url(meeting)
    event.add("description", _text(f"{meeting.kind_label} {meeting.number}: {url}"))
    event.add("url", url)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if organizer is not None:
        event.add("organizer", _address(*organizer))
    for name, email in attendees:
        event.add(
            "attendee",
            _address(name, email, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"),
        )
    calendar.add_component(event)
    return calendar.to_ical()
