"""Building test data directly through the models (fast, explicit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

from werkzeug.security import generate_password_hash

from prb.demo.portfolio import OFFICE_ENTITY, OFFICE_UNIT
from prb.extensions import db
from prb.models import (
    BoardMembership,
    Call,
    Entity,
    FundingProgramme,
    Office,
    Proposal,
    User,
    WorkingGroup,
    utcnow,
)
from workflows import ProposalState, Role

PASSWORD = "correct horse battery staple"


@cache
def _password_hash() -> str:
    # Hash once per run: scrypt is deliberately slow and tests create many users.
    return generate_password_hash(PASSWORD)


def entity(code: str, name: str | None = None) -> Entity:
    e = Entity(code=code, name=name or f"{code} (test entity)")
    db.session.add(e)
    return e


def user(
    email: str,
    ent: Entity,
    *roles: Role,
    chairs: tuple[WorkingGroup, ...] = (),
    name: str | None = None,
    board_chair: bool = False,
    seat: bool = True,
) -> User:
    u = User(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        entity=ent,
        password_hash=_password_hash(),
        active=True,
        role_rows=[],
        chaired_groups=list(chairs),
    )
    u.set_roles(set(roles))
    db.session.add(u)
    if Role.BOARD_MEMBER in roles and seat:
        # A seat on the Board since long before any test's meetings; `board_chair` marks it
        # the chair's (the Board chair is a seat, not a flag on the account).
        db.session.add(
            BoardMembership(user=u, entity=ent, since=date(2000, 1, 1), is_chair=board_chair)
        )
    return u


def proposal(
    world: World,
    *,
    group: WorkingGroup | None = None,
    status: str = ProposalState.DRAFT,
    title: str = "Compendium of good practices",
    complete: bool = True,
    created_by: User | None = None,
    **fields: object,
) -> Proposal:
    group = group or world.group_a
    p = Proposal(
        programme=world.programme,
        working_group=group,
        title=title,
        status=status,
        created_by=created_by or world.chair_a,
    )
    if complete:
        p.lead_entity = world.cted
        p.objective = "Raise awareness of biometrics good practice"
        p.description = "A compendium and workshops."
        p.thematic_area = "Border management"
        p.results_alignment = "Outcome 4, Output 4.2"
        p.requested_budget = Decimal("150000.00")
        p.duration_months = 12
        p.planned_start = date(2019, 1, 1)
    for key, value in fields.items():
        setattr(p, key, value)
    db.session.add(p)
    db.session.commit()
    return p


@dataclass
class World:
    cted: Entity
    unodc: Entity
    unoct: Entity
    undp: Entity
    programme: FundingProgramme
    group_a: WorkingGroup
    group_b: WorkingGroup
    chair_a: User
    chair_b: User
    secretariat: User
    board_chair: User
    board_cted: User
    board_undp: User
    finance: User
    # Two roles at once (issue 13 §7): a chair of group B who also holds the board member
    # role, and a chair of group B who also works in finance. Both see the whole portfolio,
    # so acting on group A's records must be refused for *who* they are (403), not for the
    # record's state. The board member holds no seat, so that the Board tests' quorums and
    # counts stay those of the three seated members; a test of her votes gives her a seat.
    chair_b_board: User
    chair_b_finance: User
    call: Call | None = None


def build_world() -> World:
    cted, unodc, unoct, undp = (entity(c) for c in ("CTED", "UNODC", "UNOCT", "UNDP"))
    programme = FundingProgramme(
        code="UNCCT-2017-73",
        title="Seed-Funding for Global Compact Working Group Projects",
        start_year=2017,
        end_year=2018,
        envelope=Decimal("1356000.00"),
    )
    group_a = WorkingGroup(name="Border Management and Law Enforcement", short_name="Border")
    group_b = WorkingGroup(name="Legal and Criminal Justice Responses", short_name="Legal")
    # The office heading every PDF, as the demo names it (prb setup names it after the
    # office's entity).
    office = Office(id=1, name=OFFICE_ENTITY[1], unit=OFFICE_UNIT)
    db.session.add_all([programme, group_a, group_b, office])
    w = World(
        cted=cted,
        unodc=unodc,
        unoct=unoct,
        undp=undp,
        programme=programme,
        group_a=group_a,
        group_b=group_b,
        chair_a=user(
            "chair.a@prb.example", cted, Role.CHAIR, chairs=(group_a,), name="Amina Diallo"
        ),
        chair_b=user(
            "chair.b@prb.example", unodc, Role.CHAIR, chairs=(group_b,), name="Paolo Rossi"
        ),
        secretariat=user("secretariat@prb.example", unoct, Role.SECRETARIAT, name="Nadia Haddad"),
        board_chair=user(
            "board.chair@prb.example",
            unoct,
            Role.BOARD_MEMBER,
            board_chair=True,
            name="Jean-François Lefèvre",
        ),
        board_cted=user("board.cted@prb.example", cted, Role.BOARD_MEMBER),
        board_undp=user("board.undp@prb.example", undp, Role.BOARD_MEMBER),
        finance=user("finance@prb.example", unoct, Role.FINANCE, name="Li Wei"),
        chair_b_board=user(
            "chair.board@prb.example",
            unodc,
            Role.CHAIR,
            Role.BOARD_MEMBER,
            chairs=(group_b,),
            name="Grace Okafor",
            seat=False,
        ),
        chair_b_finance=user(
            "chair.finance@prb.example",
            undp,
            Role.CHAIR,
            Role.FINANCE,
            chairs=(group_b,),
            name="Tomás Herrera",
        ),
    )
    # An open call for both groups, so that chairs can submit (tests of the call rules make
    # their own).
    w.call = Call(
        programme=programme,
        title="Open call (test world)",
        opens_at=datetime(2000, 1, 1, tzinfo=UTC),
        closes_at=datetime(2100, 1, 1, tzinfo=UTC),
        working_groups=[group_a, group_b],
    )
    db.session.add(w.call)
    db.session.commit()
    return w


def project(
    world: World,
    *,
    status: str = ProposalState.APPROVED,
    budget: Decimal = Decimal("100000.00"),
    code: str | None = None,
    start: date = date(2018, 1, 1),
    months: int = 12,
    group: WorkingGroup | None = None,
    **fields: object,
) -> Proposal:
    """An approved (or later) project with its budget and period, as a Board decision sets them."""
    from datetime import UTC, datetime

    from prb.services.calendar import period_end

    end = period_end(start, months)
    p = proposal(
        world,
        group=group,
        status=status,
        project_code=code,
        requested_budget=budget,
        approved_budget=budget,
        approved_at=datetime(start.year, start.month, start.day, tzinfo=UTC),
        period_start=start,
        original_end=end,
        current_end=end,
        **fields,
    )
    from prb.services import totals

    if status != ProposalState.CANCELLED:
        totals.add(p, projects=1, approved=budget)
        db.session.commit()
    return p


def administrator(
    world: World, email: str = "admin@prb.example", *extra: Role, name: str = "Ada Admin"
) -> User:
    """An administrator of the office (accounts and set-up), with any `extra` roles."""
    admin = user(email, world.unoct, Role.ADMINISTRATOR, *extra, name=name)
    db.session.commit()
    return admin


def today() -> date:
    """Today (UTC), asked when a test runs: a module constant taken at import dates a
    run's input yesterday once the run crosses midnight."""
    return utcnow().date()
