"""A past meeting is counted against the Board as it was on its date: the seats of that
date decide who sat (a member whose account was disabled since still sat, and chaired)
and for which entity (a member who moved to another entity since is recused for the
entity of her seat then). From an empty database, through the services the admin and
secretariat pages use: once for a meeting entered after the changes, once for a meeting
entered before them and looked at (and closed) after."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from prb.extensions import db
from prb.models import AgendaItem, Meeting, User, replayed_at, utcnow
from prb.services import board, lifecycle, minutes, proposals
from prb.services.accounts.password_links import invite_user, set_password_with_link
from prb.services.accounts.people import UserInput, update_user
from prb.services.accounts.setup import set_up_office
from prb.services.calls import CallInput, create_call
from prb.services.errors import Invalid, NotAllowed
from prb.services.proposal_rules import ProposalInput
from prb.services.reference.entities import EntityInput, create_entity
from prb.services.reference.groups import GroupInput, appoint_chair, create_group
from prb.services.reference.programmes import ProgrammeInput, create_programme
from tests.conftest import sign_in
from workflows import MeetingKind, ProposalState, ProposalTrigger, Role, VoteChoice

LINK = timedelta(days=3)
ENTITIES = ("CTED", "UNODC", "UNDP", "OHCHR", "UNICRI")
# Who sat on the Board, for which entity: the chair (disabled since) and the member who
# moved from UNDP to OHCHR since.
SEATS = {"Alma Abara": "CTED", "Bea Bello": "UNODC", "Cleo Cruz": "UNDP", "Dora Diaz": "UNICRI"}
THEN = [f"{name} ({code})" for name, code in SEATS.items()]


@dataclass
class Office:
    admin: User
    secretariat: User
    members: dict[str, User]
    entities: dict[str, int]
    proposals: dict[str, int]  # lead entity → proposal under review
    held: date


def password(name: str) -> str:
    return f"lantern {hashlib.sha256(name.encode()).hexdigest()[:6]} own passphrase"


def invited(admin: User, email: str, name: str, entity_id: int, *roles: Role) -> User:
    link = invite_user(admin, UserInput(email, name, entity_id, set(roles)), valid_for=LINK)
    return set_password_with_link(link.token, password(name), password(name))


def set_up() -> Office:
    """An office whose Board sat from 400 days ago, and proposals under review: one led by
    UNDP, one by OHCHR, one led by CTED and implemented by UNDP."""
    today = utcnow().date()
    seated, held = today - timedelta(days=400), today - timedelta(days=120)
    made = set_up_office(
        entity_code="UNOCT",
        entity_name="United Nations Office of Counter-Terrorism",
        email="ana.admin@un.example",
        name="Ana Admin",
        also_secretariat=False,
        valid_for=LINK,
    )
    admin = set_password_with_link(made.link.token, password("Ana"), password("Ana"))
    entities = {"UNOCT": admin.entity_id}
    for code in ENTITIES:
        entities[code] = create_entity(admin, EntityInput(code, f"The {code}")).id
    group = create_group(admin, GroupInput("Border management", "Border"))
    programme = create_programme(
        admin,
        ProgrammeInput(
            code="UNCCT-2025-01",
            title="Seed funding",
            start_year=seated.year,
            end_year=today.year + 1,
            envelope=Decimal("1000000.00"),
        ),
    )
    secretariat = invited(
        admin, "sam@un.example", "Sam Secretary", entities["UNOCT"], Role.SECRETARIAT
    )
    chair = invited(admin, "chloe@un.example", "Chloé Chair", entities["CTED"], Role.CHAIR)
    appoint_chair(admin, group.id, chair.id, seated)
    members = {}
    for name, code in SEATS.items():
        email = f"{name.split()[0].lower()}@un.example"
        members[name] = invited(admin, email, name, entities[code], Role.BOARD_MEMBER)
        board.add_seat(admin, board.SeatInput(members[name].id, seated, None, code == "CTED"))
    board.add_rules(admin, board.RulesInput(seated, "1/2", True, 14, absent_may_vote=False))
    # The call ran, and the chairs submitted, a month before the meeting (entered today).
    with replayed_at(datetime.combine(held - timedelta(days=30), time(10), tzinfo=UTC)):
        now = utcnow()
        create_call(
            admin,
            CallInput(
                programme_id=programme.id,
                title="Call for proposals",
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=30),
                working_group_ids={group.id},
                guidance="Seed funding.",
            ),
        )
        led = {}
        # A third, led by CTED and implemented by UNDP, is put only on a live meeting's agenda.
        for code, implementing in (("UNDP", []), ("OHCHR", []), ("CTED", [entities["UNDP"]])):
            proposal = proposals.create_proposal(
                chair,
                ProposalInput(
                    programme_id=programme.id,
                    working_group_id=group.id,
                    title=f"Project led by {code}",
                    lead_entity_id=entities[code],
                    implementing_entity_ids=implementing,
                    objective="Strengthen border management",
                    description="Workshops.",
                    thematic_area="Border management",
                    results_alignment="Outcome 4, Output 4.2",
                    requested_budget=Decimal("100000.00"),
                    duration_months=12,
                    planned_start=held + timedelta(days=40),
                ),
                submit=True,
            )
            lifecycle.fire(secretariat, proposal.id, ProposalTrigger.START_REVIEW)
            led[code] = proposal.id
    return Office(admin, secretariat, members, entities, led, held)


def since_the_meeting(o: Office) -> None:
    """After the meeting's date, on the Users page: the chair leaves the office (her account
    is disabled; it names the office's own entity now), and Cleo moves from UNDP to OHCHR."""
    alma, cleo = o.members["Alma Abara"], o.members["Cleo Cruz"]
    update_user(
        o.admin,
        alma.id,
        UserInput(alma.email, alma.name, o.entities["UNOCT"], {Role.BOARD_MEMBER}, active=False),
    )
    update_user(
        o.admin, cleo.id, UserInput(cleo.email, cleo.name, o.entities["OHCHR"], {Role.BOARD_MEMBER})
    )
    assert not alma.active and cleo.entity.code == "OHCHR"


