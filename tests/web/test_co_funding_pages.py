"""Co-funding on the pages: recorded on the finance page by finance staff or the secretariat,
shown with its USD total on the proposal page and the finance page, in the overview's
"Co-funding (USD)" column (page, PDF, CSV) — a funder's name escaped wherever it is printed —
and hidden from a chair of another group like everything else of the project (404)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import CoFunding
from prb.services import annual_section, co_funding, finance
from tests import factories
from tests.conftest import sign_in
from tests.web.test_minutes import pdf_text
from workflows import ProposalState as S

HOSTILE = '<script>alert("x")</script> & =HYPERLINK("http://evil")'


def _project(world, group=None):  # type: ignore[no-untyped-def]
    p = factories.project(
        world, status=S.ONGOING, code="UNCCT-2017-73-j", start=date(2018, 1, 1), group=group
    )
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 1, 5))
    )
    return p


def _form(**changes: str) -> dict[str, str]:
    data = {
        "cf-funder": "Government of Switzerland",
        "cf-amount": "100000.00",
        "cf-currency": "CHF",
        "cf-rate_to_usd": "1.05263",
        "cf-contributed_on": "2018-03-15",
        "cf-note": "",
        "cf-once": "t-" + "".join(changes.values())[:20] + "x",
    }
    data.update({f"cf-{k}": v for k, v in changes.items()})
    return data


def _count() -> int:
    return db.session.scalar(select(func.count(CoFunding.id))) or 0


def test_finance_records_and_both_pages_show_it_with_the_total(client, world) -> None:
    p = _project(world)
    sign_in(client, world.finance)
    response = client.post(f"/proposals/{p.id}/co-funding", data=_form())
    assert response.status_code == 303
    page = client.get(f"/proposals/{p.id}/finance").get_data(as_text=True)
    assert "Government of Switzerland" in page and "USD 105,263.00" in page
    assert "Record a contribution" in page
    client.post("/logout")
    sign_in(client, world.board_undp)
    shown = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Co-funding" in shown and "USD 105,263.00" in shown
    assert "Record a contribution" not in shown  # the proposal page lists, never records


def test_the_secretariat_records_and_withdraws(client, world) -> None:
    p = _project(world)
    sign_in(client, world.secretariat)
    assert client.post(f"/proposals/{p.id}/co-funding", data=_form()).status_code == 303
    row = db.session.scalars(select(CoFunding)).one()
    response = client.post(
        f"/proposals/{p.id}/co-funding/{row.id}/withdraw",
        data={"once": "w1", "reason": "Recorded twice."},
    )
    assert response.status_code == 303
    assert co_funding.usd_totals([p.id]) == {}
    page = client.get(f"/proposals/{p.id}/finance").get_data(as_text=True)
    assert "Withdrawal of #1" in page and "Recorded twice." in page


def test_bad_input_is_shown_on_the_page_and_nothing_is_saved(client, world) -> None:
    p = _project(world)
    sign_in(client, world.finance)
    for changes, message in [
        ({"currency": "XYZ"}, "ISO 4217"),
        ({"amount": "0"}, "positive amount"),
        ({"amount": "-3"}, "positive amount"),
        ({"rate_to_usd": "0"}, "rate to USD"),
        ({"currency": "USD", "rate_to_usd": "1.2"}, "has the rate 1"),
        ({"amount": "abc"}, "currency of the contribution"),
    ]:
        response = client.post(f"/proposals/{p.id}/co-funding", data=_form(**changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    assert _count() == 0


def test_who_may_record_and_who_sees(client, world) -> None:
    own = _project(world, group=world.group_a)
    for person in (world.board_undp, world.chair_a, world.chair_b_board):
        sign_in(client, person)
        assert client.post(f"/proposals/{own.id}/co-funding", data=_form()).status_code == 403
        client.post("/logout")
    assert _count() == 0
    # the chair of group B, also in finance, records on group A's project: finance sees all
    sign_in(client, world.chair_b_finance)
    assert client.post(f"/proposals/{own.id}/co-funding", data=_form()).status_code == 303
    client.post("/logout")
    # a chair of another group: the project is not there for her
    sign_in(client, world.chair_b)
    assert client.get(f"/proposals/{own.id}").status_code == 404
    assert client.get(f"/proposals/{own.id}/finance").status_code == 404
    client.post("/logout")
    # her own group's chair sees it on both pages
    sign_in(client, world.chair_a)
    assert "Government of Switzerland" in client.get(f"/proposals/{own.id}").get_data(as_text=True)
    assert client.get(f"/proposals/{own.id}/finance").status_code == 200


def test_a_funder_name_is_escaped_on_the_pages_in_the_pdfs_and_the_csv(client, world) -> None:
    p = _project(world)
    co_funding.record_co_funding(
        world.finance,
        p.id,
        co_funding.CoFundingInput(
            HOSTILE, Decimal("10.00"), "EUR", Decimal("1.2"), date(2018, 2, 1), HOSTILE
        ),
    )
    sign_in(client, world.secretariat)
    for url in (f"/proposals/{p.id}", f"/proposals/{p.id}/finance"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; =HYPERLINK" in page
    # the overview: the column on the page, in the PDF and in the CSV (a number: no formula)
    page = client.get("/reports/portfolio", query_string={"year": "2018"}).get_data(as_text=True)
    assert "Co-funding (USD)" in page and "12.00" in page
    pdf = client.get("/reports/portfolio.pdf", query_string={"year": "2018"})
    assert "Co-funding" in pdf_text(pdf.data) and "12.00" in pdf_text(pdf.data)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/reports/portfolio.csv?year=2018").get_data(as_text=True))
        )
    )
    assert rows[0][-1] == "co_funding_usd" and rows[1][-1] == "12.00"
    # the annual section prints the funder: as text in the PDF, never as markup
    response = client.get(
        "/reports/annual-section.pdf",
        query_string={"programme_id": world.programme.id, "year": 2018, "scope": "board"},
    )
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert '<script>alert("x")</script> & =HYPERLINK' in text


def test_the_annual_section_page_and_its_refusals(client, world) -> None:
    _project(world)
    sign_in(client, world.secretariat)
    assert client.get("/reports/annual-section").status_code == 200
    this_year = date.today().year
    for query, status in [
        ({"programme_id": world.programme.id, "year": this_year}, 422),  # not ended
        ({"programme_id": world.programme.id, "year": "abc"}, 422),
        ({"programme_id": 999, "year": 2018}, 422),
        ({"programme_id": world.programme.id, "year": 2018}, 200),
    ]:
        response = client.get("/reports/annual-section.docx", query_string=query)
        assert response.status_code == status, (query, response.status_code)
    assert response.headers["Content-Disposition"].endswith('2018.docx"')
    client.post("/logout")
    sign_in(client, world.chair_a)
    assert client.get("/reports/annual-section").status_code == 403
    assert annual_section.VIEWERS  # the overview's readers
