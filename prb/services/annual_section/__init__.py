"""The annual report's seed-funding section for a programme and a year, as the office's
2018 report wrote it by hand: the opening figures (proposals the Board approved in the year,
the programme's envelope, proposals under consideration at the year's end), the overview of
the year's seed projects as at 31 December (Exhibit V, from the portfolio service), the
co-funding, and per project a paragraph: its accepted progress narrative.

The narratives are an argument (`Mapping[int, str]`, proposal id → text): this module
never reads reports itself, so a text reaches the section only when the caller passed it
for that very project; a project without one gets a neutral sentence."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Decision, FundingProgramme, Proposal, User, utcnow
from prb.services import co_funding, portfolio, progress_reports
from prb.services.access import require_role
from prb.services.carry_over import CARRIED_OVER
from prb.services.errors import Invalid, NotFound
from prb.services.portfolio.records import project_records
from prb.services.portfolio.rows import OverviewRow, long_date
from prb.services.reference.envelopes import envelope_on
from prb.services.reference.office import current_office
from workflows import ProposalState, VoteChoice

# Whoever may see the portfolio overview (prb/web/reports.py follows the same list).
VIEWERS = portfolio.VIEWERS
# Decisions that end the Board's consideration of a proposal.
_CONCLUSIVE = (VoteChoice.APPROVE, VoteChoice.REJECT)


def no_narrative(as_at: date) -> str:
    # About the year only: a report accepted in an earlier year is no word on this one, and
    # saying none "had been accepted" contradicted it (found exploring).
    return f"No progress report on {as_at.year} had been accepted by {long_date(as_at)}."


@dataclass(frozen=True)
class ProjectParagraph:
    row: OverviewRow
    narrative: str  # the accepted narrative, or the neutral sentence
    has_narrative: bool
    contributions: list[co_funding.Contribution]

    @property
    def heading(self) -> str:
        return f"{self.row.code}: {self.row.proposal.title}"

    @property
    def co_funding_sentence(self) -> str:
        """ "With financial support from …", the report's words for other funders."""
        if not self.contributions:
            return ""
        parts = [
            f"{c.funder} ({c.currency} {c.amount:,.2f}, USD {c.usd_amount:,.2f}, "
            f"{long_date(c.contributed_on)})"
            for c in self.contributions
        ]
        return (
            "With financial support from " + "; ".join(parts) + " in addition to the seed funding."
        )


@dataclass(frozen=True)
class Section:
    programme: FundingProgramme
    year: int
    as_at: date  # 31 December of the year
    whole_board: bool  # figures and overview over every programme (as the 2018 report)
    approved: int
    envelope: Decimal
    under_consideration: int
    overview: portfolio.Overview
    paragraphs: list[ProjectParagraph]  # the overview's rows (not the pending ones)
    pending_contributions: dict[int, list[co_funding.Contribution]]
    generated_at: datetime

    @property
    def title(self) -> str:
        return f"{self.programme.code}: {self.programme.title}"

    @property
    def heading(self) -> str:
        return f"Seed funding in {self.year} — {self.programme.code}"

    @property
    def overview_title(self) -> str:
        return f"Overview of {self.year} seed projects"

    @property
    def co_funding_total(self) -> Decimal:
        return sum((r.co_funding for r in [*self.rows, *self.pending]), co_funding.ZERO)

    @property
    def rows(self) -> list[OverviewRow]:
        """The overview's rows: the projects under way in the year (Exhibit V)."""
        return self.overview.rows

    @property
    def pending(self) -> list[OverviewRow]:
        """Approved by the year's end, not yet initiated (a table of their own)."""
        return self.overview.pending

    @property
    def cofunded(self) -> list[tuple[str, co_funding.Contribution]]:
        """(project code, contribution) of every project of the overview, in its order."""
        found = [(p.row.code, c) for p in self.paragraphs for c in p.contributions]
        return found + [
            (r.code, c)
            for r in self.pending
            for c in self.pending_contributions.get(r.proposal.id, [])
        ]

    @property
    def opening(self) -> str:
        """The section's opening paragraph, in the report's words."""
        approved = _count(self.approved, "project proposal")
        waiting = _count(self.under_consideration, "proposal")
        verb = "is" if self.under_consideration == 1 else "are"
        worked = _count(len(self.overview.rows), "seed project")
        scope = (
            "the Programme Review Board approved seed funding"
            if self.whole_board
            else f"the Programme Review Board approved seed funding under {self.programme.code}"
        )
        return (
            f"{self.programme.code} has a total budget of USD {self.envelope:,.2f}. "
            f"In {self.year}, {scope} for {approved}. "
            f"At the year's end, {waiting} {verb} under consideration. "
            f"Work was undertaken within the scope of {worked} in {self.year}, as outlined "
            "below."
        )