def past_meeting(o: Office, chair_id: int | None = None) -> tuple[Meeting, AgendaItem, AgendaItem]:
    """The meeting of 120 days ago, entered after the fact; everyone present."""
    m = board.schedule_meeting(
        o.secretariat,
        board.MeetingInput(
            number=f"PRB/{o.held.year}/07",
            kind=MeetingKind.MEETING,
            held_on=o.held,
            place="New York",
            chair_id=chair_id,
            recorded_after=True,
        ),
    )
    undp = board.add_to_agenda(o.secretariat, m.id, o.proposals["UNDP"])
    ohchr = board.add_to_agenda(o.secretariat, m.id, o.proposals["OHCHR"])
    board.record_attendance(o.secretariat, m.id, {u.id for u in o.members.values()})
    return m, undp, ohchr


def record_votes(o: Office, undp: AgendaItem, ohchr: AgendaItem) -> None:
    """Two of the three not recused reject the UNDP project (Cleo sat for UNDP: recused);
    three of four reject the OHCHR one (Cleo voted: she sat for UNDP then)."""
    for name in ("Alma Abara", "Bea Bello"):
        board.record_vote(o.secretariat, undp.id, o.members[name].id, VoteChoice.REJECT)
    for name in ("Alma Abara", "Bea Bello", "Cleo Cruz"):
        board.record_vote(o.secretariat, ohchr.id, o.members[name].id, VoteChoice.REJECT)


