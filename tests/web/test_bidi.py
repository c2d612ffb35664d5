"""Names and titles typed in a right-to-left script stay apart from the dates and figures the
page writes after them (<bdi>): "عبد الله الحسن, 1 March 2019" otherwise shows the date's
"1" and the comma inside the Arabic run, before the name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from markupsafe import Markup

from prb.extensions import db
from prb.services import finance
from prb.web.filters import bidi
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState

ARABIC = "عبد الله الحسن"


def test_the_filter_isolates_and_escapes() -> None:
    assert bidi(ARABIC) == Markup(f"<bdi>{ARABIC}</bdi>")
    assert bidi("<b>x</b>") == Markup("<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>")
    assert bidi(None) == Markup("<bdi></bdi>")


def test_a_finance_officers_arabic_name_is_isolated_before_the_time(client, world) -> None:
    world.finance.name = ARABIC
    db.session.commit()
    project = factories.project(
        world, status=ProposalState.ONGOING, code="UNCCT-2017-73-a", start=date(2018, 1, 1)
    )
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 2, 1)),
    )
    sign_in(client, world.finance)
    page = client.get(f"/proposals/{project.id}/finance").text
    assert f"<bdi>{ARABIC}</bdi>, " in page  # the ledger's "recorded by, at"