_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _count(n: int, noun: str) -> str:
    """ "nine (9) project proposals", as the report writes counts."""
    plural = noun if n == 1 else noun + "s"
    if n < len(_WORDS):
        return f"{_WORDS[n]} ({n}) {plural}" if n else f"no {plural}"
    return f"{n:,} {plural}"


def year_end(year: int, today: date) -> date:
    end = date(year, 12, 31)
    if end >= today:
        raise Invalid(
            f"The {year} section is made once the year has ended: its overview is as at "
            f"{long_date(end)}.",
            {"year": ["Choose a year that has ended."]},
        )
    return end


def narratives(
    actor: User, programme_id: int, year: int, *, whole_board: bool = True
) -> Mapping[int, str]:
    """The progress narratives the section prints, by project: per project the latest
    report due in `year` or accepted in it that the secretariat had accepted by 31 December
    (the section is as at the year's end, whenever it is made). `whole_board` as for
    `section`."""
    require_role(actor, *VIEWERS, action="make the annual report section")
    found = progress_reports.accepted_narratives(
        None,
        None if whole_board else programme_id,
        year,
        accepted_by=date(year, 12, 31),
    )
    return {proposal_id: narrative.text for proposal_id, narrative in found.items()}


def section_of_year(
    actor: User,
    programme_id: int,
    year: int,
    *,
    whole_board: bool = True,
    max_projects: int | None = None,
) -> Section:
    """The section as the office asks for it: with the narratives accepted by the year's
    end (`narratives`), made by `section`."""
    accepted = narratives(actor, programme_id, year, whole_board=whole_board)
    return section(
        actor, programme_id, year, accepted, whole_board=whole_board, max_projects=max_projects
    )


def section(
    actor: User,
    programme_id: int,
    year: int,
    narratives: Mapping[int, str],
    *,
    whole_board: bool = True,
    max_projects: int | None = None,
) -> Section:
    """The section's content. `whole_board`: count approvals and list projects of every
    programme, as the 2018 report did (its Exhibit V lists UNCCT-2019-02-79-D, approved in
    December 2018 under the next programme); False: this programme's alone.
    `max_projects`: a larger selection is refused before any row is built (the web request
    makes the section while its user waits)."""
    require_role(actor, *VIEWERS, action="make the annual report section")
    programme = db.session.get(FundingProgramme, programme_id)
    if programme is None:
        raise NotFound(f"There is no funding programme number {programme_id}.")
    as_at = year_end(year, utcnow().date())
    scope = None if whole_board else programme.id
    chosen = portfolio.select_projects(actor, scope, year, as_at)
    if max_projects is not None and chosen.size > max_projects:
        # Said as it is: "choose this programme's projects only" was the advice even when
        # they were chosen already (a dead end).
        instead = "choose this programme's projects only, or " if whole_board else ""
        raise Invalid(
            f"This selection has {chosen.size:,} projects, more than a section made while you "
            f"wait holds ({max_projects:,}): {instead}take the year's portfolio overview as "
            "CSV or PDF, which PRB prepares in the background for any number of projects.",
            {"scope": ["Too many projects."]},
        )
    overview = portfolio.build(chosen)
    # A paragraph per project under way in the year, as the report has; the co-funding of
    # every project of the overview.
    given = co_funding.contributions(
        [r.proposal.id for r in [*overview.rows, *overview.pending]], as_at
    )
    paragraphs = []
    for r in overview.rows:
        text = (narratives.get(r.proposal.id) or "").strip()
        paragraphs.append(
            ProjectParagraph(
                r, text or no_narrative(as_at), bool(text), given.get(r.proposal.id, [])
            )
        )
    return Section(
        programme=programme,
        year=year,
        as_at=as_at,
        whole_board=whole_board,
        approved=approved_in(scope, year),
        envelope=envelope_on(programme.id, as_at),
        under_consideration=under_consideration(scope, as_at),
        overview=overview,
        paragraphs=paragraphs,
        pending_contributions={
            r.proposal.id: given[r.proposal.id] for r in overview.pending if r.proposal.id in given
        },
        generated_at=utcnow(),
    )


