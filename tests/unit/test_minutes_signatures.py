"""The minutes' signature lines never sit alone on the last page: when they do not fit
under the last table, the table's last rows go over with them, so what is signed is on
the page that is signed."""

from __future__ import annotations

import io

from pypdf import PdfReader

from prb.models import utcnow
from prb.services.minutes import minutes_data
from prb.services.minutes.final import _html
from prb.services.pdf import render
from tests.unit.test_board_data import past_meeting
from tests.unit.test_minutes_envelope_as_at import EARLY, approve, placed, rules_since_2017

BEFORE_THE_BUDGETS = "<h2>Budgets approved</h2>"


def pages(html: str, spacer_pt: int) -> list[str]:
    """The text of each page, with a blank block of `spacer_pt` points pushing the budget
    table and what follows it down the page."""
    padded = html.replace(
        BEFORE_THE_BUDGETS, f'<div style="height: {spacer_pt}pt"></div>{BEFORE_THE_BUDGETS}'
    )
    return [page.extract_text() for page in PdfReader(io.BytesIO(render(padded))).pages]


def test_the_signature_lines_take_the_last_rows_with_them_to_a_new_page(world) -> None:
    rules_since_2017(world)
    m = past_meeting(world, EARLY)
    approve(world, placed(world, m, "150000.00", "Approved in February"), "150000.00")
    data = minutes_data(
        m, draft=False, secretary=None, version_label="Final", generated_at=utcnow()
    )
    html = _html(data)
    assert BEFORE_THE_BUDGETS in html and 'class="signatures"' in html
    one_page_more = len(pages(html, 0)) + 1

    # The smallest push that makes one page more: there the signatures are the first
    # thing that no longer fits (a page is under 850 points).
    low, high = 0, 850
    assert len(pages(html, high)) >= one_page_more
    while high - low > 2:
        middle = (low + high) // 2
        if len(pages(html, middle)) >= one_page_more:
            high = middle
        else:
            low = middle
    last_page = pages(html, high)[-1]
    assert "Chair of the" in last_page
    # The envelope table's last row (the table right above the signatures) came along.
    assert data.envelopes, "the minutes end with the envelopes' table"
    assert data.envelopes[-1].code in last_page, last_page
