"""Loading the demo portfolio. Idempotent: what exists (by natural key) is left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from prb.demo.portfolio import (
    DEMO_PASSWORD,
    ENTITIES,
    PROGRAMMES,
    PROPOSALS,
    USERS,
    WORKING_GROUPS,
    ProposalData,
)
from prb.extensions import db
from prb.models import (
    CENT,
    BoardMembership,
    Entity,
    EntryKind,
    ExtensionRequest,
    FundingProgramme,
    LedgerEntry,
    Proposal,
    User,
    WorkingGroup,
    utcnow,
)
from prb.services import audit, board, extensions, totals
from prb.services.calendar import period_end
from prb.services.proposal_rules import missing_field_names
from workflows import MeetingKind, ProposalState, Role
from workflows.proposal import PROJECT_STATES

DEMO_SEATS_FROM = date(2017, 1, 1)
IMPORT_COMMENT = "Loaded from the UNCCT 2018 annual report (demo portfolio)."


def load_demo() -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were added."""
    added = {
        "entities": 0,
        "working groups": 0,
        "programmes": 0,
        "users": 0,
        "proposals": 0,
        "meetings": 0,
        "extension requests": 0,
    }
    entities = {e.code: e for e in db.session.scalars(select(Entity))}
    for code, name in ENTITIES:
        if code not in entities:
            entities[code] = Entity(code=code, name=name)
            db.session.add(entities[code])
            added["entities"] += 1
    groups = {g.short_name: g for g in db.session.scalars(select(WorkingGroup))}
    for name, short in WORKING_GROUPS:
        if short not in groups:
            groups[short] = WorkingGroup(name=name, short_name=short)
            db.session.add(groups[short])
            added["working groups"] += 1
    programmes = {p.code: p for p in db.session.scalars(select(FundingProgramme))}
    for p in PROGRAMMES:
        if p.code not in programmes:
            programmes[p.code] = FundingProgramme(
                code=p.code,
                title=p.title,
                start_year=p.start_year,
                end_year=p.end_year,
                envelope=p.envelope,
                note=p.note or None,
            )
            db.session.add(programmes[p.code])
            added["programmes"] += 1
    users = {u.email: u for u in db.session.scalars(select(User))}
    for u in USERS:
        if u.email not in users:
            user = User(
                email=u.email,
                name=u.name,
                entity=entities[u.entity],
                is_board_chair=u.board_chair,
                role_rows=[],
                active=True,
                chaired_groups=[groups[g] for g in u.chairs],
            )
            user.set_roles(set(u.roles))
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            if Role.BOARD_MEMBER in u.roles:
                # A seat on the Board over the whole of the seed's story.
                db.session.add(
                    BoardMembership(
                        user=user,
                        entity=entities[u.entity],
                        since=DEMO_SEATS_FROM,
                        is_chair=u.board_chair,
                    )
                )
            users[u.email] = user
            added["users"] += 1
    db.session.flush()
    existing = {(p.programme_id, p.title) for p in db.session.scalars(select(Proposal))}
    for data in PROPOSALS:
        programme = programmes[data.programme]
        if (programme.id, data.title) in existing:
            continue
        _add_proposal(data, programme, groups, entities, users)
        added["proposals"] += 1
    if added["proposals"]:
        totals.recompute()
    db.session.commit()
    added["meetings"] = _add_meeting(users)
    added["extension requests"] = _add_extension_request(users)
    return added


def _set_up_project(proposal: Proposal, data: ProposalData, finance: User) -> None:
    """Budget and period of an imported project: illustrative where the report is silent."""
    proposal.approved_budget = data.requested_budget
    proposal.approved_at = proposal.created_at
    proposal.period_start = data.planned_start
    proposal.original_end = proposal.current_end = period_end(
        data.planned_start, data.duration_months
    )
    if data.status in (ProposalState.ONGOING, ProposalState.EXTENDED):
        proposal.actual_start = data.planned_start


def _add_ledger(proposal: Proposal, data: ProposalData, finance: User) -> None:
    """Illustrative ledger: the whole budget committed, a first tranche of 60% paid."""
    if data.status not in (ProposalState.INITIATED, ProposalState.ONGOING):
        return
    budget = data.requested_budget
    db.session.add(
        LedgerEntry(
            proposal_id=proposal.id,
            kind=EntryKind.COMMITMENT,
            amount=budget,
            value_date=data.planned_start,
            reference="illustrative",
            note="Demo data",
            recorded_by_id=finance.id,
        )
    )
    if data.status == ProposalState.ONGOING:
        db.session.add(
            LedgerEntry(
                proposal_id=proposal.id,
                kind=EntryKind.DISBURSEMENT,
                amount=(budget * Decimal("0.6")).quantize(CENT),
                value_date=data.planned_start,
                reference="illustrative",
                note="First tranche (demo data)",
                recorded_by_id=finance.id,
            )
        )


