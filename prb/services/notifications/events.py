"""The messages of each event: subject, body and link, sent to its audience in the
transaction of the change (the services call these right after their write). Nothing here is
secret: no vote before its item closes, no token, only what the recipient may already see by
following the link."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parseaddr

from prb.models import (
    AgendaItem,
    ExtensionRequest,
    LedgerEntry,
    Meeting,
    MinutesVersion,
    Notification,
    ProgressReport,
    Proposal,
    ReportKind,
)
from prb.services import calendar, invitations
from prb.services.board.members import board_members
from prb.services.mail import Attachment
from prb.services.mail.outbox import overtaken, sender
from prb.services.notifications.audience import (
    Event,
    item_audience,
    meeting_audience,
    proposal_audience,
)
from prb.services.notifications.notify import notify
from prb.services.progress_reports.schedule import Slot
from workflows import MeetingKind, ProposalTrigger

T = ProposalTrigger


def proposal_link(proposal: Proposal) -> str:
    return f"/proposals/{proposal.id}"


def meeting_link(meeting: Meeting) -> str:
    return f"/board/meetings/{meeting.id}"


def _name(proposal: Proposal) -> str:
    return f"{proposal.display_code} “{proposal.title}”"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Which e-mails expire (`send_before`), sent late by a worker that was away: a request to
# vote, an invitation and the reminder before a deadline stop being true when voting closes
# or the meeting is over, a project's coming end when it has ended. The others tell what
# happened (a submission, a decision, minutes, a disbursement, a meeting corrected or
# cancelled — which must still reach a calendar the invitation reached) and stay true; an
# overdue report stays overdue until its chairs submit it, which no clock knows.


def _meeting_over(meeting: Meeting) -> datetime:
    """A written procedure's deadline; a meeting's day once over (it has a date and no hour:
    an invitation read on the morning of the meeting may still bring a member to it)."""
    return (
        meeting.deadline
        if meeting.deadline is not None
        else calendar.start_of_day_after(meeting.held_on)
    )


# Proposal transitions that someone hears of, and as what.
_TRANSITION_EVENTS: dict[str, tuple[Event, ...]] = {
    T.SUBMIT: (Event.PROPOSAL_SUBMITTED,),
    T.RESUBMIT: (Event.PROPOSAL_SUBMITTED,),
    T.START_REVIEW: (Event.REVIEW_STARTED,),
    T.REQUEST_REVISION: (Event.SENT_BACK,),
    T.APPROVE: (Event.DECIDED, Event.PROJECT_APPROVED),
    T.REJECT: (Event.DECIDED,),
}

_SUBJECTS = {
    Event.PROPOSAL_SUBMITTED: "{name} was submitted by {group}",
    Event.REVIEW_STARTED: "{name}: the Board’s review has begun",
    Event.SENT_BACK: "{name}: the Board asks for a revision",
    Event.DECIDED: "{name}: the Board’s decision — {status}",
    Event.PROJECT_APPROVED: "{name} was approved: its commitment is due",
}


def after_transition(proposal: Proposal, trigger: str, comment: str = "") -> None:
    """Tell whom a proposal's transition concerns (called by `lifecycle.transition`)."""
    for event in _TRANSITION_EVENTS.get(trigger, ()):
        subject = _SUBJECTS[event].format(
            name=_name(proposal),
            group=proposal.working_group.name,
            status=proposal.status_label,
        )
        body = comment if event in (Event.SENT_BACK, Event.DECIDED) else ""
        if event == Event.PROJECT_APPROVED and proposal.approved_budget is not None:
            body = f"Approved budget: USD {proposal.approved_budget:,.2f}."
        notify(
            event,
            proposal_audience(event, proposal),
            subject=subject,
            body=body,
            link=proposal_link(proposal),
        )


def _about(item: AgendaItem) -> str:
    return f"agenda-item:{item.id}"


def item_closed(item: AgendaItem) -> None:
    """Its invitation, request to vote and reminders not sent yet stop: they would ask for
    a vote on an item that is no longer open."""
    overtaken(
        [_about(item)],
        f"Overtaken: item {item.position} of {item.meeting.number} was "
        f"{item.status_label.lower()} before it went.",
    )


def meeting_moved(meeting: Meeting) -> None:
    """After a correction: invitations and requests not sent yet stop, as they carry the
    facts as they were; the correction notice, sent to the same people, carries the new."""
    overtaken(
        [_about(item) for item in meeting.items],
        f"Overtaken: {meeting.number} was corrected before it went; the correction "
        "notice carries the new facts.",
    )


