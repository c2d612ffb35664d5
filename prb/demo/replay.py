"""`prb demo`: the office of the seed document, replayed through PRB's own services.

Nothing here writes a table directly. The administrator sets up the office, chairs submit
in open calls, the secretariat builds agendas, members vote as themselves, the secretariat
closes the items, finalises and signs the minutes, finance commits and disburses — each on
the day it happened (`replayed_at` moves PRB's clock), so decisions, minutes, ledger and
audit trail all carry 2017–2018 dates. What the report does not say is illustrative and
marked so in the proposals' data notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select

from prb.demo import reports as demo_reports
from prb.demo.co_funding import record_co_funding
from prb.demo.portfolio import (
    ADMINISTRATOR,
    BOARD_SEATS,
    DEMO_PASSWORD,
    ENTITIES,
    OFFICE_ENTITY,
    OFFICE_UNIT,
    PROGRAMMES,
    PROPOSALS,
    RESOURCE_MOBILIZATION,
    USERS,
    WORKING_GROUPS,
    MeetingPlan,
    ProposalData,
    meeting_plans,
)
from prb.extensions import db
from prb.models import CENT, Entity, FundingProgramme, Proposal, User, WorkingGroup, replayed_at
from prb.services import (
    board,
    extensions,
    finance,
    lifecycle,
    minutes,
    progress_reports,
    reporting_notes,
)
from prb.services import proposals as proposal_service
from prb.services.accounts.password_links import invite_user, set_password_with_link
from prb.services.accounts.people import UserInput
from prb.services.accounts.setup import set_up_office
from prb.services.calls import CallInput, create_call
from prb.services.proposal_rules import ProposalInput
from prb.services.reference.entities import EntityInput, create_entity
from prb.services.reference.groups import GroupInput, appoint_chair, create_group
from prb.services.reference.office import OfficeName, change_office
from prb.services.reference.outputs import add_output
from prb.services.reference.programmes import ProgrammeInput, create_programme
from workflows import MeetingKind, ProposalState, ProposalTrigger, ReportTrigger

T = TypeVar("T")
S = ProposalState
LINK_LIFETIME = timedelta(days=3)
OFFICE_OPENS = date(2017, 10, 2)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def on(moment: datetime | None, use_case: Callable[[], T]) -> T:
    """Run one use case as if it were `moment` (UTC); None: now."""
    if moment is None:
        return use_case()
    with replayed_at(moment):
        return use_case()


@dataclass
class Office:
    """What the replay has created so far, by natural key."""

    entities: dict[str, Entity] = field(default_factory=dict)
    groups: dict[str, WorkingGroup] = field(default_factory=dict)
    programmes: dict[str, FundingProgramme] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)  # by demo key
    done: set[str] = field(default_factory=set)

    def user(self, email: str) -> User:
        return self.users[email]


def is_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == ADMINISTRATOR.email)) is not None


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


EXTENSION_REQUESTED_ON = date(2018, 11, 26)
REPLAY_ENDS = date(2019, 12, 31)


def replay() -> dict[str, int]:
    """Build the demo office in an empty database; return what was made. Events happen in
    date order: whatever falls before a meeting is done before it is held."""
    office = Office()
    _set_up(office)
    for plan in meeting_plans():
        _catch_up(office, until=plan.scheduled_on - timedelta(days=1))
        _hold(office, plan)
    _catch_up(office, until=REPLAY_ENDS)
    return {
        "entities": len(office.entities),
        "working groups": len(office.groups),
        "programmes": len(office.programmes),
        "users": len(office.users),
        "proposals": len(office.proposals),
        "meetings": len(meeting_plans()),
    }


# -- the office --------------------------------------------------------------------------


def _set_up(office: Office) -> None:
    start = at(OFFICE_OPENS)
    office_code, office_name = OFFICE_ENTITY
    made = on(
        start,
        lambda: set_up_office(
            entity_code=office_code,
            entity_name=office_name,
            email=ADMINISTRATOR.email,
            name=ADMINISTRATOR.name,
            also_secretariat=False,
            valid_for=LINK_LIFETIME,
        ),
    )
    admin = on(start, lambda: set_password_with_link(made.link.token, DEMO_PASSWORD, DEMO_PASSWORD))
    office.users[admin.email] = admin
    office.entities[office_code] = admin.entity
    moment = start + timedelta(hours=1)
    on(moment, lambda: change_office(admin, OfficeName(office_name, OFFICE_UNIT)))
    for code, name in ENTITIES:
        if code != office_code:
            office.entities[code] = on(
                moment, lambda c=code, n=name: create_entity(admin, EntityInput(c, n))
            )
    for name, short in WORKING_GROUPS:
        if short != RESOURCE_MOBILIZATION:
            office.groups[short] = on(
                moment, lambda n=name, s=short: create_group(admin, GroupInput(n, s))
            )
    for data in PROGRAMMES:
        if data.created_on <= OFFICE_OPENS:
            _open_programme(office, data)
    for person in USERS:
        _invite(office, person, moment)
    for person in USERS:
        for short in person.chairs:
            if short in office.groups:
                on(
                    moment,
                    lambda p=person, s=short: appoint_chair(
                        admin, office.groups[s].id, office.user(p.email).id, OFFICE_OPENS
                    ),
                )
    on(
        moment,
        lambda: board.add_rules(
            admin,
            board.RulesInput(
                effective_from=OFFICE_OPENS,
                quorum="1/2",
                casting_vote=True,
                written_procedure_days=14,
                absent_may_vote=False,
                note="Rules of procedure adopted when the Board began using PRB.",
            ),
        ),
    )
    for email, is_chair in BOARD_SEATS:
        on(
            moment,
            lambda e=email, c=is_chair: board.add_seat(
                admin, board.SeatInput(office.user(e).id, OFFICE_OPENS, None, c)
            ),
        )


def _open_programme(office: Office, data) -> None:  # type: ignore[no-untyped-def]
    admin = office.user(ADMINISTRATOR.email)
    programme = on(
        at(data.created_on, 10),
        lambda: create_programme(
            admin,
            ProgrammeInput(
                code=data.code,
                title=data.title,
                start_year=data.start_year,
                end_year=data.end_year,
                code_style=data.code_style,
                code_first_letter=data.first_letter,
                note=data.note,
                envelope=data.envelope,
                progress_report_months=demo_reports.SCHEDULES.get(data.code, 6),
            ),
        ),
    )
    for label in data.outputs:
        on(at(data.created_on, 10), lambda lb=label: add_output(admin, programme.id, lb))
    office.programmes[data.code] = programme
    for call in data.calls:
        closes = call.closes_at or datetime.now(UTC) + timedelta(days=365)
        on(
            at(call.opens_on, 8),
            lambda c=call, closes=closes: create_call(
                admin,
                CallInput(
                    programme_id=programme.id,
                    title=c.title,
                    opens_at=at(c.opens_on, 9),
                    closes_at=closes,
                    working_group_ids={
                        g.id for s, g in office.groups.items() if s in c.groups or not c.groups
                    },
                    guidance=c.guidance,
                ),
            ),
        )


def _invite(office: Office, person, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    admin = office.user(ADMINISTRATOR.email)
    link = on(
        moment,
        lambda: invite_user(
            admin,
            UserInput(
                email=person.email,
                name=person.name,
                entity_id=office.entities[person.entity].id,
                roles=set(person.roles),
            ),
            valid_for=LINK_LIFETIME,
        ),
    )
    office.users[person.email] = on(
        moment, lambda: set_password_with_link(link.token, DEMO_PASSWORD, DEMO_PASSWORD)
    )


def _catch_up(office: Office, *, until: date) -> None:
    """Everything of the office's year up to `until` that has not happened yet."""
    for data in PROGRAMMES:
        if data.code not in office.programmes and data.created_on <= until:
            _open_programme(office, data)
    _submit_proposals(office, until=until)
    _run_projects(office, until=until)
    record_co_funding(office, until=until)
    if "extension" not in office.done and until >= EXTENSION_REQUESTED_ON:
        _request_extension(office)
        office.done.add("extension")
    if "reports" not in office.done and until >= REPORTS_UP_TO:
        _report_progress(office)
        office.done.add("reports")
    # The report's newly created Working Group on Resource Mobilization, M&E.
    if RESOURCE_MOBILIZATION not in office.groups and until >= NEW_GROUP_ON:
        admin = office.user(ADMINISTRATOR.email)
        name = next(n for n, s in WORKING_GROUPS if s == RESOURCE_MOBILIZATION)
        office.groups[RESOURCE_MOBILIZATION] = on(
            at(NEW_GROUP_ON), lambda: create_group(admin, GroupInput(name, RESOURCE_MOBILIZATION))
        )


