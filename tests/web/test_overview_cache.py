"""The overview's selection is kept between requests (paging, asking for a report again)
only while the records are unchanged: any committed change that moves a project in or out
of a year's overview is seen at once, on both databases; and a prepared report is never
offered again once the records it was made from have changed."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Job, JobState
from prb.services.jobs import queue
from tests import factories
from tests.conftest import sign_in
from tests.web.test_portfolio_as_at import EXTENDED, LATE, _commit, _decided, build
from workflows import ProposalState as S

PAGE = "/reports/portfolio?year=2018&as_at=2018-12-31"


def _sections(html: str) -> tuple[str, str]:
    """The page's main table and the "approved, not yet initiated" table after it."""
    main, _, pending = html.partition("Approved, not yet initiated")
    return main, pending


def test_a_back_dated_commitment_shows_at_once(client, world) -> None:
    build(world)
    sign_in(client, world.board_undp)
    assert "UNCCT-2018-99" not in client.get(PAGE).text
    late_comer = factories.project(
        world, status=S.APPROVED, code="UNCCT-2018-99", start=date(2018, 6, 1), months=12
    )
    _decided(world, late_comer, date(2018, 5, 1), 9)
    assert "UNCCT-2018-99" in _sections(client.get(PAGE).text)[1]  # approved, not initiated
    _commit(world, late_comer, date(2018, 6, 15))  # recorded today, dated June 2018
    main, pending = _sections(client.get(PAGE).text)
    assert "UNCCT-2018-99" in main and "UNCCT-2018-99" not in pending


def _status_in_row(html: str, code: str) -> str:
    """The status cell (the fifth) of the main table's row of `code`."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if code in r)
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4].strip()


def test_an_edit_of_a_projects_dates_alone_shows_at_once(client, world) -> None:
    extended, late, _ = build(world)
    sign_in(client, world.board_undp)
    main, pending = _sections(client.get(PAGE).text)
    assert LATE in pending and LATE not in main
    assert _status_in_row(main, EXTENDED) == "Ongoing"
    # No new record anywhere: only the proposal's own start date changes, to a day after
    # the as-at date (its work began in 2019: initiated, not yet ongoing, then).
    extended.actual_start = date(2019, 2, 1)
    db.session.commit()
    main, pending = _sections(client.get(PAGE).text)
    assert _status_in_row(main, EXTENDED) == "Initiated"
    # An actual start before the first commitment does not initiate it: still pending.
    late.actual_start = date(2018, 12, 20)
    db.session.commit()
    main, pending = _sections(client.get(PAGE).text)
    assert LATE in pending and LATE not in main


def test_a_prepared_report_is_not_offered_after_the_records_change(client, world, app) -> None:
    app.config.update(REPORT_INLINE_ROWS=1, REPORT_INLINE_CSV_ROWS=1, REPORT_MAX_PDF_ROWS=10)
    extended, _, _ = build(world)
    sign_in(client, world.board_undp)
    ask = {"kind": "portfolio_csv", "programme_id": "", "year": "2018", "as_at": "2018-12-31"}
    first = client.post("/reports/jobs", data=ask).headers["Location"]
    assert queue.run_next() == JobState.DONE
    assert f'href="{first}"' in client.get("/reports/portfolio.csv?year=2018&as_at=2018-12-31").text
    extended.actual_start = date(2019, 2, 1)  # initiated, not yet ongoing, as at 2018
    db.session.commit()
    offer = client.get("/reports/portfolio.csv?year=2018&as_at=2018-12-31").text
    assert f'href="{first}"' not in offer
    second = client.post("/reports/jobs", data=ask).headers["Location"]
    assert second != first
    assert queue.run_next() == JobState.DONE
    old, new = (client.get(f"{url}/download").data for url in (first, second))
    assert old != new
    rows = {r["code"]: r["status"] for r in csv.DictReader(io.StringIO(new.decode("utf-8-sig")))}
    assert rows[EXTENDED] == "Initiated"
    assert db.session.scalar(select(func.count(Job.id))) == 2
