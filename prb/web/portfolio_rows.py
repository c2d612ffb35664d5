"""The portfolio overview's rows as HTML, built in Python: a hundred rows (two tables of 50)
of seven cells cost Jinja more than the rest of the page. Every value is escaped here as the
template escaped it (`markupsafe.escape`); the markup is the template's, unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from markupsafe import Markup, escape

from prb.services.portfolio import OverviewRow


def overview_rows(rows: Iterable[OverviewRow], link: tuple[str, str]) -> Markup:
    """The rows of one of the overview's tables; `link` is `links.per_id`'s address of a
    proposal's page (before and after its id)."""
    before, after = escape(link[0]), escape(link[1])
    html = []
    for r in rows:
        p = r.proposal
        detail = f" ({escape(p.scope_detail)})" if p.scope_detail else ""
        html.append(
            "\n  <tr>"
            f'<td class="nowrap"><a href="{before}{p.id}{after}">{escape(r.code)}</a></td>'
            f"<td>{escape(p.working_group.name)}<br><em>{escape(p.title)}</em></td>"
            f"<td>{escape(p.objective)}</td>"
            f"<td>{escape(r.duration)}</td>"
            f"<td>{escape(r.status)}</td>"
            f"<td>{escape(p.scope)}{detail}</td>"
            f"<td>{escape(p.results_alignment)}</td>"
            f'<td class="num">{_usd(r.co_funding)}</td></tr>\n  '
        )
    return Markup("".join(html))


def _usd(amount: Decimal) -> str:
    """As the `usd` filter prints an amount; a project without co-funding shows a dash."""
    return f"{amount:,.2f}" if amount else "—"