NEW_GROUP_ON = date(2018, 12, 6)


# -- proposals ---------------------------------------------------------------------------


def _submit_proposals(office: Office, *, until: date) -> None:
    """Every proposal written up to `until` that the replay has not made yet: the chair
    writes it (and submits it, unless it stays a draft); the secretariat starts the review
    three days later."""
    for data in PROPOSALS:
        if data.key in office.proposals or data.created > until:
            continue
        chair = office.user(data.chair_email)
        programme = office.programmes[data.programme]
        form = ProposalInput(
            programme_id=programme.id,
            working_group_id=office.groups[data.working_group].id,
            title=data.title,
            lead_entity_id=office.entities[data.lead].id,
            implementing_entity_ids=[office.entities[c].id for c in data.implementing],
            objective=data.objective,
            # The demo's own caveat, where a reader of the proposal sees it.
            description="\n\n".join(
                t for t in (data.description, f"Demo data: {data.data_note}") if t.strip()
            )
            if data.data_note and data.data_note != data.description
            else data.description,
            thematic_area=data.thematic_area,
            scope=data.scope,
            scope_detail=data.scope_detail,
            results_alignment=data.results_alignment,
            requested_budget=data.requested_budget,
            duration_months=data.duration_months,
            duration_note=data.duration_note,
            planned_start=data.planned_start,
        )
        submit = data.status != S.DRAFT
        proposal = on(
            at(data.created, 10),
            lambda f=form, s=submit, c=chair: proposal_service.create_proposal(c, f, submit=s),
        )
        office.proposals[data.key] = proposal
        if data.status not in (S.DRAFT, S.SUBMITTED):
            on(
                at(data.created + timedelta(days=3)),
                lambda p=proposal: lifecycle.fire(
                    office.user("secretariat@prb.example"),
                    p.id,
                    ProposalTrigger.START_REVIEW,
                    comment="Complete.",
                ),
            )


