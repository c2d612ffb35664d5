"""The overview's two tables page on the screen (issue 15): each shows at most PAGE_SIZE
rows, pages on its own (`page`, `pending_page`) keeping the other's page and the selection
in its links, counts every project of the selection, and a page past the last shows the
last; the PDF and CSV keep every project. Malformed page numbers are damaged addresses: 400."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from prb.extensions import db
from prb.services import portfolio
from tests import factories
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from workflows import ProposalState as S

PAGE = "/reports/portfolio?year=2018&as_at=2018-12-31"


@pytest.fixture
def small_pages(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(portfolio, "PAGE_SIZE", 2)


def _build(world) -> None:  # type: ignore[no-untyped-def]
    """Five projects running in 2018 (listed) and three approved in 2018, not initiated."""
    for i in range(5):
        factories.project(
            world, status=S.ONGOING, code=f"UNCCT-2018-L{i}", start=date(2018, 2, 1), months=12
        )
    for i in range(3):
        factories.project(
            world, status=S.APPROVED, code=f"UNCCT-2018-P{i}", start=date(2018, 6, 1), months=12
        )
    db.session.commit()


def _codes(html: str) -> tuple[list[str], list[str]]:
    main, _, pending = html.partition('<h2 id="pending">')
    return re.findall(r"UNCCT-2018-L\d", main), re.findall(r"UNCCT-2018-P\d", pending)


def _links(html: str, rel: str) -> list[str]:
    return [a.replace("&amp;", "&") for a in re.findall(rf'<a href="([^"]+)" rel="{rel}">', html)]


def test_each_table_pages_on_its_own(client, world, small_pages) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    first = client.get(PAGE).text
    assert _codes(first) == (["UNCCT-2018-L0", "UNCCT-2018-L1"], ["UNCCT-2018-P0", "UNCCT-2018-P1"])
    assert "5 projects; page 1 of 3." in first
    assert "3 projects approved, not yet initiated; page 1 of 2." in first
    assert not _links(first, "prev")
    listed_next, pending_next = _links(first, "next")
    assert "page=2" in listed_next and "pending_page" not in listed_next
    assert "pending_page=2" in pending_next and pending_next.endswith("#pending")
    for link in (listed_next, pending_next):
        assert "year=2018" in link and "as_at=2018-12-31" in link  # the same selection

    both = client.get(f"{PAGE}&page=3&pending_page=2").text
    assert _codes(both) == (["UNCCT-2018-L4"], ["UNCCT-2018-P2"])
    assert "5 projects; page 3 of 3." in both
    # Each pager keeps the other table's page; the last pages offer no next.
    listed_prev, pending_prev = _links(both, "prev")
    assert "page=2" in listed_prev and "pending_page=2" in listed_prev
    assert "pending_page=1" in pending_prev and re.search(r"[?&]page=3", pending_prev)
    assert not _links(both, "next")


def test_a_page_past_the_last_shows_the_last(client, world, small_pages) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    for query, expected in [
        ("&page=4", (["UNCCT-2018-L4"], ["UNCCT-2018-P0", "UNCCT-2018-P1"])),
        ("&page=1000000&pending_page=1000000", (["UNCCT-2018-L4"], ["UNCCT-2018-P2"])),
        ("&pending_page=7", (["UNCCT-2018-L0", "UNCCT-2018-L1"], ["UNCCT-2018-P2"])),
    ]:
        response = client.get(PAGE + query)
        assert response.status_code == 200, query
        assert _codes(response.text) == expected, query


def test_one_page_has_no_pager(client, world) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    html = client.get(PAGE).text
    assert _codes(html) == (
        [f"UNCCT-2018-L{i}" for i in range(5)],
        [f"UNCCT-2018-P{i}" for i in range(3)],
    )
    assert "5 projects; page 1 of 1." in html
    assert "3 projects approved, not yet initiated." in html
    assert 'class="pager"' not in html and "hold every project" not in html


@pytest.mark.parametrize("name", ["page", "pending_page"])
def test_malformed_page_numbers_are_a_400(client, world, name) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    for value in ["0", "-1", "abc", "1.5", "²", "99999999999999999999", " 2"]:
        response = client.get(
            "/reports/portfolio", query_string={"year": "2018", "as_at": "2018-12-31", name: value}
        )
        assert response.status_code == 400, (name, value)
        assert "The page number must be a whole number" in response.text


def test_the_csv_and_pdf_hold_every_project(client, world, small_pages) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    lines = list(
        csv.DictReader(
            io.StringIO(
                csv_text(client.get(f"{PAGE.replace('portfolio', 'portfolio.csv')}&page=2"))
            )
        )
    )
    assert [r["code"] for r in lines] == [f"UNCCT-2018-L{i}" for i in range(5)] + [
        f"UNCCT-2018-P{i}" for i in range(3)
    ]
    data = portfolio.build(portfolio.select_projects(world.board_undp, None, 2018))
    assert (len(data.rows), len(data.pending)) == (5, 3)
    assert data.listed_page is None and data.pending_page is None


def test_a_wrong_as_at_date_keeps_the_pages_of_the_default_date(client, world, small_pages) -> None:
    _build(world)
    sign_in(client, world.board_undp)
    response = client.get("/reports/portfolio?year=2018&as_at=2999-01-01&page=2")
    assert response.status_code == 422
    assert _codes(response.text)[0] == ["UNCCT-2018-L2", "UNCCT-2018-L3"]
    assert all("as_at" not in link for link in _links(response.text, "next"))


def test_of_two_notes_from_the_same_day_the_one_recorded_last_is_in_force(world) -> None:
    """The overview picks the note in force in SQL; `reporting_notes.in_force` is the rule."""
    from prb.models import ReportingNote
    from prb.services.reporting_notes import in_force

    p = factories.project(world, status=S.ONGOING, code="UNCCT-2018-N", start=date(2018, 2, 1))
    for text in ("first", "second", "third"):
        db.session.add(
            ReportingNote(proposal_id=p.id, effective_on=date(2018, 3, 1), duration_note=text)
        )
    db.session.add(
        ReportingNote(proposal_id=p.id, effective_on=date(2018, 9, 1), duration_note="later")
    )
    db.session.commit()
    notes = list(db.session.query(ReportingNote).filter_by(proposal_id=p.id))
    for day, expected in [(date(2018, 8, 31), "third"), (date(2018, 12, 31), "later")]:
        data = portfolio.overview(world.board_undp, None, 2018, as_at=day)
        assert in_force(notes, day).duration_note == expected  # type: ignore[union-attr]
        assert [r.duration for r in data.rows] == [f"12 months ({expected})"]
    before = portfolio.overview(world.board_undp, None, 2018, as_at=date(2018, 2, 28))
    assert [r.duration for r in before.rows] == ["12 months"]


def test_every_value_of_a_row_is_escaped(client, world) -> None:
    hostile = "<script>alert(\"x\")</script> & 'q'"
    factories.project(
        world,
        status=S.ONGOING,
        code="UNCCT-2018-<b>",
        start=date(2018, 2, 1),
        title=hostile,
        objective="<u>objective</u>",
        scope_detail="<i>detail</i>",
        results_alignment="<s>aligned</s>",
    )
    db.session.commit()
    sign_in(client, world.board_undp)
    html = client.get(PAGE).text
    for raw in ("<script>", "<b>", "<u>", "<i>", "<s>"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;" in html
    for shown in ("UNCCT-2018-&lt;b&gt;", "&lt;u&gt;objective", "(&lt;i&gt;detail", "&lt;s&gt;al"):
        assert shown in html, shown