def voted(item: AgendaItem, member_id: int) -> None:
    """The member voted: her request to vote and reminder not sent yet stop."""
    overtaken(
        [_about(item)],
        f"Overtaken: the recipient voted on item {item.position} of {item.meeting.number} "
        "before it went.",
        recipient_id=member_id,
    )


def placed_on_agenda(item: AgendaItem) -> None:
    meeting = item.meeting
    if meeting.recorded_after:
        # A meeting entered after it took place invites nobody and asks for no vote: the
        # secretariat enters its record; its decisions are told as every decision is.
        return
    what = f"the extension of {_name(item.proposal)}" if item.extension_id else _name(item.proposal)
    if meeting.kind == MeetingKind.WRITTEN_PROCEDURE:
        event = Event.WRITTEN_PROCEDURE_OPENED
        due = (
            f" Votes are due by {calendar.utc_time(meeting.deadline)}." if meeting.deadline else ""
        )
        subject = f"Written procedure {meeting.number}: vote on {what}"
        body = f"{what[0].upper()}{what[1:]} is put to the Board by written procedure.{due}"
    else:
        event = Event.ON_AGENDA
        subject = f"{meeting.number}: {what} is on the agenda"
        body = (
            f"Item {item.position} of the meeting of {_long(meeting.held_on)}"
            + (f", {meeting.place}" if meeting.place else "")
            + "."
        )
    audience = item_audience(event, item)
    notify(
        event,
        audience,
        subject=subject,
        body=body,
        link=meeting_link(meeting),
        attachments=[calendar_entry(meeting, "REQUEST")],
        send_before=_meeting_over(meeting),
        about=_about(item),
    )


def calendar_entry(meeting: Meeting, method: invitations.Method) -> Attachment:
    """The meeting (or a written procedure's deadline) for the recipient's calendar: the
    same UID every time, a higher SEQUENCE after each correction, CANCEL when cancelled.
    An invitation names its organizer — PRB's sender — and the members seated on the
    meeting's date (iTIP wants both in a REQUEST or CANCEL: without them some calendars
    show it as an event of the recipient's own, or refuse the update)."""
    name, address = parseaddr(sender())
    return Attachment(
        invitations.ics_filename(meeting),
        invitations.content_type(method),
        invitations.meeting_ics(
            meeting,
            sequence=invitations.meeting_sequence(meeting),
            method=method,
            organizer=(name or invitations.BOARD, address),
            attendees=[(m.name, m.email) for m in board_members(on=meeting.held_on)],
        ),
    )


def meeting_changed(meeting: Meeting, *, cancelled: bool) -> None:
    """Tell those the meeting invited, with the calendar entry updated or cancelled."""
    if meeting.recorded_after:
        return  # it invited nobody (see placed_on_agenda)
    what = "cancelled" if cancelled else "corrected"
    if cancelled:
        # The same words in the app, which has no attachment, and in the e-mail, which has.
        body = (
            "Its items are withdrawn; the calendar entry sent by e-mail removes it from your "
            "calendar."
        )
    elif meeting.deadline is not None:
        body = (
            f"It runs from {_long(meeting.held_on)}; voting now closes at "
            f"{calendar.utc_time(meeting.deadline)}. The calendar entry sent by e-mail updates "
            "your calendar."
        )
    else:
        body = (
            f"It is now on {_long(meeting.held_on)}"
            + (f", {meeting.place}" if meeting.place else "")
            + ". The calendar entry sent by e-mail updates your calendar."
        )
    notify(
        Event.MEETING_CHANGED,
        meeting_audience(Event.MEETING_CHANGED, meeting),
        subject=f"{meeting.kind_label} {meeting.number} was {what}",
        body=body,
        link=meeting_link(meeting),
        attachments=[calendar_entry(meeting, "CANCEL" if cancelled else "REQUEST")],
    )


def deferred(item: AgendaItem) -> None:
    """The Board left an item undecided for a later meeting (by its choice, or no quorum):
    its working group's chairs hear why, and that it stays under review."""
    proposal, meeting = item.proposal, item.meeting
    what = f"The extension of {_name(proposal)}" if item.extension_id else _name(proposal)
    notify(
        Event.DEFERRED,
        proposal_audience(Event.DEFERRED, proposal),
        subject=f"{what}: the Board deferred it to a later meeting",
        body=f"{meeting.kind_label} {meeting.number}, item {item.position}: "
        f"{item.outcome_note}. Nothing was decided; "
        + ("the request" if item.extension_id else "the proposal")
        + " stays under review and may go on a later agenda.",
        link=proposal_link(proposal),
    )


