"""Issue 12, "Done when": the report's 2018 year entered through the services from an empty
database — not the demo, not the CSV import — and the overview as at 31 December 2018 compared
with the report's Exhibit V row by row.

The facts are in tests/year_2018_facts.py. Each step runs on the day it happened
(`replayed_at`), so decisions are dated by their meetings and the ledger and project dates
by theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select

from prb.extensions import db
from prb.models import CodeStyle, Decision, Meeting, Proposal, User, replayed_at
from prb.services import board, extensions, finance, lifecycle, portfolio, reporting_notes
from prb.services import proposals as proposal_service
from prb.services.accounts.password_links import set_password_with_link
from prb.services.accounts.setup import set_up_office
from prb.services.calls import CallInput, create_call
from prb.services.minutes.data import minutes_data
from prb.services.minutes.record import decisions_json
from prb.services.proposal_rules import ProposalInput
from prb.services.reference.entities import EntityInput, create_entity
from prb.services.reference.groups import GroupInput, appoint_chair, create_group
from prb.services.reference.outputs import add_output
from prb.services.reference.programmes import ProgrammeInput, create_programme
from tests.unit.test_office_from_empty import LINK_LIFETIME, invited
from tests.year_2018_facts import (
    BY_KEY,
    CHAIRS,
    ENTITY_CODES,
    EXHIBIT_V,
    GROUPS,
    MEMBERS,
    NOTE,
    OBJECTIVES,
    OUTPUT,
    PROJECTS,
    SITTINGS,
    WMD_PERIOD,
    Sitting,
)
from workflows import MeetingKind, ProposalState, ProposalTrigger, Role, VoteChoice

T = TypeVar("T")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def on(day: date, use_case: Callable[[], T], hour: int = 9) -> T:
    with replayed_at(at(day, hour)):
        return use_case()


@dataclass
class Year:
    secretariat: User
    finance: User
    members: list[User]
    chairs: dict[str, User]  # by working group short name
    inputs: dict[str, ProposalInput] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)


def _office() -> Year:
    """The administrator's set-up on 2 October 2017: entities, groups, programmes, calls,
    accounts, chairs, Board seats and rules."""
    opens = date(2017, 10, 2)
    made = on(
        opens,
        lambda: set_up_office(
            entity_code="UNOCT",
            entity_name="United Nations Office of Counter-Terrorism",
            email="admin@un.example",
            name="Ana Admin",
            also_secretariat=False,
            valid_for=LINK_LIFETIME,
        ),
    )
    admin = on(
        opens,
        lambda: set_password_with_link(
            made.link.token, "Ana's own passphrase", "Ana's own passphrase"
        ),
    )
    entities = {"UNOCT": admin.entity_id}
    with replayed_at(at(opens, 10)):
        for code in ENTITY_CODES:
            entities[code] = create_entity(admin, EntityInput(code, f"{code} (entity)")).id
        groups = {s: create_group(admin, GroupInput(name, s)).id for s, name in GROUPS.items()}
        programmes = {}
        for key, code, years, style, letter, envelope in (
            # The report's letters skip b, c, e, f and g: the secretariat types each code.
            ("73", "UNCCT-2017-73", (2017, 2018), CodeStyle.TYPED, "", "1356000.00"),
            ("79", "UNCCT-2019-02-79", (2019, 2020), CodeStyle.UPPER, "D", "1000000.00"),
        ):
            programmes[key] = create_programme(
                admin,
                ProgrammeInput(
                    code=code,
                    title=f"Seed funding {years[0]}–{years[1]}",
                    start_year=years[0],
                    end_year=years[1],
                    code_style=style,
                    code_first_letter=letter,
                    envelope=Decimal(envelope),
                ),
            )
            add_output(admin, programmes[key].id, OUTPUT)
            create_call(
                admin,
                CallInput(
                    programme_id=programmes[key].id,
                    title=f"Call {code}",
                    opens_at=at(opens, 11),
                    closes_at=at(date(2019, 12, 31)),
                    working_group_ids=set(groups.values()),
                    guidance="Seed funding up to USD 200,000.",
                ),
            )
        unoct = entities["UNOCT"]
        year = Year(
            secretariat=invited(admin, "sec@un.example", "Sam Sec", unoct, Role.SECRETARIAT),
            finance=invited(admin, "fin@un.example", "Fay Finance", unoct, Role.FINANCE),
            members=[
                invited(admin, email, f"Member {code}", entities[code], Role.BOARD_MEMBER)
                for email, code in MEMBERS.items()
            ],
            chairs={},
        )
        for email, (code, chaired) in CHAIRS.items():
            chair = invited(admin, email, f"Chair {code}", entities[code], Role.CHAIR)
            for short in chaired:
                appoint_chair(admin, groups[short], chair.id, opens)
                year.chairs[short] = chair
        for member in year.members:
            board.add_seat(
                admin, board.SeatInput(member.id, opens, None, member is year.members[0])
            )
        board.add_rules(
            admin,
            board.RulesInput(
                effective_from=opens,
                quorum="1/2",
                casting_vote=True,
                written_procedure_days=14,
                absent_may_vote=False,
                note="Adopted when the Board began using PRB.",
            ),
        )
    for p in PROJECTS:
        year.inputs[p.key] = ProposalInput(
            programme_id=programmes[p.programme].id,
            working_group_id=groups[p.group],
            title=p.title,
            lead_entity_id=entities[p.lead],
            implementing_entity_ids=[entities[c] for c in p.implementing],
            objective=OBJECTIVES.get(p.code, OBJECTIVES.get(p.key, "")),
            description="Seed project (facts from docs/examples/portfolio-2018.csv).",
            thematic_area=GROUPS[p.group],
            scope="Global",
            results_alignment=OUTPUT,
            requested_budget=p.budget,
            duration_months=p.months,
            planned_start=p.start,
        )
    return year


def _submit(year: Year, until: date) -> None:
    """Chairs submit what they wrote by `until`; the secretariat starts each review."""
    for p in PROJECTS:
        if p.key in year.proposals or p.created > until:
            continue
        chair = year.chairs[p.group]
        proposal = on(
            p.created,
            lambda p=p, c=chair: proposal_service.create_proposal(
                c, year.inputs[p.key], submit=True
            ),
        )
        on(
            p.created + timedelta(days=3),
            lambda pid=proposal.id: lifecycle.fire(
                year.secretariat, pid, ProposalTrigger.START_REVIEW
            ),
        )
        year.proposals[p.key] = proposal


def _sit(year: Year, s: Sitting) -> None:
    """Schedule, build the agenda, record attendance, vote, close the items."""
    written = s.kind == MeetingKind.WRITTEN_PROCEDURE
    meeting = on(
        s.scheduled_on,
        lambda: board.schedule_meeting(
            year.secretariat,
            board.MeetingInput(
                number=s.number,
                kind=s.kind,
                held_on=s.scheduled_on if written else s.held_on,
                place="" if written else "New York",
                deadline=at(s.held_on, 17) if written else None,
            ),
        ),
    )
    year.meetings[s.number] = meeting
    items = {
        key: on(
            s.scheduled_on,
            lambda k=key: board.add_to_agenda(year.secretariat, meeting.id, year.proposals[k].id),
            hour=10,
        )
        for key in s.items
    }
    if not written:
        on(
            s.held_on,
            lambda: board.record_attendance(
                year.secretariat, meeting.id, {m.id for m in year.members}
            ),
        )
    for key, choice in s.items.items():
        for member in year.members:
            on(
                s.held_on,
                lambda m=member, k=key, c=choice: board.cast_vote(m, items[k].id, c),
                hour=11,
            )
    for key, item in items.items():
        db.session.refresh(item)
        if not item.is_open:  # a written procedure closes itself at the last vote
            continue
        p = BY_KEY[key]
        terms = board.Terms(p.budget, p.months, p.start, project_code=p.code) if p.code else None
        on(s.held_on, lambda i=item, t=terms: board.close_item(year.secretariat, i.id, t), 12)


def _run(year: Year, key: str) -> None:
    """Finance commits the budget and initiates the project; pays the first tranche, records
    the start and marks it ongoing."""
    p = BY_KEY[key]
    pid = year.proposals[key].id
    assert p.committed_on is not None
    on(
        p.committed_on,
        lambda: finance.record_entry(
            year.finance,
            pid,
            finance.EntryInput("commitment", p.budget, p.committed_on, f"OBL-{key}"),
        ),
    )
    on(p.committed_on, lambda: lifecycle.fire(year.finance, pid, ProposalTrigger.INITIATE), 10)
    if p.actual_start and p.disbursed:
        # The first tranche is paid, then the project is marked ongoing from its actual start.
        amount, paid_on = p.disbursed
        on(
            paid_on,
            lambda: finance.record_entry(
                year.finance,
                pid,
                finance.EntryInput("disbursement", amount, paid_on, f"PAY-{key}-1"),
            ),
        )
        on(
            paid_on,
            lambda: finance.record_project_dates(
                year.finance, pid, finance.ProjectDates(p.actual_start, None, None)
            ),
            10,
        )
        on(paid_on, lambda: lifecycle.fire(year.finance, pid, ProposalTrigger.START), 11)


def _year_2018() -> Year:
    year = _office()
    for s in SITTINGS:
        _submit(year, until=s.scheduled_on)
        _sit(year, s)
        for key in s.items:
            if BY_KEY[key].committed_on:
                _run(year, key)
    # The secretariat sets how the approved projects' durations read in reports, from the
    # day the Board approved each (recorded at the year's end).
    for s in SITTINGS:
        for key in s.items:
            if BY_KEY[key].code:
                note = NOTE if BY_KEY[key].programme == "73" else ""
                period = WMD_PERIOD if key == "D" else ""
                on(
                    date(2018, 12, 20),
                    lambda k=key, n=note, t=period, d=s.held_on: reporting_notes.set_note(
                        year.secretariat, year.proposals[k].id, reporting_notes.NoteInput(d, n, t)
                    ),
                )
    # Early 2019: the chair asks for "a four-month extension of the seed funds from 1
    # January 2019" for -73-a, finance reviews it, the Board approves it.
    a = year.proposals["a"]
    ext = on(
        date(2019, 1, 3),
        lambda: extensions.request_extension(
            year.chairs["Border"],
            a.id,
            extensions.ExtensionInput(
                4, None, Decimal("0.00"), "Print the Compendium's leaflet and translate it."
            ),
        ),
    )
    on(date(2019, 1, 4), lambda: extensions.review_extension(year.finance, ext.id, "No cost."))
    meeting = on(
        date(2019, 1, 7),
        lambda: board.schedule_meeting(
            year.secretariat,
            board.MeetingInput(
                number="PRB/2019/01",
                kind=MeetingKind.MEETING,
                held_on=date(2019, 1, 15),
                place="New York",
            ),
        ),
    )
    item = on(
        date(2019, 1, 7),
        lambda: board.add_extension_to_agenda(year.secretariat, meeting.id, ext.id),
    )
    on(
        date(2019, 1, 15),
        lambda: board.record_attendance(year.secretariat, meeting.id, {m.id for m in year.members}),
    )
    for member in year.members:
        on(date(2019, 1, 15), lambda m=member: board.cast_vote(m, item.id, VoteChoice.APPROVE), 11)
    on(date(2019, 1, 15), lambda: board.close_item(year.secretariat, item.id), 12)
    db.session.expire_all()
    return year


def exhibit(data: portfolio.Overview) -> list[tuple[str, ...]]:
    """The overview's rows as Exhibit V prints them."""
    return [
        (
            r.code,
            # The exhibit names the 2017-73 projects by their working group.
            r.proposal.title if r.code.startswith("UNCCT-2019") else r.proposal.working_group.name,
            r.proposal.objective,
            r.duration,
            r.status,
            r.proposal.scope,
            r.proposal.results_alignment,
        )
        for r in data.rows
    ]