# -- the Board ---------------------------------------------------------------------------


def _hold(office: Office, plan: MeetingPlan) -> None:
    """Schedule, build the agenda, attend, vote, close, finalise and sign the minutes."""
    secretariat = office.user("secretariat@prb.example")
    written = plan.kind == MeetingKind.WRITTEN_PROCEDURE
    meeting = on(
        None if plan.live else at(plan.scheduled_on),
        lambda: board.schedule_meeting(
            secretariat,
            board.MeetingInput(
                number=plan.number,
                kind=plan.kind,
                held_on=plan.held_on,
                place=plan.place,
                deadline=at(plan.deadline, 17) if plan.deadline else None,
            ),
        ),
    )
    items = {}
    for key in plan.items:
        proposal = office.proposals[key]
        items[key] = on(
            None if plan.live else at(plan.scheduled_on, 10),
            lambda p=proposal: board.add_to_agenda(secretariat, meeting.id, p.id),
        )
    if not written:  # only members recorded present vote at a meeting
        present = {office.user(e).id for e in plan.present}
        on(
            None if plan.live else at(plan.held_on, 10),
            lambda: board.record_attendance(secretariat, meeting.id, present),
        )
    if not plan.votes:
        return  # still open: the demo's users vote on it
    voted_on = plan.held_on if not written else plan.scheduled_on + timedelta(days=2)
    for minute, (key, email, choice, comment) in enumerate(plan.votes):
        on(
            at(voted_on, 11, minute),
            lambda k=key, e=email, c=choice, m=comment: board.cast_vote(
                office.user(e), items[k].id, c, m
            ),
        )
    for key in plan.items:
        item = items[key]
        db.session.refresh(item)
        if item.is_open:  # a written procedure closes itself once every member has voted
            data = _data(key)
            on(
                at(plan.held_on, 12),
                lambda i=item, d=data: board.close_item(
                    secretariat,
                    i.id,
                    board.Terms(
                        d.requested_budget,
                        d.duration_months,
                        d.planned_start,
                        project_code=(d.project_code or "") if d.code_typed else "",
                    ),
                ),
            )
    on(at(plan.minutes_on, 15), lambda: minutes.finalise(secretariat, meeting.id))
    for key in plan.items:  # how the approved projects' periods read in reports
        data = _data(key)
        if data.period_text and plan.minutes_on:
            on(
                at(plan.minutes_on, 16),
                lambda d=data, k=key, day=plan.minutes_on: reporting_notes.set_note(
                    secretariat,
                    office.proposals[k].id,
                    reporting_notes.NoteInput(day, d.duration_note, d.period_text),
                ),
            )


