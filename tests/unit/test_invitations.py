"""Calendar invitations (issue 14 §6): the .ics built for a meeting reads back as RFC 5545
says, keeps its UID across versions, and carries user text only as escaped values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from prb.models import Meeting
from prb.services import board, invitations
from tests.board_helpers import meeting
from workflows import MeetingKind

STAMP = datetime(2018, 3, 1, 9, 30, tzinfo=UTC)


def _meeting(**fields: object) -> Meeting:
    """A meeting as loaded from the database; the builder needs no session."""
    values: dict[str, object] = {
        "id": 42,
        "number": "PRB/2018/03",
        "kind": MeetingKind.MEETING,
        "held_on": date(2018, 3, 14),
        "place": "New York",
        "deadline": None,
    }
    values.update(fields)
    return Meeting(**values)


def _event(raw: bytes):  # type: ignore[no-untyped-def]
    calendar = Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_a_meeting_is_an_all_day_event_on_its_date(app) -> None:  # type: ignore[no-untyped-def]
    raw = invitations.meeting_ics(_meeting(), sequence=0, method="REQUEST", stamp=STAMP)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    calendar, event = _event(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == invitations.PRODID
    assert str(calendar["METHOD"]) == "REQUEST"
    start = event.decoded("DTSTART")
    assert type(start) is date and start == date(2018, 3, 14)
    assert b"DTSTART;VALUE=DATE:20180314" in raw
    assert event.decoded("DTEND") == date(2018, 3, 15)  # exclusive: one day
    assert str(event["SUMMARY"]) == "PRB/2018/03 — Programme Review Board meeting"
    assert str(event["LOCATION"]) == "New York"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTAMP") == STAMP
    assert b"DTSTAMP:20180301T093000Z" in raw
    url = "http://prb.local/board/meetings/42"
    assert str(event["URL"]) == url
    assert url in str(event["DESCRIPTION"])


def test_the_uid_and_links_follow_the_configured_site_and_stay_stable(app) -> None:  # type: ignore[no-untyped-def]
    m = _meeting()
    assert invitations.meeting_uid(m) == "meeting-42@prb.local"
    app.config["BASE_URL"] = "https://prb.example.org/office"
    uids = {
        str(_event(invitations.meeting_ics(m, sequence=s, method=method))[1]["UID"])
        for s, method in [(0, "REQUEST"), (1, "REQUEST"), (2, "CANCEL"), (2, "PUBLISH")]
    }
    assert uids == {"meeting-42@prb.example.org"}
    # A request through another host name changes neither the UID nor the link.
    with app.test_request_context(base_url="http://10.0.0.5:5000"):
        _, event = _event(invitations.meeting_ics(m, sequence=0, method="REQUEST"))
    assert str(event["UID"]) == "meeting-42@prb.example.org"
    assert str(event["URL"]) == "https://prb.example.org/office/board/meetings/42"


def test_a_cancellation_raises_the_sequence_and_says_cancelled(app) -> None:  # type: ignore[no-untyped-def]
    calendar, event = _event(invitations.meeting_ics(_meeting(), sequence=3, method="CANCEL"))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3


def test_user_text_round_trips_and_cannot_add_a_property(app) -> None:  # type: ignore[no-untyped-def]
    place = 'Room 3; floor 2, "East"\\wing\nX\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT'
    raw = invitations.meeting_ics(_meeting(place=place), sequence=0, method="REQUEST")
    _, event = _event(raw)
    assert str(event["LOCATION"]) == place.replace("\r\n", "\n")
    assert "ATTENDEE" not in event
    # Unfolded, every line is one property: the text stays inside LOCATION's value.
    lines = raw.decode().replace("\r\n ", "").split("\r\n")
    assert lines.count("END:VEVENT") == 1
    assert [line.split(":", 1)[0] for line in lines if "ATTENDEE" in line] == ["LOCATION"]
    assert (
        'LOCATION:Room 3\\; floor 2\\, "East"\\\\wing\\nX\\nATTENDEE:mailto:evil@example.org'
        "\\nEND:VEVENT"
    ) in lines


def test_control_characters_are_dropped(app) -> None:  # type: ignore[no-untyped-def]
    # RFC 5545 TEXT allows none but the tab; a lone CR becomes an escaped line break.
    raw = invitations.meeting_ics(_meeting(place="a\x00b\x0bc\rd"), sequence=0, method="PUBLISH")
    assert b"\x00" not in raw
    assert str(_event(raw)[1]["LOCATION"]) == "abc\nd"


def test_names_in_parameters_cannot_break_the_line(app) -> None:  # type: ignore[no-untyped-def]
    raw = invitations.meeting_ics(
        _meeting(),
        sequence=0,
        method="REQUEST",
        organizer=('Sec "Office"\nATTENDEE:mailto:evil@example.org', "secretariat@example.org"),
        attendees=[("Member, One", "one@example.org"), ("Two", "two@example.org")],
    )
    _, event = _event(raw)
    assert str(event["ORGANIZER"]) == "mailto:secretariat@example.org"
    assert event["ORGANIZER"].params["CN"] == "Sec 'Office' ATTENDEE:mailto:evil@example.org"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:one@example.org", "mailto:two@example.org"]
    assert attendees[0].params["CN"] == "Member, One"


def test_a_written_procedure_is_an_event_at_its_deadline(app) -> None:  # type: ignore[no-untyped-def]
    deadline = datetime(2018, 3, 21, 17, 0, tzinfo=UTC)
    m = _meeting(
        number="PRB/2018/05",
        kind=MeetingKind.WRITTEN_PROCEDURE,
        place="by correspondence",
        deadline=deadline,
    )
    raw = invitations.meeting_ics(m, sequence=0, method="REQUEST")
    _, event = _event(raw)
    assert event.decoded("DTSTART") == deadline
    assert b"DTSTART:20180321T170000Z" in raw
    assert "DTEND" not in event  # the moment voting closes
    assert str(event["SUMMARY"]) == (
        "PRB/2018/05 — Programme Review Board written procedure: votes due"
    )


def test_a_written_procedure_without_deadline_falls_back_to_its_date(app) -> None:  # type: ignore[no-untyped-def]
    m = _meeting(kind=MeetingKind.WRITTEN_PROCEDURE, place="")
    _, event = _event(invitations.meeting_ics(m, sequence=0, method="PUBLISH"))
    assert event.decoded("DTSTART") == date(2018, 3, 14)
    assert "LOCATION" not in event


def test_wrong_arguments_are_refused(app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        invitations.meeting_ics(_meeting(), sequence=0, method="REPLY")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        invitations.meeting_ics(_meeting(), sequence=-1, method="REQUEST")


def test_filename_and_content_type(app) -> None:  # type: ignore[no-untyped-def]
    assert invitations.ics_filename(_meeting()) == "PRB-2018-03.ics"
    assert invitations.ics_filename(_meeting(number='a"b\r\n')) == "a-b.ics"
    assert invitations.content_type("REQUEST") == "text/calendar; charset=utf-8; method=REQUEST"


def test_the_sequence_counts_corrections_and_the_cancellation(world) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world)
    assert invitations.meeting_sequence(m) == 0
    board.correct_meeting(
        world.secretariat,
        m.id,
        board.Correction(
            number=m.number,
            held_on=m.held_on + timedelta(days=1),
            place="Geneva",
            chair_id=m.chair_id,
        ),
    )
    assert invitations.meeting_sequence(m) == 1
    board.cancel_meeting(world.secretariat, m.id, "No quorum expected")
    assert invitations.meeting_sequence(m) == 2
    other = meeting(world, number="PRB/2018/04")
    assert invitations.meeting_sequence(other) == 0
