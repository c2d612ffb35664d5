"""The annual section's opening figures from dated records: proposals approved in the year
(not before, not after), and proposals under consideration on 31 December — submitted by
then, not yet decided nor withdrawn by then (a later withdrawal leaves it counted)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from prb.models import replayed_at
from prb.services import annual_section, lifecycle
from prb.services.errors import Invalid, NotAllowed
from tests import factories
from workflows import ProposalState as S
from workflows import ProposalTrigger as T


def _on(day: date):  # type: ignore[no-untyped-def]
    return replayed_at(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


def test_approved_in_the_year_counts_that_year_only(world) -> None:
    for n, start in enumerate((date(2017, 12, 1), date(2018, 1, 1), date(2018, 12, 31))):
        factories.project(world, status=S.ONGOING, code=f"UNCCT-2017-73-{n}", start=start)
    factories.project(world, status=S.APPROVED, code="UNCCT-2017-73-x", start=date(2019, 1, 1))
    assert annual_section.approved_in(None, 2018) == 2
    assert annual_section.approved_in(world.programme.id, 2017) == 1
    assert annual_section.approved_in(None, 2019) == 1


def test_under_consideration_on_the_last_day_of_the_year(world) -> None:
    def submitted(on: date, title: str):  # type: ignore[no-untyped-def]
        p = factories.proposal(world, title=title)
        with _on(on):
            lifecycle.fire(world.chair_a, p.id, T.SUBMIT)
        return p

    submitted(date(2018, 6, 1), "Waiting")
    later = submitted(date(2018, 7, 1), "Withdrawn in 2019")
    gone = submitted(date(2018, 8, 1), "Withdrawn in 2018")
    submitted(date(2019, 1, 2), "Submitted in 2019")
    factories.proposal(world, title="A draft")
    with _on(date(2018, 11, 1)):
        lifecycle.fire(world.chair_a, gone.id, T.WITHDRAW, comment="Merged into another.")
    with _on(date(2019, 2, 1)):
        lifecycle.fire(world.chair_a, later.id, T.WITHDRAW, comment="No longer needed.")
    assert annual_section.under_consideration(None, date(2018, 12, 31)) == 2
    assert annual_section.under_consideration(world.programme.id, date(2018, 6, 30)) == 1
    assert annual_section.under_consideration(None, date(2019, 12, 31)) == 2


def test_a_proposal_carried_over_since_counts_in_the_programme_it_was_in_then(world) -> None:
    """Submitted to UNCCT-2017-73 in 2018 and carried over to the next programme since: the
    2018 section of UNCCT-2017-73 counts it (it was before the Board there), the next
    programme's does not; as at today it is the next programme's."""
    from prb.models import utcnow
    from prb.services import carry_over
    from tests.call_helpers import next_programme

    p = factories.proposal(world, title="Supporting victims of terrorism", call_id=world.call.id)
    with _on(date(2018, 6, 1)):
        lifecycle.fire(world.chair_a, p.id, T.SUBMIT)
    later = next_programme()
    carry_over.carry_over(world.secretariat, p.id, carry_over.CarryOverInput(programme_id=later.id))
    year_end = date(2018, 12, 31)
    assert annual_section.under_consideration(world.programme.id, year_end) == 1
    assert annual_section.under_consideration(later.id, year_end) == 0
    assert annual_section.under_consideration(None, year_end) == 1
    today = utcnow().date()
    assert annual_section.under_consideration(later.id, today) == 1
    assert annual_section.under_consideration(world.programme.id, today) == 0


def test_a_section_larger_than_a_request_makes_is_refused_before_it_is_built(world) -> None:
    factories.project(world, status=S.ONGOING, code="UNCCT-2017-73-a", start=date(2018, 1, 1))
    with pytest.raises(Invalid, match="1 projects"):
        annual_section.section(world.secretariat, world.programme.id, 2018, {}, max_projects=0)
    data = annual_section.section(world.secretariat, world.programme.id, 2018, {}, max_projects=1)
    assert [r.code for r in data.rows] == ["UNCCT-2017-73-a"]
    with pytest.raises(NotAllowed):
        annual_section.section(world.chair_a, world.programme.id, 2018, {})
