"""Shortcuts for tests of calls for proposals: an administrator, a second programme, and
calls written straight to the database (the call rules are tested through the services)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from prb.extensions import db
from prb.models import Call, FundingProgramme, ResultsOutput, User, WorkingGroup, utcnow
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
