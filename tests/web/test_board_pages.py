"""The Board's members and rules pages (an administrator edits, the Board, secretariat and
finance read), and meetings entered after they took place, through the browser's eyes."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    AgendaItem,
    AuditRecord,
    BoardMembership,
    BoardRules,
    CodeStyle,
    Meeting,
    Vote,
)
from prb.services import board
from tests import factories
from tests.board_helpers import item_under_review
from tests.conftest import sign_in
from tests.web.test_minutes import pdf_text
from workflows import ItemState, ProposalState, Role

S = ProposalState


def as_user(client, user) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout")
    sign_in(client, user)


def admin(world):  # type: ignore[no-untyped-def]
    user = factories.user("admin@prb.example", world.unoct, Role.ADMINISTRATOR, name="Ada Admin")
    db.session.commit()
    return user


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(BoardMembership.id))) or 0,
        db.session.scalar(select(func.count(BoardRules.id))) or 0,
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.subject.is_not(None))
        )
        or 0,
    )


def undp_seat(world) -> BoardMembership:  # type: ignore[no-untyped-def]
    return db.session.scalars(
        select(BoardMembership).where(BoardMembership.user_id == world.board_undp.id)
    ).one()


def test_the_secretariat_reads_but_may_not_edit_seats_or_rules(client, world) -> None:
    seat = undp_seat(world)
    before = counts()
    sign_in(client, world.secretariat)
    page = client.get("/board/members")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Board Undp" in text and "Add a seat" not in text
    assert client.get("/board/rules").status_code == 200
    for url, data in (
        ("/board/members", {"user_id": world.secretariat.id, "since": "2019-01-01"}),
        (f"/board/members/{seat.id}/end", {"until": "2019-01-01"}),
        (f"/board/members/{seat.id}/chair", {"is_chair": "1"}),
        ("/board/rules", {"effective_from": "2019-01-01", "quorum": "1/3"}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert counts() == before and undp_seat(world).until is None


def test_members_and_rules_pages_are_for_the_board_secretariat_finance_and_admin(
    client, world
) -> None:
    sign_in(client, world.chair_a)
    assert client.get("/board/members").status_code == 403
    assert client.get("/board/rules").status_code == 403
    for user in (world.board_undp, world.finance, admin(world)):
        as_user(client, user)
        assert client.get("/board/members").status_code == 200
        assert client.get("/board/rules").status_code == 200


def test_an_administrator_keeps_the_seats_on_the_page(client, world) -> None:
    joining = factories.user("joining@prb.example", world.unodc)
    joining.set_roles({Role.BOARD_MEMBER})  # the role, and no seat yet
    db.session.commit()
    sign_in(client, admin(world))
    page = client.get("/board/members").get_data(as_text=True)
    assert "Add a seat" in page and "Jean-François Lefèvre" in page
    missing = client.post("/board/members", data={"user_id": joining.id})
    assert missing.status_code == 422
    assert "Give the first day of the seat." in missing.get_data(as_text=True)
    added = client.post("/board/members", data={"user_id": joining.id, "since": "2019-01-01"})
    assert added.status_code == 303
    assert "Seat added for Joining" in client.get(added.location).get_data(as_text=True)
    seat = db.session.scalars(
        select(BoardMembership).where(BoardMembership.user_id == joining.id)
    ).one()
    ended = client.post(f"/board/members/{seat.id}/end", data={"until": "2019-12-31"})
    assert ended.status_code == 303
    # a second chair over the same dates is refused with the reason
    clash = client.post(f"/board/members/{seat.id}/chair", data={"is_chair": "1"})
    assert clash.status_code == 422
    assert "chairs the Board from 1 January 2000" in clash.get_data(as_text=True)
    db.session.expire_all()
    assert (seat.since, seat.until, seat.is_chair) == (date(2019, 1, 1), date(2019, 12, 31), False)


def test_an_administrator_adds_a_rules_version_on_the_page(client, world) -> None:
    sign_in(client, admin(world))
    page = client.get("/board/rules").get_data(as_text=True)
    assert "Add a version" in page and 'value="1/2"' in page
    bad = client.post(
        "/board/rules",
        data={"effective_from": "2019-01-01", "quorum": "most", "written_procedure_days": "14"},
    )
    assert bad.status_code == 422
    assert "Give the quorum as a fraction" in bad.get_data(as_text=True)
    good = client.post(
        "/board/rules",
        data={
            "effective_from": "2019-01-01",
            "quorum": "2/3",
            "casting_vote": "y",
            "written_procedure_days": "10",
        },
    )
    assert good.status_code == 303
    page = client.get(good.location).get_data(as_text=True)
    assert "1 January 2019" in page and "2/3 of eligible members" in page
    assert "10 days" in page and "may not vote" in page


def test_a_meeting_that_already_took_place_is_entered_on_the_pages(client, world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW, title="Biometrics Compendium")
    sign_in(client, world.secretariat)
    form = {"number": "PRB/2018/01", "kind": "meeting", "held_on": "2018-02-15", "place": "NY"}
    refused = client.post("/board/meetings/new", data=form)
    assert refused.status_code == 422
    assert "this meeting already took place" in refused.get_data(as_text=True)
    response = client.post("/board/meetings/new", data={**form, "recorded_after": "y"})
    assert response.status_code == 302
    m = db.session.scalars(select(Meeting)).one()
    assert m.recorded_after and m.chair_id == world.board_chair.id  # the chair of that date
    client.post(f"/board/meetings/{m.id}/agenda", data={"proposal_id": proposal.id})
    item = db.session.scalars(select(AgendaItem)).one()
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    assert "Enter the votes from the record" in page
    # the record says who attended: only members present vote
    present = [world.board_chair.id, world.board_undp.id, world.board_cted.id]
    client.post(f"/board/meetings/{m.id}/attendance", data={"present": present})
    for member in (world.board_chair, world.board_undp):
        entered = client.post(
            f"/board/items/{item.id}/record-vote",
            data={"member_id": member.id, "choice": "approve"},
        )
        assert entered.status_code == 303
    # the recused CTED member has no vote to enter
    recused = client.post(
        f"/board/items/{item.id}/record-vote",
        data={"member_id": world.board_cted.id, "choice": "approve"},
    )
    assert recused.status_code == 422 and "recused" in recused.get_data(as_text=True)
    # a board member may not enter votes for others, nor vote herself on a past meeting
    as_user(client, world.board_undp)
    other = client.post(
        f"/board/items/{item.id}/record-vote",
        data={"member_id": world.board_chair.id, "choice": "reject"},
    )
    assert other.status_code == 403
    assert client.post(f"/board/items/{item.id}/vote", data={"choice": "reject"}).status_code == (
        403
    )
    assert "Cast my vote" not in client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    votes = db.session.scalars(select(Vote).order_by(Vote.id)).all()
    assert [(v.choice, v.recorded_by_id) for v in votes] == [
        ("approve", world.secretariat.id),
        ("approve", world.secretariat.id),
    ]
    as_user(client, world.secretariat)
    closed = client.post(
        f"/board/items/{item.id}/close",
        data={"budget": "150000.00", "duration_months": "12", "start": "2018-04-01"},
    )
    assert closed.status_code == 303
    db.session.expire_all()
    assert item.decision.decided_on == date(2018, 2, 15)
    assert item.proposal.status == S.APPROVED
    minutes = pdf_text(client.get(f"/board/meetings/{m.id}/minutes/draft.pdf").data)
    assert "Entered in PRB after the meeting took place" in minutes
    assert "Rules of procedure of 15 February 2018: quorum more than 1/2" in minutes
    assert "Decision Approved, 15 February 2018" in minutes


def test_recording_votes_on_a_live_meeting_is_refused(client, world) -> None:
    item = item_under_review(world)
    sign_in(client, world.secretariat)
    assert "Enter the votes from the record" not in client.get(
        f"/board/meetings/{item.meeting_id}"
    ).get_data(as_text=True)
    response = client.post(
        f"/board/items/{item.id}/record-vote",
        data={"member_id": world.board_undp.id, "choice": "approve"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_a_member_recorded_absent_is_told_why_she_cannot_vote(client, world) -> None:
    item = item_under_review(world)
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    sign_in(client, world.board_undp)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "You cannot vote at this meeting" in page and "recorded absent" in page
    assert "Cast my vote" not in page
    response = client.post(f"/board/items/{item.id}/vote", data={"choice": "approve"})
    assert response.status_code == 403
    assert "may not vote" in response.get_data(as_text=True)


def test_the_close_form_takes_a_typed_project_code(client, world) -> None:
    world.programme.code_style = CodeStyle.TYPED
    db.session.commit()
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert 'name="project_code"' in page
    terms = {"budget": "150000.00", "duration_months": "12", "start": "2019-03-01"}
    missing = client.post(f"/board/items/{item.id}/close", data=terms)
    assert missing.status_code == 422 and "Type the project code" in missing.get_data(as_text=True)
    done = client.post(
        f"/board/items/{item.id}/close", data={**terms, "project_code": "UNCCT-2019-02-79-D"}
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert item.proposal.project_code == "UNCCT-2019-02-79-D"


def test_the_attendance_form_shows_who_is_present_and_offers_only_the_absent_to_join(
    client, world
) -> None:
    """The attendance checkboxes and the joining list are written as plain HTML: each
    present member's box checked, the others not, names escaped, and only the absent
    offered as joining."""
    item = item_under_review(world)
    world.board_undp.name = "Ann <b>O'Hara</b>"
    db.session.commit()
    board.record_attendance(world.secretariat, item.meeting_id, {world.board_chair.id})
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    attendance = page.split('id="attendance-title"')[1].split("</section>")[0]
    boxes = re.findall(
        r'<input( checked)? id="present-\d+" name="present" type="checkbox" '
        r'value="(\d+)">',
        attendance,
    )
    assert sorted((int(value), bool(ticked)) for ticked, value in boxes) == sorted(
        (member.id, member is world.board_chair)
        for member in (world.board_chair, world.board_cted, world.board_undp)
    )
    assert "Ann &lt;b&gt;O&#39;Hara&lt;/b&gt;" in attendance and "<b>O" not in attendance
    joining = attendance.split('id="joining-member"')[1].split("</select>")[0]
    offered = {int(v) for v in re.findall(r'<option value="(\d+)">', joining)}
    assert offered == {world.board_cted.id, world.board_undp.id}


def test_a_typed_code_that_reads_as_another_programmes_is_refused(client, world) -> None:
    """Found exploring: UNCCT-2025-01-e was typed for a project of a typed-code programme;
    it was listed under UNCCT-2025-01, whose next automatic code then skipped a letter."""
    from prb.services.reference.programmes import ProgrammeInput, create_programme
    from tests.reference_helpers import administrator

    create_programme(
        administrator(world),
        ProgrammeInput(
            "UNCCT-2025-01", "Seed funding 2025", 2025, 2026, envelope=Decimal("500000.00")
        ),
    )
    world.programme.code_style = CodeStyle.TYPED
    db.session.commit()
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    sign_in(client, world.secretariat)
    terms = {"budget": "150000.00", "duration_months": "12", "start": "2019-03-01"}
    refused = client.post(
        f"/board/items/{item.id}/close", data={**terms, "project_code": "uncct-2025-01-E"}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "uncct-2025-01-E reads as a code of UNCCT-2025-01, another programme." in text
    assert 'value="uncct-2025-01-E"' in text  # what was typed, shown again
    db.session.expire_all()
    assert item.proposal.project_code is None and item.status == ItemState.OPEN
    # Its own programme's code, or a code of no programme, is fine.
    own = f"{world.programme.code}-X"
    done = client.post(f"/board/items/{item.id}/close", data={**terms, "project_code": own})
    assert done.status_code == 303


def test_a_member_who_has_left_the_board_is_offered_as_chair_of_a_past_meeting(
    client, world
) -> None:
    """Found exploring: the scheduling form listed only today's members, so a past meeting's
    chair who had left since could be picked only after a refused submission."""
    from tests.reference_helpers import administrator

    admin = administrator(world)
    [seat] = [s for s in board.seats(admin) if s.user_id == world.board_undp.id]
    board.end_seat(admin, seat.id, date(2024, 12, 31))
    sign_in(client, world.secretariat)
    page = client.get("/board/meetings/new").get_data(as_text=True)
    chairs = page.split('name="chair_id"')[1].split("</select>")[0]
    assert f"{world.board_undp.name} (seat ended 31 December 2024)" in chairs
    assert f">{world.board_chair.name}<" in chairs
    form = {
        "number": "PRB/2024/02",
        "kind": "meeting",
        "held_on": "2024-06-30",
        "place": "NY",
        "recorded_after": "y",
        "chair_id": str(world.board_undp.id),
    }
    assert client.post("/board/meetings/new", data=form).status_code == 302
    assert db.session.scalars(select(Meeting)).one().chair_id == world.board_undp.id
    # Her seat decides: a meeting after it ended is refused, beside the chair.
    late = {**form, "number": "PRB/2025/01", "held_on": "2025-03-01"}
    refused = client.post("/board/meetings/new", data=late)
    assert refused.status_code == 422
    assert "has no seat on the Board on 1 March 2025" in refused.get_data(as_text=True)


def test_the_agenda_tells_the_lead_entity_from_the_implementing_ones(client, world) -> None:
    """Found exploring: "lead CTED, UNICRI, UNODC" read as three lead entities (the minutes
    print "CTED; implementing: UNICRI, UNODC")."""
    item = item_under_review(world, implementing_entities=[world.unodc, world.unoct])
    sign_in(client, world.secretariat)
    page = client.get(f"/board/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "· lead CTED; implementing UNOCT, UNODC ·" in page
    alone = item_under_review(world, item.meeting, title="Led alone")
    page = client.get(f"/board/meetings/{alone.meeting_id}").get_data(as_text=True)
    assert "· lead CTED · requested" in page