def deadline_near(item: AgendaItem) -> list[Notification]:
    """48 hours before a written procedure's deadline, to those who have not voted (once)."""
    meeting = item.meeting
    assert meeting.deadline is not None
    return notify(
        Event.DEADLINE_NEAR,
        item_audience(Event.DEADLINE_NEAR, item),
        subject=f"Written procedure {meeting.number}: your vote on "
        f"{item.proposal.display_code} is due by {calendar.utc_time(meeting.deadline)}",
        body="You have not voted on this item yet.",
        link=meeting_link(meeting),
        key=f"deadline:{item.id}:{meeting.deadline.isoformat()}",
        send_before=meeting.deadline,
        about=_about(item),
    )


def minutes_finalised(record: MinutesVersion) -> None:
    meeting = record.meeting
    notify(
        Event.MINUTES_FINALISED,
        meeting_audience(Event.MINUTES_FINALISED, meeting),
        # "PRB/2018/03: minutes finalised", "…: Corrigendum 1 to the minutes finalised"
        # (the first version's label is "Minutes": "Minutes of the minutes" it read).
        subject=f"{meeting.number}: {record.label} to the minutes finalised"
        if record.is_corrigendum
        else f"{meeting.number}: minutes finalised",
        body=f"SHA-256 of the PDF: {record.sha256}" + (" (signed)" if record.signed else "") + ".",
        link=meeting_link(meeting) + "#minutes",
    )


def extension_requested(extension: ExtensionRequest) -> None:
    proposal = extension.proposal
    notify(
        Event.EXTENSION_REQUESTED,
        proposal_audience(Event.EXTENSION_REQUESTED, proposal),
        subject=f"{_name(proposal)}: an extension is requested ({extension.summary})",
        body="It awaits finance’s review before it goes to the Board.",
        link=proposal_link(proposal),
    )


def extension_decided(extension: ExtensionRequest, approved: bool) -> None:
    proposal = extension.proposal
    notify(
        Event.EXTENSION_DECIDED,
        proposal_audience(Event.EXTENSION_DECIDED, proposal),
        subject=f"{_name(proposal)}: the extension ({extension.summary}) was "
        + ("approved" if approved else "not approved"),
        body=(f"The project now ends on {_long(extension.new_end)}." if approved else ""),
        link=proposal_link(proposal),
    )


def project_ending(proposal: Proposal, days: int) -> list[Notification]:
    """60 and 30 days before a project's end (once each, for that end date)."""
    assert proposal.current_end is not None
    return notify(
        Event.PROJECT_ENDING,
        proposal_audience(Event.PROJECT_ENDING, proposal),
        subject=f"{_name(proposal)} ends in {days} days, on {_long(proposal.current_end)}",
        body="If it needs more time, its working group’s chair requests an extension now.",
        link=proposal_link(proposal),
        key=f"ending:{proposal.id}:{days}:{proposal.current_end.isoformat()}",
        send_before=calendar.start_of_day_after(proposal.current_end),
    )


def disbursement_recorded(proposal: Proposal, entry: LedgerEntry) -> None:
    notify(
        Event.DISBURSEMENT_RECORDED,
        proposal_audience(Event.DISBURSEMENT_RECORDED, proposal),
        subject=f"{_name(proposal)}: USD {entry.amount:,.2f} disbursed",
        body=f"Value date {_long(entry.value_date)}.",
        link=proposal_link(proposal),
    )


def _report_about(proposal_id: int, kind: str, due_on: date) -> str:
    # A project has one final report, whatever its due date was when it was asked for.
    return f"report:{proposal_id}:{kind}" + ("" if kind == ReportKind.FINAL else f":{due_on}")


def report_in_hand(report: ProgressReport) -> None:
    """The chairs submitted the report: reminders that it is overdue, not sent yet, stop."""
    overtaken(
        [_report_about(report.proposal_id, report.kind, report.due_on)],
        f"Overtaken: the {report.summary} was submitted before it went.",
    )


def report_overdue(proposal: Proposal, slot: Slot) -> list[Notification]:
    """Once per overdue report (its project, kind and due date are the key)."""
    label, due_on = slot.label, slot.due_on
    return notify(
        Event.REPORT_OVERDUE,
        proposal_audience(Event.REPORT_OVERDUE, proposal),
        subject=f"{_name(proposal)}: {label.lower()} overdue since {_long(due_on)}",
        body="Submit it from the project’s page; the secretariat accepts it or sends it back.",
        link=proposal_link(proposal),
        key=f"report-overdue:{proposal.id}:{label}:{due_on.isoformat()}",
        about=_report_about(proposal.id, slot.kind, due_on),
    )
