"""Pages with several forms keep their ids unique and their labels on their own controls:
the meeting page (a vote form and a close form per open item), the finance page of a
project (ledger, dates, extension review, co-funding and its withdrawals) and the two-step
page. The checker itself is tested on markup with each fault."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from prb.extensions import db
from prb.models import utcnow
from prb.services import co_funding, extensions
from tests import factories
from tests.board_helpers import item_under_review
from tests.conftest import sign_in
from tests.markup import markup_problems
from workflows import ProposalState as S


def page_with_tokens(client, app, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page as production writes it: each form with its CSRF token (the tests' app
    leaves them out)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_checker_finds_each_fault() -> None:
    assert (
        markup_problems(
            '<form><label for="a">A</label><input id="a"></form><p id="h">hint</p>'
            '<input aria-describedby="h">'
        )
        == []
    )
    assert markup_problems('<input id="a"><input id="a">') == ["id 'a' is used 2 times"]
    assert markup_problems('<label for="b">B</label><p id="b">') == [
        "a label is for 'b', which is no control on the page"
    ]
    assert markup_problems('<form><label for="c">C</label></form><form><input id="c"></form>') == [
        "a label for 'c' names a control of another form"
    ]
    assert markup_problems('<input aria-describedby="gone">') == [
        "aria-describedby names 'gone', which is not on the page"
    ]


def test_the_meeting_page_with_two_open_items(app, client, world) -> None:
    first = item_under_review(world)
    item_under_review(world, first.meeting)
    for user in (world.secretariat, world.board_undp):
        sign_in(client, user)
        page = page_with_tokens(client, app, f"/board/meetings/{first.meeting_id}")
        assert 'name="csrf_token"' in page
        assert page.count('<form method="post"') > 4, "the page shows its forms"
        assert markup_problems(page) == [], user.email
        client.post("/logout")


def test_the_finance_page_of_a_project_with_every_form(app, client, world) -> None:
    p = factories.project(world, status=S.ONGOING, start=date(2018, 1, 1))
    extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, None, "Field work slipped")
    )
    for funder in ("Government of Norway", "Government of Japan"):
        co_funding.record_co_funding(
            world.finance,
            p.id,
            co_funding.CoFundingInput(
                funder, Decimal("1000.00"), "USD", Decimal(1), p.period_start
            ),
        )
    db.session.commit()
    sign_in(client, world.finance)
    page = page_with_tokens(client, app, f"/proposals/{p.id}/finance")
    assert "Withdraw a contribution" in page and "Finance review</label>" in page
    assert page.count('<form method="post"') >= 6
    assert markup_problems(page) == []


def test_the_two_step_page_of_an_enrolled_user(app, client, world) -> None:
    sign_in(client, world.secretariat)
    world.secretariat.totp_secret = "JBSWY3DPEHPK3PXP"
    world.secretariat.totp_enabled_at = utcnow()
    db.session.commit()
    page = page_with_tokens(client, app, "/account/two-step")
    assert "Make new recovery codes" in page and "Turn two-step sign-in off" in page
    assert markup_problems(page) == []
