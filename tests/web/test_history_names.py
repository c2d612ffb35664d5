"""A proposal's history names each person as her account was named when she acted, with
today's name beside it when it differs: renaming an account does not rewrite history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from prb.extensions import db
from prb.services.accounts.people import UserInput, update_user
from prb.services.audit_names import name_at
from tests import factories
from tests.conftest import sign_in
from tests.unit.test_finance import entry


def rename(admin, user, name: str) -> None:  # type: ignore[no-untyped-def]
    update_user(admin, user.id, UserInput(user.email, name, user.entity_id, set(user.roles)))


def who_lines(page: str) -> list[str]:
    return [" ".join(w.split()) for w in re.findall(r'<span class="who">by (.*?)</span>', page)]


def test_the_history_names_people_as_they_were_named_then(client, world) -> None:
    admin = factories.administrator(world)
    p = factories.project(world, code="UNCCT-2017-73-a")
    world.finance.name = "Ana Smith"
    db.session.commit()
    entry(world, p, "commitment", "100.00", value_date=date(2018, 2, 1))
    rename(admin, world.finance, "Ana Jones")
    entry(world, p, "commitment", "100.00", value_date=date(2018, 2, 2))
    rename(admin, world.finance, "Ana Brown")
    entry(world, p, "commitment", "100.00", value_date=date(2018, 2, 3))
    sign_in(client, world.secretariat)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert who_lines(page) == [
        "Ana Smith (finance; now Ana Brown)",
        "Ana Jones (finance; now Ana Brown)",
        "Ana Brown (finance)",
    ]


def test_a_name_at_a_moment_from_the_accounts_records() -> None:
    def t(day: int) -> datetime:
        return datetime(2018, 1, day, tzinfo=UTC)

    created = (t(5), None, "A")
    renamed = (t(10), "A", "B")
    role_only = (t(12), "B", "B")
    assert name_at([], t(1), "Today") == "Today"  # no record: today's name
    assert name_at([renamed], t(1), "B") == "A"  # before the first change: as it found it
    assert name_at([created, renamed], t(1), "B") == "A"
    assert name_at([created, renamed], t(5), "B") == "A"
    assert name_at([created, renamed, role_only], t(11), "B") == "B"
    assert name_at([(t(10), None, None)], t(1), "Today") == "Today"  # values without a name
