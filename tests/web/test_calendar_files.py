"""The meeting's .ics download (issue 14 §6): for those who may see the meeting only."""

from __future__ import annotations

from icalendar import Calendar

from prb.services import board
from tests.board_helpers import meeting
from tests.conftest import sign_in


def _event(response):  # type: ignore[no-untyped-def]
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_viewer_downloads_the_meeting_as_a_calendar_file(app, client, world) -> None:  # type: ignore[no-untyped-def]
    app.config["BASE_URL"] = "https://prb.example.org"
    m = meeting(world)
    sign_in(client, world.board_undp)
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert f'href="/board/meetings/{m.id}/calendar.ics"' in page
    assert "Add to calendar (.ics)" in page
    response = client.get(f"/board/meetings/{m.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="PRB-2018-03.ics"'
    assert "no-store" in response.headers["Cache-Control"]
    calendar, event = _event(response)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"meeting-{m.id}@prb.example.org"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTART") == m.held_on
    assert str(event["URL"]) == f"https://prb.example.org/board/meetings/{m.id}"


def test_the_file_of_a_cancelled_meeting_cancels_the_event(client, world) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world)
    board.cancel_meeting(world.secretariat, m.id, "No quorum expected")
    sign_in(client, world.finance)
    calendar, event = _event(client.get(f"/board/meetings/{m.id}/calendar.ics"))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1


def test_a_written_procedure_downloads_its_deadline(client, world) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world, written=True, number="PRB/2018/05")
    sign_in(client, world.secretariat)
    _, event = _event(client.get(f"/board/meetings/{m.id}/calendar.ics"))
    assert event.decoded("DTSTART") == m.deadline.replace(microsecond=0)  # whole seconds
    assert str(event["SUMMARY"]).endswith("written procedure: votes due")


def test_others_may_not_download_and_a_missing_meeting_is_not_found(client, world) -> None:  # type: ignore[no-untyped-def]
    m = meeting(world)
    sign_in(client, world.chair_a)
    assert client.get(f"/board/meetings/{m.id}/calendar.ics").status_code == 403
    client.post("/logout")
    sign_in(client, world.secretariat)
    assert client.get(f"/board/meetings/{m.id + 999}/calendar.ics").status_code == 404
