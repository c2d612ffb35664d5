"""A proposal's Board decisions as its page lists them: each decision with its meeting and
what the Board considered, read as plain rows in one statement.

`queries.decisions_for` loads each Decision with its item, meeting, chair, proposal,
extension, conflicts and snapshots as ORM objects — a dozen statements and most of the
proposal page's time — for the handful of values the timeline prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import aliased

from prb.extensions import db
from prb.models import (
    AgendaItem,
    AgendaItemSnapshot,
    Decision,
    ExtensionRequest,
    Meeting,
    Proposal,
    SnapshotStage,
)
from prb.services import calendar
from workflows import MeetingKind


@dataclass(frozen=True)
class ConsideredFacts:
    """What the Board considered, as `snapshots.considered` chooses it: the closed snapshot,
    else the placed one, else the live proposal (and extension request)."""

    title: str
    requested_budget: Decimal | None
    duration_months: int | None
    duration_note: str
    extension_months: int | None
    reconstructed: bool
    taken_at: datetime | None

    @property
    def duration_text(self) -> str:
        # As snapshots.Considered.duration_text words it.
        months = self.duration_months
        if not months:
            return ""
        text = calendar.months_text(months)
        return f"{text} ({self.duration_note})" if self.duration_note else text


@dataclass(frozen=True)
class DecisionEntry:
    """One decision on the proposal's page. Field names are Decision's, so that its
    `outcome_label` and `tally_text` are reused rather than restated."""

    id: int
    decided_at: datetime  # when PRB recorded it
    decided_on: date | None  # the day the Board took it (None in records older than that)
    outcome: str
    votes_for: int
    votes_against: int
    votes_revision: int
    votes_abstain: int
    recused: int
    recused_names: str
    casting_vote: bool
    approved_budget: Decimal | None
    approved_duration_months: int | None
    period_start: date | None
    period_end: date | None
    conditions: str
    supersedes_id: int | None
    extension_months: int | None
    original_end: date | None
    new_end: date | None
    additional_funds: Decimal | None
    meeting_id: int
    meeting_number: str
    meeting_kind: str
    position: int
    extension_id: int | None  # the item decided an extension, not the proposal itself
    considered: ConsideredFacts

    outcome_label = property(Decision.outcome_label.fget)  # type: ignore[attr-defined]
    conditions_label = property(Decision.conditions_label.fget)  # type: ignore[attr-defined]
    tally_text = property(Decision.tally_text.fget)  # type: ignore[attr-defined]

    @property
    def meeting_kind_label(self) -> str:
        return MeetingKind(self.meeting_kind).label


_DECISION_COLUMNS = (
    "id",
    "decided_at",
    "decided_on",
    "outcome",
    "votes_for",
    "votes_against",
    "votes_revision",
    "votes_abstain",
    "recused",
    "recused_names",
    "casting_vote",
    "approved_budget",
    "approved_duration_months",
    "period_start",
    "period_end",
    "conditions",
    "supersedes_id",
    "extension_months",
    "original_end",
    "new_end",
    "additional_funds",
)
_FACTS = ("title", "requested_budget", "duration_months", "duration_note", "extension_months")


def decision_history(proposal_id: int) -> list[DecisionEntry]:
    """The proposal's decisions, oldest first, each with what the Board considered."""
    rows = db.session.execute(_statement(), {"proposal_id": proposal_id})
    return [_entry(row._mapping) for row in rows]


@cache
def _statement() -> Select[Any]:
    """Built once: three aliases and forty labelled columns cost more to construct than
    the statement costs to run (the compiled form is cached by SQLAlchemy anyway)."""
    closed = aliased(AgendaItemSnapshot)
    placed = aliased(AgendaItemSnapshot)
    live = aliased(Proposal)
    snapshot_columns = [
        getattr(s, name).label(f"{prefix}_{name}")
        for prefix, s in ((SnapshotStage.CLOSED, closed), (SnapshotStage.PLACED, placed))
        for name in ("id", *_FACTS, "reconstructed", "taken_at")
    ]
    return (
        select(
            *(getattr(Decision, name) for name in _DECISION_COLUMNS),
            AgendaItem.meeting_id,
            AgendaItem.position,
            AgendaItem.extension_id,
            Meeting.number.label("meeting_number"),
            Meeting.kind.label("meeting_kind"),
            *snapshot_columns,
            live.title.label("live_title"),
            live.requested_budget.label("live_requested_budget"),
            live.duration_months.label("live_duration_months"),
            live.duration_note.label("live_duration_note"),
            ExtensionRequest.months.label("live_extension_months"),
        )
        .join(AgendaItem, AgendaItem.id == Decision.item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(live, live.id == AgendaItem.proposal_id)
        .outerjoin(ExtensionRequest, ExtensionRequest.id == AgendaItem.extension_id)
        .outerjoin(
            closed, and_(closed.item_id == AgendaItem.id, closed.stage == SnapshotStage.CLOSED)
        )
        .outerjoin(
            placed, and_(placed.item_id == AgendaItem.id, placed.stage == SnapshotStage.PLACED)
        )
        .where(Decision.proposal_id == bindparam("proposal_id"))
        .order_by(Decision.decided_at, Decision.id)
    )


def _entry(row) -> DecisionEntry:  # type: ignore[no-untyped-def]
    return DecisionEntry(
        **{name: row[name] for name in _DECISION_COLUMNS},
        meeting_id=row["meeting_id"],
        meeting_number=row["meeting_number"],
        meeting_kind=row["meeting_kind"],
        position=row["position"],
        extension_id=row["extension_id"],
        considered=_considered(row),
    )


def _considered(row) -> ConsideredFacts:  # type: ignore[no-untyped-def]
    # What the Board considered: the closing snapshot, else the one taken when placed.
    for prefix in (SnapshotStage.CLOSED, SnapshotStage.PLACED):
        if row[f"{prefix}_id"] is not None:
            return ConsideredFacts(
                **{name: row[f"{prefix}_{name}"] for name in _FACTS},
                reconstructed=bool(row[f"{prefix}_reconstructed"]),
                taken_at=row[f"{prefix}_taken_at"],
            )
    # An item placed before snapshots were kept (and not rebuilt): the live proposal.
    return ConsideredFacts(
        title=row["live_title"],
        requested_budget=row["live_requested_budget"],
        duration_months=row["live_duration_months"],
        duration_note=row["live_duration_note"] or "",
        extension_months=row["live_extension_months"] if row["extension_id"] else None,
        reconstructed=False,
        taken_at=None,
    )
