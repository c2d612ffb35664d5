"""Shortcuts for tests of calls for proposals: an administrator, a second programme, and
calls written straight to the database (the call rules are tested through the services)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from prb.extensions import db
from prb.models import (
    Call,
    FundingProgramme,
    Proposal,
    ResultsOutput,
    User,
    WorkingGroup,
    utcnow,
)
from prb.services.proposal_rules import ProposalInput
from tests import factories
from workflows import Role

DAY = timedelta(days=1)


def administrator(world, *extra: Role, email: str = "admin@prb.example") -> User:  # type: ignore[no-untyped-def]
    user = factories.user(email, world.unoct, Role.ADMINISTRATOR, *extra, name="Ana Admin")
    db.session.commit()
    return user


def next_programme(code: str = "UNCCT-2019-02-79") -> FundingProgramme:
    programme = FundingProgramme(
        code=code,
        title="Seed-Funding 2019–2020",
        start_year=2019,
        end_year=2020,
        envelope=Decimal("1000000.00"),
        code_style="upper",
        code_first_letter="D",
    )
    db.session.add(programme)
    db.session.commit()
    return programme


def call(
    programme: FundingProgramme,
    groups: list[WorkingGroup],
    *,
    opens: datetime | None = None,
    closes: datetime | None = None,
    title: str = "Call 2019",
    guidance: str = "",
) -> Call:
    now = utcnow().replace(second=0, microsecond=0)
    c = Call(
        programme=programme,
        title=title,
        opens_at=opens or now - 10 * DAY,
        closes_at=closes or now + 10 * DAY,
        working_groups=groups,
        guidance=guidance,
    )
    db.session.add(c)
    db.session.commit()
    return c


def outputs(programme: FundingProgramme, *labels: str, retired: tuple[str, ...] = ()) -> None:
    for label in labels:
        db.session.add(ResultsOutput(programme_id=programme.id, label=label))
    for label in retired:
        db.session.add(ResultsOutput(programme_id=programme.id, label=label, retired_at=utcnow()))
    db.session.commit()


def proposal_input(p: Proposal, **changes) -> ProposalInput:  # type: ignore[no-untyped-def]
    """What the proposal form would send for `p`, with some changes."""
    values = {
        "programme_id": p.programme_id,
        "working_group_id": p.working_group_id,
        "title": p.title,
        "lead_entity_id": p.lead_entity_id,
        "objective": p.objective,
        "description": p.description,
        "thematic_area": p.thematic_area,
        "scope": p.scope,
        "scope_detail": p.scope_detail,
        "results_alignment": p.results_alignment,
        "requested_budget": p.requested_budget,
        "duration_months": p.duration_months,
        "planned_start": p.planned_start,
        "call_id": p.call_id,
    }
    values.update(changes)
    return ProposalInput(**values)