def approved_in(programme_id: int | None, year: int) -> int:
    """Proposals the Board approved in `year` (their approval decision's date; for imported
    projects the approval date the file gave), from the overview's dated records."""
    return sum(
        1
        for _, record in project_records(programme_id)
        if record.approved_on is not None and record.approved_on.year == year
    )


def under_consideration(programme_id: int | None, as_at: date) -> int:
    """Proposals before the Board on `as_at`: submitted by then (first submission, from the
    audit trail), neither approved nor rejected by then (the decision's date), nor
    withdrawn by then. One query."""
    end = datetime.combine(as_at, time.max, tzinfo=UTC)
    submitted = (
        select(AuditRecord.proposal_id)
        .where(AuditRecord.to_state == ProposalState.SUBMITTED, AuditRecord.at <= end)
        .where(AuditRecord.proposal_id.is_not(None))
    )
    decided = select(Decision.proposal_id).where(
        Decision.extension_id.is_(None),
        Decision.outcome.in_(_CONCLUSIVE),
        func.coalesce(Decision.decided_on, func.date(Decision.decided_at)) <= as_at,
    )
    withdrawn = select(AuditRecord.proposal_id).where(
        AuditRecord.to_state == ProposalState.WITHDRAWN,
        AuditRecord.at <= end,
        AuditRecord.proposal_id.is_not(None),
    )
    conditions = [
        Proposal.id.in_(submitted),
        Proposal.id.not_in(decided),
        Proposal.id.not_in(withdrawn),
    ]
    if programme_id is None:
        return _count_proposals(conditions)
    # Each in the programme it was in on `as_at`: one carried over since then was in the
    # programme its first carry-over after that day left (the audit names it by code).
    left: dict[int, str | None] = {}
    for pid, before in db.session.execute(
        select(AuditRecord.proposal_id, AuditRecord.before)
        .where(
            AuditRecord.event == CARRIED_OVER,
            AuditRecord.at > end,
            AuditRecord.proposal_id.in_(select(Proposal.id).where(*conditions)),
        )
        .order_by(AuditRecord.at, AuditRecord.id)
    ):
        left.setdefault(pid, json.loads(before or "{}").get("programme"))
    stayed = _count_proposals(
        [*conditions, Proposal.programme_id == programme_id, Proposal.id.not_in(list(left))]
    )
    if not left:
        return stayed
    code = db.session.scalar(
        select(FundingProgramme.code).where(FundingProgramme.id == programme_id)
    )
    return stayed + sum(1 for then in left.values() if then == code)


def _count_proposals(conditions: list[Any]) -> int:
    return db.session.scalar(select(func.count(Proposal.id)).where(*conditions)) or 0


def filename(data: Section, extension: str) -> str:
    code = "".join(c if c.isalnum() or c == "-" else "-" for c in data.programme.code)
    return f"prb-annual-section-{code}-{data.year}.{extension}"


def pdf(data: Section) -> bytes:
    """The section as an archival PDF (PDF/A, as the other reports), through the adapter."""
    from flask import render_template

    from prb.services.pdf import render

    return render(render_template("pdf/annual_section.html", s=data, office=current_office()))
