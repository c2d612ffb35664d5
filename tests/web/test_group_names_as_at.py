"""Reports as at a date name each working group as it was named at the end of that day (UTC),
from the groups' audit records: renaming a group later does not rewrite a past overview nor
a past year's annual section. A group with no record keeps today's name."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from docx import Document

from prb.extensions import db
from prb.models import replayed_at, utcnow
from prb.services import annual_section, portfolio
from prb.services.reference.groups import GroupInput, create_group, update_group
from tests import factories
from tests.conftest import sign_in
from tests.csv_helpers import csv_of
from tests.web.test_query_counts import counting
from workflows import ProposalState as S

CODE, UNRECORDED = "UNCCT-2017-73-g", "UNCCT-2017-73-h"
FIRST = "Countering Violent Extremism"  # created 5 January 2018
MARCH = "Prevention of Violent Extremism"  # renamed 1 March 2019, 09:00 UTC
JUNE = "Resilience and Prevention"  # renamed 30 June 2019, 15:00 UTC
TODAY = "Communities Against Extremism"  # renamed 1 July 2019, 00:30 UTC


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _rename(admin, group_id: int, name: str, short: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
    with replayed_at(when):
        update_group(admin, group_id, GroupInput(name, short))


def build(world):  # type: ignore[no-untyped-def]
    """A group made by an administrator in January 2018, a project of it under way from
    June 2018, the group renamed three times in 2019 (the last just after midnight); and a
    project of a group set up without an audit record, renamed since without one."""
    admin = factories.administrator(world)
    with replayed_at(_at(date(2018, 1, 5), 10)):
        group = create_group(admin, GroupInput(FIRST, "CVE"))
    factories.project(world, status=S.ONGOING, code=CODE, group=group, start=date(2018, 6, 1))
    factories.project(
        world, status=S.ONGOING, code=UNRECORDED, group=world.group_a, start=date(2018, 6, 1)
    )
    _rename(admin, group.id, MARCH, "PVE", _at(date(2019, 3, 1), 9))
    _rename(admin, group.id, JUNE, "R&P", _at(date(2019, 6, 30), 15))
    _rename(admin, group.id, TODAY, "CAE", _at(date(2019, 7, 1), 0, 30))
    world.group_a.name = "Border Security and Management"  # no audit record: today's name
    db.session.commit()
    return group


def page_groups(client, query: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The overview page's working group per project code."""
    response = client.get(f"/reports/portfolio?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(
        r'<td class="nowrap"><a [^>]*>(UNCCT-[^<]+)</a></td><td>([^<]*)<br><em>', html, re.S
    )
    return dict(rows)


def csv_groups(client, query: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = csv_of(client.get(f"/reports/portfolio.csv?{query}"))
    return {r["code"]: r["working_group"] for r in rows}


def test_the_overview_names_each_group_as_it_was_named_at_the_end_of_the_day(client, world) -> None:
    build(world)
    sign_in(client, world.board_undp)
    border = world.group_a.name
    expected = {
        "year=2018&as_at=2018-12-31": FIRST,
        "year=2018": FIRST,  # the year's end
        "year=2019&as_at=2019-02-28": FIRST,
        "year=2019&as_at=2019-03-01": MARCH,  # renamed that morning: the day's end counts it
        "year=2019&as_at=2019-06-30": JUNE,
        "year=2019&as_at=2019-07-01": TODAY,  # renamed after midnight: not on 30 June
        "year=2019": TODAY,
        f"year={utcnow().year}": TODAY,  # as at today
    }
    for query, name in expected.items():
        wanted = {CODE: name, UNRECORDED: border}
        assert page_groups(client, query) == wanted, query
        assert csv_groups(client, query) == wanted, query


def test_the_annual_section_names_the_groups_as_at_the_years_end(client, world) -> None:
    build(world)
    sign_in(client, world.secretariat)
    for year, name in ((2018, FIRST), (2019, TODAY)):
        section = annual_section.section_of_year(world.secretariat, world.programme.id, year)
        assert {r.code: r.proposal.working_group.name for r in section.rows} == {
            CODE: name,
            UNRECORDED: world.group_a.name,
        }
        # The editable document the office downloads, as Word reads it.
        response = client.get(
            f"/reports/annual-section.docx?programme_id={world.programme.id}&year={year}"
        )
        assert response.status_code == 200
        cells = {c.text for t in Document(io.BytesIO(response.data)).tables for c in t._cells}
        assert any(c.startswith(f"{name}\n") for c in cells), (year, cells)
        others = {FIRST, MARCH, JUNE, TODAY} - {name}
        assert not any(c.startswith(f"{o}\n") for c in cells for o in others), year


def test_the_groups_names_then_cost_one_statement_whatever_their_number(app, world) -> None:
    admin = factories.administrator(world)

    def groups(first: int, last: int) -> None:
        """Groups made in January 2018, each with a project; renamed today."""
        for i in range(first, last):
            with replayed_at(_at(date(2018, 1, 1 + i), 9)):
                group = create_group(admin, GroupInput(f"Group {i}", f"G{i}"))
            factories.project(world, status=S.ONGOING, code=f"UNCCT-2018-G{i:02}", group=group)
            update_group(admin, group.id, GroupInput(f"Group {i} renamed", f"G{i}"))

    def statements() -> int:
        db.session.expire_all()
        with counting() as seen:
            portfolio.overview(world.board_undp, None, 2018)
        return len(seen)

    groups(0, 2)
    few = statements()
    groups(2, 12)
    assert statements() == few
    rows = portfolio.overview(world.board_undp, None, 2018).rows
    assert [r.proposal.working_group.name for r in rows] == [f"Group {i}" for i in range(12)]
