"""The overview's rows as printed: the few columns of each project shown, with the
reporting note in force on the as-at date, read as plain values in one query per chunk of
projects (no ORM objects: the PDF and CSV print every project of a year, the page 50 at a
time, and building full proposals cost more than the rest of the page), and each working
group named as it was named at the end of the as-at day (one query for the groups shown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased

from prb.extensions import db
from prb.models import Proposal, ReportingNote, WorkingGroup, utcnow
from prb.services.audit_names import end_of, names_at
from prb.services.calendar import months_between
from prb.services.portfolio import as_at as reconstruct
from prb.services.reporting_notes import duration_text
from prb.services.sql import among_bound
from workflows import PROPOSAL

# Under the databases' limits on bound parameters.
CHUNK = 5000

# Pure (dates in, a number out), asked for every row: most projects share their periods'
# starts and ends, so a bounded memo spares the date arithmetic on most rows.
_months_between = lru_cache(maxsize=4096)(months_between)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True, slots=True)
class Group:
    name: str


@dataclass(frozen=True, slots=True)
class Project:
    """The columns of a project the overview prints, under the names a proposal gives them
    (the page, PDF and CSV read `row.proposal.title` and so on)."""

    id: int
    project_code: str | None
    title: str
    objective: str
    scope: str
    scope_detail: str
    results_alignment: str
    duration_months: int | None
    duration_note: str
    working_group: Group

    @property
    def reference(self) -> str:
        return f"P-{self.id:05d}"

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration_months, self.duration_note)


@dataclass(frozen=True, slots=True)
class Note:
    """The secretariat's reporting note in force on the as-at date."""

    duration_note: str
    period_text: str


@dataclass(frozen=True, slots=True)
class OverviewRow:
    proposal: Project
    state: reconstruct.AsAt
    note: Note | None = None
    # Other funders' contributions counted on the as-at date, in USD (`co_funding`).
    co_funding: Decimal = Decimal("0.00")
    # The months the Board approved (its period's start to its original end), which may be
    # fewer than the chair asked for; None where the record has no period.
    approved_months: int | None = None

    @property
    def code(self) -> str:
        return self.proposal.project_code or self.proposal.reference

    @property
    def duration(self) -> str:
        """The duration the Board approved, unless an extension was in force on the as-at
        date; with the reporting note in force then, else the note the proposal was
        submitted with."""
        p, s = self.proposal, self.state
        approved = self.approved_months or p.duration_months
        if s.extended and s.period_start and s.period_end:
            months = _months_between(s.period_start, s.period_end)
            return (
                f"{months} months ({long_date(s.period_start)}–{long_date(s.period_end)}, "
                f"extended from {approved} months)"
            )
        if self.note is not None:
            return duration_text(approved, self.note.duration_note, self.note.period_text)
        return duration_text(approved, p.duration_note)

    @property
    def status(self) -> str:
        return PROPOSAL.label(self.state.status) if self.state.status else ""


@cache
def _statement(dialect_name: str) -> Select[tuple[Any, ...]]:
    """The query of `projects_by_id`, built once per process and database kind (building
    it cost more than running it): the ids and the day are bound parameters."""
    note = aliased(ReportingNote)
    latest = aliased(ReportingNote)
    in_force = (
        select(latest.id)
        .where(latest.proposal_id == Proposal.id, latest.effective_on <= bindparam("as_at"))
        .order_by(latest.effective_on.desc(), latest.id.desc())
        .limit(1)
        .correlate(Proposal)
        .scalar_subquery()
    )
    return (
        select(
            Proposal.id,
            Proposal.project_code,
            Proposal.title,
            Proposal.objective,
            Proposal.scope,
            Proposal.scope_detail,
            Proposal.results_alignment,
            Proposal.duration_months,
            Proposal.duration_note,
            WorkingGroup.id,
            WorkingGroup.name,
            note.id,
            note.duration_note,
            note.period_text,
        )
        .join(WorkingGroup, WorkingGroup.id == Proposal.working_group_id)
        .outerjoin(note, note.id == in_force)
        .where(among_bound(Proposal.id, bindparam("ids"), dialect_name))
    )


def projects_by_id(ids: Sequence[int], as_at: date) -> dict[int, tuple[Project, Note | None]]:
    """The printed columns of these projects and the note in force on `as_at` of each: one
    query per chunk. The note is the latest effective on or before the day; of two from the
    same day, the one recorded last (`reporting_notes.in_force`, in SQL). Each working group
    is named as at the end of `as_at` (`group_names`)."""
    # Each row: the project's nine printed columns, its group's id and name, the note's id
    # and texts (`_statement`).
    read: list[tuple[Any, ...]] = []
    statement = _statement(db.session.get_bind().dialect.name)
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        read.extend(db.session.execute(statement, {"ids": chunk, "as_at": as_at}))
    groups = group_names({row[9]: row[10] for row in read}, as_at)
    found: dict[int, tuple[Project, Note | None]] = {}
    for row in read:
        note_id, note_duration, note_period = row[11:]
        found[row[0]] = (
            Project(*row[:9], working_group=groups[row[9]]),
            Note(note_duration, note_period) if note_id else None,
        )
    return found


def group_names(today: dict[int, str], as_at: date) -> dict[int, Group]:
    """The groups by id, each named as at the end of `as_at` (UTC) from its audit records —
    a rename recorded later does not rewrite the report; a group with no record keeps
    today's name. As at today, today's names, without reading the records."""
    if as_at < utcnow().date():
        today = names_at("working_group", today, end_of(as_at))
    return {group_id: Group(name) for group_id, name in today.items()}


def overview_rows(
    chosen: Sequence[tuple[int, reconstruct.ProjectRecord]],
    found: dict[int, tuple[Project, Note | None]],
    as_at: date,
    co_funding: dict[int, Decimal] | None = None,
) -> list[OverviewRow]:
    rows = []
    co_funding = co_funding or {}
    for pid, record in chosen:
        project, note = found[pid]
        state = reconstruct.status_as_at(record, as_at)
        approved = (
            _months_between(record.period_start, record.original_end)
            if record.period_start and record.original_end
            else None
        )
        rows.append(
            OverviewRow(project, state, note, co_funding.get(pid, Decimal("0.00")), approved)
        )
    return rows
