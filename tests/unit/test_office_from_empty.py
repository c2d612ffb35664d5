"""An office from an empty database to its first two decisions, through the services only:
the same journey as the browser test (tests/e2e/test_office_from_empty.py), on SQLite and
PostgreSQL. The `app` fixture gives an empty schema; nothing comes from the test world."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    AuditRecord,
    BoardRules,
    Call,
    CodeStyle,
    Decision,
    EnvelopeChange,
    FundingProgramme,
    Proposal,
    User,
    replayed_at,
    utcnow,
)
from prb.services import board, lifecycle, proposals
from prb.services.accounts.password_links import invite_user, set_password_with_link
from prb.services.accounts.people import UserInput
from prb.services.accounts.setup import set_up_office
from prb.services.calls import CallInput, create_call
from prb.services.errors import Conflict, Invalid
from prb.services.proposal_rules import ProposalInput
from prb.services.reference.entities import EntityInput, create_entity
from prb.services.reference.envelopes import EnvelopeChangeInput, change_envelope
from prb.services.reference.groups import GroupInput, appoint_chair, create_group
from prb.services.reference.programmes import ProgrammeInput, create_programme
from workflows import MeetingKind, ProposalState, ProposalTrigger, Role, VoteChoice

LINK_LIFETIME = timedelta(days=3)
ENTITIES = {
    "CTED": "Counter-Terrorism Committee Executive Directorate",
    "UNICRI": "United Nations Interregional Crime and Justice Research Institute",
    "UNDP": "United Nations Development Programme",
    "OHCHR": "Office of the United Nations High Commissioner for Human Rights",
}
BORDER = "Border Management and Law Enforcement relating to Counter-Terrorism"
MEMBERS = ("board.undp@un.example", "board.ohchr@un.example", "board.unicri@un.example")


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def invited(admin: User, email: str, name: str, entity_id: int, *roles: Role) -> User:
    """The administrator adds the account; its owner sets her own password by the link."""
    link = invite_user(
        admin, UserInput(email, name, entity_id, set(roles)), valid_for=LINK_LIFETIME
    )
    # Not made of her name or address: PRB refuses those.
    password = f"lantern {hashlib.sha256(name.encode()).hexdigest()[:6]} own passphrase"
    return set_password_with_link(link.token, password, password)


@dataclass
class Office:
    admin: User
    secretariat: User
    chair: User
    members: list[User]
    programmes: dict[str, FundingProgramme]
    calls: dict[str, Call]
    lead_entity_id: int
    group_id: int
    rules: BoardRules


def set_up(today: date, now: datetime) -> Office:
    """What the administrator does after `prb setup`: reference data, accounts, the Board
    and its rules, a call in each programme."""
    made = set_up_office(
        entity_code="UNOCT",
        entity_name="United Nations Office of Counter-Terrorism",
        email="ana.admin@un.example",
        name="Ana Admin",
        also_secretariat=False,
        valid_for=LINK_LIFETIME,
    )
    admin = set_password_with_link(
        made.link.token,
        "lantern kept by the first administrator",
        "lantern kept by the first administrator",
    )
    assert admin.roles == {Role.ADMINISTRATOR}
    entity_ids = {"UNOCT": admin.entity_id}
    for code, name in ENTITIES.items():
        entity_ids[code] = create_entity(admin, EntityInput(code, name)).id
    group = create_group(admin, GroupInput(BORDER, "Border management"))
    create_group(admin, GroupInput("Preventing and Countering Violent Extremism", "PCVE"))
    programmes = {
        "73": create_programme(
            admin,
            ProgrammeInput(
                code="UNCCT-2017-73",
                title="Seed funding 2017–2018",
                start_year=2017,
                end_year=2018,
                code_style=CodeStyle.LOWER,
                code_first_letter="a",
                envelope=Decimal("1356000.00"),
            ),
        ),
        "79": create_programme(
            admin,
            ProgrammeInput(
                code="UNCCT-2019-02-79",
                title="Seed funding 2019–2020",
                start_year=2019,
                end_year=2020,
                code_style=CodeStyle.UPPER,
                code_first_letter="A",
                envelope=Decimal("900000.00"),
            ),
        ),
    }
    secretariat = invited(
        admin, "sam.secretary@un.example", "Sam Secretary", entity_ids["UNOCT"], Role.SECRETARIAT
    )
    chair = invited(admin, "chloe.chair@un.example", "Chloé Chair", entity_ids["CTED"], Role.CHAIR)
    appoint_chair(admin, group.id, chair.id, today)
    members = [
        invited(admin, email, f"Member {code}", entity_ids[code], Role.BOARD_MEMBER)
        for email, code in zip(MEMBERS, ("UNDP", "OHCHR", "UNICRI"), strict=True)
    ]
    for member in members:
        board.add_seat(admin, board.SeatInput(member.id, today, None, member is members[0]))
    rules = board.add_rules(
        admin,
        board.RulesInput(
            effective_from=today,
            quorum="1/2",
            casting_vote=True,
            written_procedure_days=14,
            absent_may_vote=False,
            note="Adopted when the Board began using PRB.",
        ),
    )
    calls = {
        key: create_call(
            admin,
            CallInput(
                programme_id=programme.id,
                title=f"Call for proposals {programme.code}",
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=30),
                working_group_ids={group.id},
                guidance="Seed funding up to USD 150,000.",
            ),
        )
        for key, programme in programmes.items()
    }
    return Office(
        admin, secretariat, chair, members, programmes, calls, entity_ids["CTED"], group.id, rules
    )


def proposal_input(office: Office, key: str, title: str, budget: str) -> ProposalInput:
    return ProposalInput(
        programme_id=office.programmes[key].id,
        working_group_id=office.group_id,
        title=title,
        lead_entity_id=office.lead_entity_id,
        objective="Strengthen border management",
        description="Workshops and a compendium of good practice.",
        thematic_area="Border management and law enforcement",
        results_alignment="Outcome 4, Output 4.2",
        requested_budget=Decimal(budget),
        duration_months=12,
        planned_start=utcnow().date().replace(day=1) + timedelta(days=40),
    )


def test_an_office_from_an_empty_database_to_its_first_decisions(app) -> None:
    assert count(User) == count(FundingProgramme) == count(BoardRules) == 0
    now = utcnow()
    today = now.date()
    office = set_up(today, now)

    # The chair submits one proposal in each programme, in its open call.
    submitted = [
        proposals.create_proposal(
            office.chair, proposal_input(office, key, title, budget), submit=True
        )
        for key, title, budget in (
            ("73", "Biometrics Compendium", "150000.00"),
            ("79", "Border Security Training", "90000.00"),
        )
    ]
    assert [p.status for p in submitted] == [ProposalState.SUBMITTED] * 2
    assert [p.call_id for p in submitted] == [office.calls["73"].id, office.calls["79"].id]

    # The secretariat reviews, schedules today's meeting, builds its agenda, takes attendance.
    for proposal in submitted:
        lifecycle.fire(office.secretariat, proposal.id, ProposalTrigger.START_REVIEW)
    meeting = board.schedule_meeting(
        office.secretariat,
        board.MeetingInput(
            number=f"PRB/{today.year}/01",
            kind=MeetingKind.MEETING,
            held_on=today,
            place="New York",
        ),
    )
    assert meeting.chair_id == office.members[0].id  # the seat marked chair
    items = [board.add_to_agenda(office.secretariat, meeting.id, p.id) for p in submitted]
    board.record_attendance(office.secretariat, meeting.id, {m.id for m in office.members})

    # The members vote; the secretariat closes both items.
    for member in office.members:
        for item in items:
            board.cast_vote(member, item.id, VoteChoice.APPROVE)
    for item in items:
        board.close_item(office.secretariat, item.id)

    db.session.expire_all()
    first, second = submitted
    assert first.status == second.status == ProposalState.APPROVED
    assert first.project_code == "UNCCT-2017-73-a"  # lower case from a
    assert second.project_code == "UNCCT-2019-02-79-A"  # upper case from A
    decisions = db.session.scalars(select(Decision).order_by(Decision.id)).all()
    assert [(d.proposal_id, d.outcome) for d in decisions] == [
        (first.id, VoteChoice.APPROVE),
        (second.id, VoteChoice.APPROVE),
    ]
    for decision, budget in zip(decisions, ("150000.00", "90000.00"), strict=True):
        assert decision.votes_for == decision.eligible == 3
        assert decision.approved_budget == Decimal(budget)
        assert decision.decided_on == today
        assert decision.rules_id == office.rules.id  # the version adopted by the administrator

    # Refused: an envelope cut below what the programme has approved; nothing changes.
    programme = office.programmes["73"]
    changes, audits = count(EnvelopeChange), count(AuditRecord)
    with pytest.raises(Invalid) as cut:
        change_envelope(
            office.admin,
            programme.id,
            EnvelopeChangeInput(today, Decimal("100000.00"), "Donor withdrew"),
        )
    assert cut.value.message == (
        "An envelope of USD 100,000.00 would be USD 50,000.00 below the USD 150,000.00 that "
        "UNCCT-2017-73 has already approved (envelope now USD 1,356,000.00). "
        "Nothing was recorded."
    )
    assert cut.value.fields == {
        "amount": ["Give at least USD 150,000.00, the amount already approved."]
    }
    db.session.expire_all()
    assert programme.envelope == Decimal("1356000.00")
    assert (count(EnvelopeChange), count(AuditRecord)) == (changes, audits)

    # Refused: submissions before the call opens and once it has closed; nothing is saved.
    call = office.calls["79"]
    proposals_before = count(Proposal)
    for moment, words in (
        (call.opens_at - timedelta(minutes=1), "The next call, “Call for proposals "),
        (call.closes_at, "The last call, “Call for proposals "),
    ):
        with replayed_at(moment), pytest.raises(Conflict) as refused:
            proposals.create_proposal(
                office.chair,
                proposal_input(office, "79", "Too early or too late", "1000.00"),
                submit=True,
            )
        assert refused.value.message.startswith(
            f"No call is open for {BORDER} in UNCCT-2019-02-79. {words}UNCCT-2019-02-79”"
        ), refused.value.message
        assert refused.value.message.endswith(
            "The proposal was not saved; “Save draft” keeps it as a draft."
        )
    db.session.expire_all()
    assert count(Proposal) == proposals_before
    assert (count(EnvelopeChange), count(AuditRecord)) == (changes, audits)
