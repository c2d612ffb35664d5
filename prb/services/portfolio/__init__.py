"""The portfolio overview — the table the 2018 report calls "Exhibit V: Overview of 2018
seed projects" — for a programme (or all) and a year, as it stood on a date ("as at").

Statuses and periods are reconstructed from dated records (`as_at`), never read from
today's status: see docs/portfolio-as-at.md."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from flask import current_app

from prb.extensions import db
from prb.models import FundingProgramme, User, utcnow
from prb.services import co_funding
from prb.services.access import require_role
from prb.services.errors import Invalid
from prb.services.pdf import render
from prb.services.portfolio import as_at as reconstruct
from prb.services.portfolio.records import data_stamp, project_records
from prb.services.portfolio.rows import OverviewRow, long_date, overview_rows, projects_by_id
from prb.services.proposals import Page
from prb.services.reference.office import current_office
from workflows import Role

VIEWERS = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)


def title(programme: FundingProgramme | None, year: int, as_at: date) -> str:
    scope = f" — {programme.code}" if programme else ""
    return f"Overview of {year} seed projects{scope}, as at {long_date(as_at)}"


@dataclass(frozen=True)
class Overview:
    programme: FundingProgramme | None
    year: int
    as_at: date
    rows: list[OverviewRow]
    pending: list[OverviewRow]  # approved, not yet initiated on the as-at date
    # The screen's pages of each table and their totals (None: every row, for the PDF and
    # CSV). The totals count every project selected, not the page.
    listed_page: Page[OverviewRow] | None = None
    pending_page: Page[OverviewRow] | None = None

    @property
    def title(self) -> str:
        return title(self.programme, self.year, self.as_at)


PAGE_SIZE = 50  # rows of each table on the screen; the PDF and CSV hold every project


def default_as_at(year: int, today: date) -> date:
    return min(date(year, 12, 31), today)


Records = list[tuple[int, reconstruct.ProjectRecord]]
Chosen = tuple[Records, Records]


@dataclass(frozen=True)
class Selection:
    """The projects an overview shows, chosen from their dated records, before any is
    loaded in full: enough to say how large a report is without building it."""

    programme: FundingProgramme | None
    year: int
    as_at: date
    listed: Records
    pending: Records  # approved, not yet initiated

    @property
    def size(self) -> int:
        return len(self.listed) + len(self.pending)

    @property
    def title(self) -> str:
        return title(self.programme, self.year, self.as_at)


def select_projects(
    actor: User, programme_id: int | None, year: int | None, as_at: date | None = None
) -> Selection:
    """Which projects the overview of `year` as at `as_at` lists (the as-at date defaults to
    the year's end, or today within the year). A fixed number of queries of plain columns."""
    require_role(actor, *VIEWERS, action="see the portfolio overview")
    today = utcnow().date()
    year = year or (as_at.year if as_at else today.year)
    if as_at is None:
        as_at = default_as_at(year, today)
    elif as_at > today:
        raise Invalid("The as-at date cannot be in the future.", {"as_at": ["In the future."]})
    elif as_at < date(year, 1, 1):
        raise Invalid(
            f"The as-at date is before {year}, the year the overview reports on.",
            {"as_at": [f"Before {year}."]},
        )
    programme = db.session.get(FundingProgramme, programme_id) if programme_id else None
    scope = programme.id if programme else None
    key = (scope, year, as_at, data_stamp())
    chosen = selections().get(key)
    if chosen is None:
        chosen = _choose(scope, year, as_at)
        selections().put(key, chosen)
    return Selection(programme, year, as_at, *chosen)


def _choose(programme_id: int | None, year: int, as_at: date) -> Chosen:
    listed: Records = []
    pending: Records = []
    for project_id, record in project_records(programme_id):
        place = reconstruct.place_in_overview(record, year, as_at)
        if place == reconstruct.Place.LISTED:
            listed.append((project_id, record))
        elif place == reconstruct.Place.PENDING:
            pending.append((project_id, record))
    return listed, pending


class SelectionCache:
    """The last few selections made, by scope, year, as-at date and the data's stamp: paging
    through the overview or asking again for a report does not read every project again,
    and any committed change to the records makes a new stamp, so nothing stale is served.
    Plain values only (no session-bound objects); one per app, shared by its threads."""

    SIZE = 16

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[object, ...], Chosen] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Chosen | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], chosen: Chosen) -> None:
        with self._lock:
            self._entries[key] = chosen
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


def selections() -> SelectionCache:
    cache: SelectionCache = current_app.extensions.setdefault(
        "prb.portfolio_selections", SelectionCache()
    )
    return cache


def _page(chosen: Records, page: int | None) -> tuple[Records, int]:
    """The projects of `page` (all when None) and the page number within range: past the
    last page, the last, as the other paged lists do."""
    if page is None:
        return chosen, 1
    page = max(1, min(page, -(-len(chosen) // PAGE_SIZE)))
    return chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page


def build(
    selection: Selection, page: int | None = None, pending_page: int | None = None
) -> Overview:
    """The overview's rows; `page` and `pending_page` page its two tables for the screen
    (without either, every row: the PDF and CSV). Only the projects shown are read, as
    plain columns, in one query (per 5,000 rows); the selection comes from the cache."""
    paged = page is not None or pending_page is not None
    listed, listed_at = _page(selection.listed, (page or 1) if paged else None)
    pending, pending_at = _page(selection.pending, (pending_page or 1) if paged else None)
    as_at = selection.as_at
    ids = [pid for pid, _ in [*listed, *pending]]
    found = projects_by_id(ids, as_at)
    cofunded = co_funding.usd_totals(ids, as_at)
    rows = overview_rows(listed, found, as_at, cofunded)
    pending_rows = overview_rows(pending, found, as_at, cofunded)
    if not paged:
        return Overview(selection.programme, selection.year, as_at, rows, pending_rows)
    return Overview(
        selection.programme,
        selection.year,
        as_at,
        rows,
        pending_rows,
        listed_page=Page(rows, len(selection.listed), listed_at, PAGE_SIZE),
        pending_page=Page(pending_rows, len(selection.pending), pending_at, PAGE_SIZE),
    )


def overview(
    actor: User,
    programme_id: int | None,
    year: int | None,
    page: int | None = None,
    as_at: date | None = None,
) -> Overview:
    """The overview's rows (see `select_projects` and `build`). A fixed number of queries,
    whatever the number of projects."""
    return build(select_projects(actor, programme_id, year, as_at), page)


CSV_COLUMNS = [
    "code",
    "working_group",
    "title",
    "objective",
    "duration",
    "status",
    "scope",
    "results_alignment",
    "co_funding_usd",
]


def csv_rows(data: Overview) -> list[list[str]]:
    return [
        [
            r.code,
            r.proposal.working_group.name,
            r.proposal.title,
            r.proposal.objective,
            r.duration,
            r.status,
            r.proposal.scope + (f" ({r.proposal.scope_detail})" if r.proposal.scope_detail else ""),
            r.proposal.results_alignment,
            r.co_funding,
        ]
        # The projects approved but not yet initiated follow; their status ("Approved")
        # sets them apart, as the page's second table does.
        for r in [*data.rows, *data.pending]
    ]


def pdf(data: Overview) -> bytes:
    from flask import render_template

    return render(
        render_template(
            "pdf/portfolio.html", o=data, office=current_office(), generated_at=utcnow()
        )
    )