def _add_extension_request(users: dict[str, User]) -> int:
    """The report's "four-month extension of the seed funds from 1 January 2019" for
    UNCCT-2017-73-a, as a request reviewed by finance and waiting for the Board."""
    proposal = db.session.scalar(select(Proposal).where(Proposal.project_code == "UNCCT-2017-73-a"))
    if proposal is None or db.session.scalar(
        select(ExtensionRequest.id).where(ExtensionRequest.proposal_id == proposal.id)
    ):
        return 0
    chair = users["chair.cted@prb.example"]
    ext = extensions.request_extension(
        chair,
        proposal.id,
        extensions.ExtensionInput(
            months=4,
            new_end=None,
            additional_funds=Decimal("0.00"),
            justification="To produce and print a leaflet of the Compendium and have it "
            "translated into all official UN languages (from the 2018 report).",
        ),
    )
    extensions.review_extension(
        users["finance@prb.example"],
        ext.id,
        "No additional funds needed; the balance covers printing and translation.",
    )
    return 1


def _add_meeting(users: dict[str, User]) -> int:
    """An open Board meeting, held today so that the demo's members can vote, with the
    proposal the report says is under consideration on its agenda."""
    waiting = board.schedulable_proposals()
    if not waiting:  # already on an agenda (the demo ran before)
        return 0
    secretariat = users["secretariat@prb.example"]
    chair = users["board.chair@prb.example"]
    if board.rules_on(DEMO_SEATS_FROM) is None:
        # The rules of the seed's years: the settings' values, from before its meetings.
        board.add_rules(
            None,
            board.RulesInput(
                effective_from=DEMO_SEATS_FROM,
                quorum=str(current_app.config["BOARD_QUORUM"]),
                casting_vote=bool(current_app.config["BOARD_CASTING_VOTE"]),
                written_procedure_days=14,
                absent_may_vote=False,
                note="The demo's rules of procedure for 2017–2018.",
            ),
        )
    # A live meeting lies ahead or today: a past one would be entered from its record.
    today = utcnow().date()
    meeting = board.schedule_meeting(
        secretariat,
        board.MeetingInput(
            number=board.suggested_number(today),
            kind=MeetingKind.MEETING,
            held_on=today,
            place="New York",
            chair_id=chair.id,
        ),
    )
    for proposal in waiting:
        board.add_to_agenda(secretariat, meeting.id, proposal.id)
    return 1


def _add_proposal(
    data: ProposalData,
    programme: FundingProgramme,
    groups: dict[str, WorkingGroup],
    entities: dict[str, Entity],
    users: dict[str, User],
) -> None:
    chair = users[data.chair_email]
    created = datetime.combine(data.created, time(9, 0), tzinfo=UTC)
    proposal = Proposal(
        programme=programme,
        working_group=groups[data.working_group],
        title=data.title,
        lead_entity=entities[data.lead],
        implementing_entities=[entities[c] for c in data.implementing],
        objective=data.objective,
        description=data.description,
        thematic_area=data.thematic_area,
        scope=data.scope,
        scope_detail=data.scope_detail,
        results_alignment=data.results_alignment,
        requested_budget=data.requested_budget,
        duration_months=data.duration_months,
        duration_note=data.duration_note,
        planned_start=data.planned_start,
        status=data.status,
        project_code=data.project_code,
        data_note=data.data_note,
        created_by=chair,
        created_at=created,
        updated_at=created,
        submitted_at=None if data.status == ProposalState.DRAFT else created,
    )
    if data.status in PROJECT_STATES:
        _set_up_project(proposal, data, users["finance@prb.example"])
    db.session.add(proposal)
    db.session.flush()
    _add_ledger(proposal, data, users["finance@prb.example"])
    # A submitted demo proposal must satisfy the same rules as a chair's submission.
    missing = missing_field_names(proposal)
    if missing and data.status != ProposalState.DRAFT:
        raise ValueError(f"demo proposal {data.title!r} lacks {missing}")
    audit.record(
        "imported", actor=None, proposal=proposal, to_state=proposal.status, comment=IMPORT_COMMENT
    )