def _data(key: str) -> ProposalData:
    return next(p for p in PROPOSALS if p.key == key)


# -- finance -----------------------------------------------------------------------------


def _run_projects(office: Office, *, until: date) -> None:
    """Finance commits the budget, marks the project initiated, records its start and the
    first tranche (60 %), and marks it ongoing — each on its day, up to `until`."""
    officer = office.user("finance@prb.example")
    for data in PROPOSALS:
        proposal = office.proposals.get(data.key)
        if proposal is None or data.status not in (S.INITIATED, S.ONGOING):
            continue
        db.session.refresh(proposal)
        if proposal.status != S.APPROVED or data.committed_on is None:
            continue
        if data.committed_on > until:
            continue
        budget = proposal.approved_budget or Decimal(0)
        commit_at = at(data.committed_on)
        on(
            commit_at,
            lambda p=proposal, b=budget, d=data: finance.record_entry(
                officer,
                p.id,
                finance.EntryInput("commitment", b, d.committed_on, "OBL-" + d.key, ""),
            ),
        )
        on(commit_at, lambda p=proposal: lifecycle.fire(officer, p.id, ProposalTrigger.INITIATE))
        if data.status != S.ONGOING:
            continue
        # Paid a week after the later of commitment and start; the start is recorded then.
        paid_on = max(data.committed_on, data.planned_start) + timedelta(days=7)
        on(
            at(paid_on),
            lambda p=proposal, s=data.planned_start: finance.record_project_dates(
                officer, p.id, finance.ProjectDates(s, None, None)
            ),
        )
        first_tranche = (budget * Decimal("0.6")).quantize(CENT)
        on(
            at(paid_on, 10),
            lambda p=proposal, a=first_tranche, d=paid_on, k=data.key: finance.record_entry(
                officer,
                p.id,
                finance.EntryInput("disbursement", a, d, "PAY-" + k + "-1", "First tranche"),
            ),
        )
        on(at(paid_on, 11), lambda p=proposal: lifecycle.fire(officer, p.id, ProposalTrigger.START))


REPORTS_UP_TO = date(2018, 12, 31)


def _report_progress(office: Office) -> None:
    """Each 2018 project's chair submits its progress report and the secretariat accepts it
    (prb.demo.reports); one more report stays submitted, not accepted."""
    secretariat = office.user("secretariat@prb.example")
    for seed in demo_reports.REPORTS:
        proposal = office.proposals[seed.key]
        chair = office.user(_data(seed.key).chair_email)
        report = on(
            at(seed.submitted_on, 11),
            lambda p=proposal, s=seed, c=chair: progress_reports.submit_report(
                c,
                p.id,
                demo_reports.KIND,
                s.due_on,
                progress_reports.ReportInput(
                    activities=s.activities,
                    results=s.results,
                    challenges=s.challenges,
                    next_steps=s.next_steps,
                    spent_to_date=demo_reports.spent_to_date(p.approved_budget),
                    unspent_balance=None,
                ),
            ),
        )
        if seed.accepted_on is not None:
            on(
                at(seed.accepted_on, 15),
                lambda r=report: progress_reports.decide_report(
                    secretariat, r.id, ReportTrigger.ACCEPT
                ),
            )


def _request_extension(office: Office) -> None:
    """The report's "four-month extension of the seed funds from 1 January 2019" for
    UNCCT-2017-73-a, requested by its chair and reviewed by finance, waiting for the Board."""
    proposal = office.proposals["border"]
    chair = office.user("chair.cted@prb.example")
    ext = on(
        at(date(2018, 11, 26)),
        lambda: extensions.request_extension(
            chair,
            proposal.id,
            extensions.ExtensionInput(
                months=4,
                new_end=None,
                additional_funds=Decimal("0.00"),
                justification="To produce and print a leaflet of the Compendium and have it "
                "translated into all official UN languages (from the 2018 report).",
            ),
        ),
    )
    on(
        at(date(2018, 11, 28)),
        lambda: extensions.review_extension(
            office.user("finance@prb.example"),
            ext.id,
            "No additional funds needed; the balance covers printing and translation.",
        ),
    )