def assert_as_it_was(client, o: Office, m: Meeting, undp: AgendaItem, ohchr: AgendaItem) -> None:  # type: ignore[no-untyped-def]
    """Members, chair, eligible counts, recusals and the draft minutes' list of those
    present: those of the meeting's date."""
    db.session.expire_all()
    cleo = o.members["Cleo Cruz"]
    assert [f"{s.name} ({s.entity.code})" for s in board.board_members(on=o.held)] == THEN
    assert m.chair_id == o.members["Alma Abara"].id
    counts = board.count_meeting(m)
    assert counts[undp.id].recused == {cleo.id: "UNDP is the lead entity"}
    assert (counts[undp.id].tally.eligible, counts[undp.id].tally.voted) == (3, 2)
    assert counts[ohchr.id].recused == {}
    assert (counts[ohchr.id].tally.eligible, counts[ohchr.id].tally.voted) == (4, 3)
    assert counts[undp.id].chair_present
    data = minutes.minutes_data(
        m, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    assert [f"{p.name} ({p.entity})" for p in data.present] == THEN
    assert data.absent == [] and data.chair_name == "Alma Abara"
    sign_in(client, o.members["Bea Bello"], password("Bea Bello"))
    page = client.get(f"/board/meetings/{m.id}").get_data(as_text=True)
    for name, code in SEATS.items():
        assert f"{name} ({code}): present" in page
    assert "2 of 3 eligible members have voted" in page
    assert "3 of 4 eligible members have voted" in page


def assert_decided_as_it_was(o: Office, undp: AgendaItem, ohchr: AgendaItem) -> None:
    """Closed after the changes: quorum and outcome of the meeting's date, and the record
    names each member for the entity she sat for."""
    board.close_item(o.secretariat, undp.id)
    board.close_item(o.secretariat, ohchr.id)
    db.session.expire_all()
    first, second = undp.decision, ohchr.decision
    assert (first.outcome, first.eligible, first.recused) == (VoteChoice.REJECT, 3, 1)
    assert first.recused_names == "Cleo Cruz (UNDP is the lead entity)"
    assert (second.outcome, second.eligible, second.recused) == (VoteChoice.REJECT, 4, 0)
    assert db.session.get(type(undp.proposal), o.proposals["OHCHR"]).status == (
        ProposalState.REJECTED
    )
    record = board.considered(ohchr)
    assert [f"{v.member.name} ({v.member.entity})" for v in record.votes] == THEN[:3]
    assert record.chair is not None and record.chair.entity == "CTED"


def test_a_meeting_entered_after_the_changes_counts_the_board_of_its_date(client, app) -> None:  # type: ignore[no-untyped-def]
    o = set_up()
    since_the_meeting(o)
    # Today the chair's account is disabled: today's Board has three members and no chair.
    assert [u.name for u in board.board_members()] == ["Bea Bello", "Cleo Cruz", "Dora Diaz"]
    assert board.board_chair() is None
    alma, cleo = o.members["Alma Abara"], o.members["Cleo Cruz"]
    assert board.board_chair(o.held) == alma  # the chair of the meeting's date
    # She is chosen as its chair (and kept by a correction), and recorded present.
    m, undp, ohchr = past_meeting(o, chair_id=alma.id)
    board.correct_meeting(
        o.secretariat, m.id, board.Correction(m.number, m.held_on, "Geneva", alma.id)
    )
    # Cleo sat for UNDP: recused on the UNDP project, not on the OHCHR one.
    with pytest.raises(Invalid, match="UNDP is the lead entity"):
        board.record_vote(o.secretariat, undp.id, cleo.id, VoteChoice.APPROVE)
    record_votes(o, undp, ohchr)
    assert_as_it_was(client, o, m, undp, ohchr)
    assert_decided_as_it_was(o, undp, ohchr)
    # She still cannot sign in.
    response = app.test_client().post(
        "/login", data={"email": "alma@un.example", "password": password("Alma Abara")}
    )
    assert response.status_code != 302 and "/login" in response.request.path


def test_a_meeting_entered_before_the_changes_reads_the_same_after(client, app) -> None:  # type: ignore[no-untyped-def]
    o = set_up()
    m, undp, ohchr = past_meeting(o)
    record_votes(o, undp, ohchr)
    assert_as_it_was(client, o, m, undp, ohchr)
    since_the_meeting(o)
    assert_as_it_was(client, o, m, undp, ohchr)  # its page and draft minutes
    assert_decided_as_it_was(o, undp, ohchr)


def test_a_live_meeting_recuses_for_the_seat_s_entity(app) -> None:  # type: ignore[no-untyped-def]
    """Asked for a vote (SQL) and voting (Python) agree: a member whose account names
    another entity than her seat — as a database from before seats followed a move holds
    it — counts for her seat's until the administrator gives her a new seat."""
    o = set_up()
    since_the_meeting(o)
    today = utcnow().date()
    cleo_seats = [s for s in board.seats(o.admin) if s.user_id == o.members["Cleo Cruz"].id]
    for seat in cleo_seats:  # as before the move split her seat: one seat, for UNDP
        if seat.since == today:
            db.session.delete(seat)
        else:
            seat.until = None
    db.session.commit()
    m = board.schedule_meeting(
        o.secretariat,
        board.MeetingInput(
            number=f"PRB/{today.year}/09",
            kind=MeetingKind.MEETING,
            held_on=today,
            place="New York",
        ),
    )
    assert m.chair_id is None  # the chair's account is disabled: she does not chair today
    undp = board.add_to_agenda(o.secretariat, m.id, o.proposals["UNDP"])
    ohchr = board.add_to_agenda(o.secretariat, m.id, o.proposals["OHCHR"])
    implemented = board.add_to_agenda(o.secretariat, m.id, o.proposals["CTED"])
    cleo = o.members["Cleo Cruz"]
    with pytest.raises(Invalid):  # a disabled account is not a member today
        board.mark_present(o.secretariat, m.id, o.members["Alma Abara"].id)
    board.mark_present(o.secretariat, m.id, cleo.id)
    asked = {i.id for i in board.awaiting_vote(cleo)}
    assert asked == {row.id for row in board.awaiting_list(cleo)} == {ohchr.id}
    with pytest.raises(NotAllowed, match="UNDP is the lead entity"):
        board.cast_vote(cleo, undp.id, VoteChoice.APPROVE)
    with pytest.raises(NotAllowed, match="UNDP is an implementing entity"):
        board.cast_vote(cleo, implemented.id, VoteChoice.APPROVE)
    board.cast_vote(cleo, ohchr.id, VoteChoice.APPROVE)
    # Given a new seat from today, she sits for OHCHR.
    [seat] = [s for s in board.seats(o.admin) if s.user_id == cleo.id]
    board.end_seat(o.admin, seat.id, today - timedelta(days=1))
    board.add_seat(o.admin, board.SeatInput(cleo.id, today))
    assert {i.id for i in board.awaiting_vote(cleo)} == {undp.id, implemented.id}
    with pytest.raises(NotAllowed, match="OHCHR is the lead entity"):
        board.cast_vote(cleo, ohchr.id, VoteChoice.APPROVE, change=True)


def test_moving_a_member_on_the_users_page_moves_her_seat_from_today(app) -> None:  # type: ignore[no-untyped-def]
    """The seat follows the account: held until yesterday for UNDP, from today for OHCHR
    (chair or not as it was, to the same last day); a seat starting later is for OHCHR;
    the meeting of 120 days ago still counts her for UNDP."""
    o = set_up()
    today = utcnow().date()
    cleo, alma = o.members["Cleo Cruz"], o.members["Alma Abara"]
    [alma_seat] = [s for s in board.seats(o.admin) if s.user_id == alma.id]
    board.end_seat(o.admin, alma_seat.id, today + timedelta(days=30))
    later = board.add_seat(
        o.admin, board.SeatInput(alma.id, today + timedelta(days=60), None, False)
    )
    cleo_moved = update_user(
        o.admin, cleo.id, UserInput(cleo.email, cleo.name, o.entities["OHCHR"], {Role.BOARD_MEMBER})
    ).seat_followed
    update_user(
        o.admin, alma.id, UserInput(alma.email, alma.name, o.entities["UNDP"], {Role.BOARD_MEMBER})
    )
    # What the Users page says comes from the service: the seat held from today and the
    # entity she sat for before.
    assert cleo_moved is not None and cleo_moved.left.code == "UNDP"
    assert (cleo_moved.seat.entity.code, cleo_moved.seat.since) == ("OHCHR", today)
    seats = {
        (s.user.name, s.entity.code, s.since, s.until, s.is_chair) for s in board.seats(o.admin)
    }
    seated = today - timedelta(days=400)
    yesterday = today - timedelta(days=1)
    assert {s for s in seats if s[0] in ("Cleo Cruz", "Alma Abara")} == {
        ("Cleo Cruz", "UNDP", seated, yesterday, False),
        ("Cleo Cruz", "OHCHR", today, None, False),
        ("Alma Abara", "CTED", seated, yesterday, True),
        ("Alma Abara", "UNDP", today, today + timedelta(days=30), True),
        ("Alma Abara", "UNDP", today + timedelta(days=60), None, False),
    }
    assert db.session.get(type(later), later.id).entity.code == "UNDP"
    on = {m.name: m.entity.code for m in board.board_members(on=today)}
    assert on["Cleo Cruz"] == "OHCHR" and on["Alma Abara"] == "UNDP"
    then = {m.name: m.entity.code for m in board.board_members(on=o.held)}
    assert then["Cleo Cruz"] == "UNDP" and then["Alma Abara"] == "CTED"
    assert board.board_chair(on=today).name == "Alma Abara"
    # A change that keeps her entity leaves her seats alone.
    before = {(s.id, s.entity_id, s.since, s.until) for s in board.seats(o.admin)}
    renamed = update_user(
        o.admin,
        cleo.id,
        UserInput(cleo.email, "Cleo Cruz-Diaz", o.entities["OHCHR"], {Role.BOARD_MEMBER}),
    )
    assert renamed.seat_followed is None
    assert {(s.id, s.entity_id, s.since, s.until) for s in board.seats(o.admin)} == before