def _casefold(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    # Exhibit V capitalises the working groups' names as titles ("Relating", "Including").
    return [(code, heading.casefold(), *rest) for code, heading, *rest in rows]


def test_the_2018_year_entered_through_the_services_gives_exhibit_v(app) -> None:
    year = _year_2018()
    viewer = year.members[0]
    end_2018 = portfolio.overview(viewer, None, 2018)
    assert end_2018.as_at == date(2018, 12, 31)
    assert _casefold(exhibit(end_2018)) == _casefold(EXHIBIT_V)
    assert end_2018.pending == []  # the victims proposal is under consideration, not approved
    # decisions dated by their meetings (the written procedure: its last vote)
    decided = dict(
        db.session.execute(
            select(Proposal.project_code, Decision.decided_on)
            .join(Decision, Decision.proposal_id == Proposal.id)
            .where(Decision.extension_id.is_(None), Proposal.project_code.is_not(None))
        ).all()
    )
    assert decided["UNCCT-2017-73-a"] == date(2018, 1, 16)
    assert decided["UNCCT-2017-73-i"] == date(2018, 8, 24)
    assert decided["UNCCT-2019-02-79-D"] == date(2018, 12, 11)
    # the chairs submitted bare durations: Exhibit V's notes are the secretariat's
    assert {p.duration_text for p in year.proposals.values()} == {"12 months", "15 months"}
    # as at 30 June 2019 the 2018 overview shows -73-a extended by the Board in January
    mid_2019 = portfolio.overview(viewer, None, 2018, as_at=date(2019, 6, 30))
    rows = {r.code: r for r in mid_2019.rows}
    assert rows["UNCCT-2017-73-a"].status == "Extended"
    assert rows["UNCCT-2017-73-a"].duration.startswith("16 months (1 January 2018–30 April 2019")
    assert {c: r.status for c, r in rows.items() if c != "UNCCT-2017-73-a"} == {
        "UNCCT-2017-73-d": "Ongoing",
        "UNCCT-2017-73-h": "Ongoing",
        "UNCCT-2017-73-i": "Ongoing",
        "UNCCT-2017-73-j": "Ongoing",
        "UNCCT-2019-02-79-D": "Initiated",
    }


def _minutes(meeting: Meeting) -> str:
    data = minutes_data(
        meeting,
        draft=True,
        secretary=None,
        version_label="draft",
        generated_at=at(date(2019, 3, 1)),
    )
    return decisions_json(data)


def test_a_revision_in_2019_leaves_the_2018_overview_and_minutes_unchanged(app) -> None:
    year = _year_2018()
    viewer = year.members[0]
    meeting = year.meetings["PRB/2018/04"]
    overview_before = exhibit(portfolio.overview(viewer, None, 2018))
    minutes_before = _minutes(meeting)
    assert '"requested_budget": "150000.00"' in minutes_before
    victims = year.proposals["victims"]
    db.session.refresh(victims)
    assert victims.status == ProposalState.REVISION_REQUESTED
    on(
        date(2019, 2, 10),
        lambda: proposal_service.update_proposal(
            year.chairs["Victims"],
            victims.id,
            replace(year.inputs["victims"], requested_budget=Decimal("20000.00")),
            seen_version=victims.version,
        ),
    )
    db.session.expire_all()
    assert victims.requested_budget == Decimal("20000.00")
    assert exhibit(portfolio.overview(viewer, None, 2018)) == overview_before
    assert _minutes(meeting) == minutes_before
