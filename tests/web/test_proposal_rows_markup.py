"""What the proposal list's rows and the proposal page's history timeline print, character
for character: read as plain rows now, they must read as the ORM records did (the time,
what happened, who in which role with underscores as spaces, the system when nobody, text
escaped)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from prb.extensions import db
from prb.models import AuditRecord
from prb.services.calendar import long_date
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState


def test_history_lines_read_as_before(client, world) -> None:
    p = factories.proposal(world, status=ProposalState.SUBMITTED, title="Timeline")
    db.session.add_all(
        [
            AuditRecord(
                event="vote_cast",
                actor=world.board_undp,
                actor_role="board_member",
                proposal_id=p.id,
                comment="<b>bold</b>",
                at=datetime(2019, 3, 1, 9, 5, tzinfo=UTC),
            ),
            AuditRecord(
                event="written_procedure_closed",
                proposal_id=p.id,
                from_state=ProposalState.SUBMITTED,
                to_state=ProposalState.UNDER_REVIEW,
                at=datetime(2019, 3, 2, 0, 0, tzinfo=UTC),
            ),
        ]
    )
    db.session.commit()
    sign_in(client, world.secretariat)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert (
        '<time datetime="2019-03-01T09:05:00+00:00">1 March 2019, 09:05 UTC</time>\n'
        '    <span class="event">Vote cast</span>\n'
        f'    <span class="who">by {world.board_undp.name} (board member)</span>\n'
        "    <blockquote>&lt;b&gt;bold&lt;/b&gt;</blockquote>"
    ) in page
    assert (
        '<time datetime="2019-03-02T00:00:00+00:00">2 March 2019, 00:00 UTC</time>\n'
        '    <span class="event">Submitted → Under review</span>\n'
        '    <span class="who">by the system</span>\n'
        "    \n  </li>"
    ) in page


def test_list_rows_read_as_before(client, world) -> None:
    p = factories.project(
        world, status=ProposalState.ONGOING, code="UNCCT-2019-01", budget=Decimal("1234.5")
    )
    p.title = "Rows & <columns>"
    db.session.commit()
    sign_in(client, world.secretariat)
    page = client.get("/proposals/?status=ongoing").get_data(as_text=True)
    assert (
        "<tr>\n"
        '    <td class="nowrap" data-label="Code">'
        f'<a href="/proposals/{p.id}">UNCCT-2019-01</a></td>\n'
        '    <td data-label="Title">Rows &amp; &lt;columns&gt;</td>\n'
        f'    <td data-label="Working group">{world.group_a.short_name}</td>\n'
        '    <td data-label="Status"><span class="status status-ongoing">Ongoing</span></td>\n'
        '    <td class="num" data-label="Requested">USD 1,234.50</td>\n'
        f'    <td data-label="Updated">{long_date(p.updated_at)}</td>\n'
        "  </tr>"
    ) in page
