"""The finance dashboard page as it reads its rows as plain columns and its totals in one
read (issue 15): what it shows is what the services' own accounts say."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from flask import url_for

from prb.extensions import db
from prb.models import FundingProgramme, utcnow
from prb.services import finance
from prb.services import finance_dashboard as dashboard
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState

S = ProposalState
D = Decimal


def _projects(world) -> list:  # type: ignore[no-untyped-def]
    """Projects in two programmes and both groups; labels whose order differs by case."""
    other = FundingProgramme(
        code="AAA-2020", title="Other", start_year=2020, end_year=2024, envelope=D("9000000.00")
    )
    db.session.add(other)
    db.session.commit()
    today = utcnow().date()
    made = [
        factories.project(world, code="UNCCT-2017-73-a", budget=D("100000.00")),
        factories.project(world, code="UNCCT-2017-73-b", budget=D("50000.00"), group=world.group_b),
        factories.project(
            world,
            code="AAA-2020-1",
            budget=D("7000.00"),
            programme=other,
            status=S.ONGOING,
            start=today - timedelta(days=400),
        ),
    ]
    finance.record_entry(
        world.finance,
        made[0].id,
        finance.EntryInput("commitment", D("60000.00"), today, reference="T"),
    )
    return made


def _table(html: str, heading: str) -> list[list[str]]:
    section = html.split(heading, 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)
        if "<td" in row
    ]


def test_the_page_shows_the_services_totals_in_their_order(client, world) -> None:
    _projects(world)
    sign_in(client, world.finance)
    html = client.get("/finance/").get_data(as_text=True)
    for heading, by in (("Totals per programme", "programme"), ("Totals per working group", "")):
        expected = [
            [
                t.label,
                str(t.projects),
                *(f"USD {v:,.2f}" for v in (t.approved, t.committed, t.disbursed, t.returned)),
                f"USD {t.balance:,.2f}",
            ]
            for t in dashboard.totals(world.finance, dashboard.Filter(), by or "group")
        ]
        assert _table(html, heading) == expected, heading
    assert "Projects (3)" in html
    filtered = client.get(f"/finance/?programme_id={world.programme.id}").get_data(as_text=True)
    assert "Projects (2)" in filtered
    assert [r[0] for r in _table(filtered, "Totals per programme")] == [world.programme.code]
    empty = FundingProgramme(
        code="ZZZ-2030", title="Empty", start_year=2030, end_year=2034, envelope=D("1.00")
    )
    db.session.add(empty)
    db.session.commit()
    none = client.get(f"/finance/?programme_id={empty.id}").get_data(as_text=True)
    for heading in ("Totals per programme", "Totals per working group"):
        assert _table(none, heading) == [["No projects."]], heading


def test_each_row_links_its_project_and_flags_it(client, world, app) -> None:
    made = _projects(world)
    sign_in(client, world.finance)
    html = client.get("/finance/").get_data(as_text=True)
    with app.test_request_context():
        for p in made:
            assert (
                f'href="{url_for("finance.project", proposal_id=p.id)}">{p.project_code}<' in html
            )
    rows = {r[0]: r for r in _table(html, "Every project's money and time")}
    assert rows["AAA-2020-1"][-1] == (
        "past end date and not completednothing disbursed 90 days after approval"
    )
    assert rows["UNCCT-2017-73-a"][3] == "Approved" and rows["UNCCT-2017-73-a"][5] == (
        "USD 60,000.00"
    )


def test_every_value_of_a_row_is_escaped(client, world) -> None:
    hostile = "<script>alert(\"x\")</script> & 'q'"
    factories.project(world, code="UNCCT-2017-73-<b>", title=hostile, budget=D("10.00"))
    world.group_a.short_name = "<i>BMLE</i>"
    world.group_a.name = "<em>Border</em> & more"
    db.session.commit()
    sign_in(client, world.finance)
    html = client.get("/finance/").get_data(as_text=True)
    assert "<script>" not in html and "<b>" not in html and "<i>BMLE" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;" in html
    assert "UNCCT-2017-73-&lt;b&gt;" in html and "&lt;i&gt;BMLE&lt;/i&gt;" in html
    assert "<td>&lt;em&gt;Border&lt;/em&gt; &amp; more</td>" in html  # the group's totals
