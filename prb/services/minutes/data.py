"""What the minutes of a meeting say, gathered from the record: the items, attendance,
decisions, the rules applied and the envelopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, BoardRules, Meeting, User
from prb.services import finance
from prb.services.board import attendance, board_members, rules_on, summary
from prb.services.minutes.corrections import CorrectedFacts
from workflows import ItemState, VoteChoice

# What the minutes record: items the Board considered (a withdrawn item it did not).
MINUTED = (ItemState.DECIDED, ItemState.DEFERRED)

OFFICE = "United Nations Office of Counter-Terrorism"
BOARD = "Programme Review Board"


@dataclass
class MinutesData:
    meeting: Meeting
    items: list[AgendaItem]
    present: list[User]
    absent: list[User]
    decided: list[AgendaItem]
    approved_items: list[AgendaItem]
    approved_here: Decimal
    envelopes: list[finance.Envelope]
    secretary: User | None
    draft: bool
    version_label: str
    generated_at: datetime
    # The rules of procedure the decisions applied (those in force on the meeting's date
    # when nothing is decided yet), as the minutes print them.
    rules: list[BoardRules] = field(default_factory=list)
    rules_text: list[str] = field(default_factory=list)
    # Item id → names of members who voted on it while recorded absent (rules that let
    # absent members vote only; under the others such a vote is refused).
    absent_voters: dict[int, list[str]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    # What corrigenda have corrected, printed in place of the original facts and marked.
    corrected: CorrectedFacts = field(default_factory=CorrectedFacts)


def minutes_data(
    meeting: Meeting,
    *,
    draft: bool,
    secretary: User | None,
    version_label: str,
    generated_at: datetime,
) -> MinutesData:
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        ).unique()
    )
    members = board_members(on=meeting.held_on)
    if meeting.is_written_procedure:
        # Who has voted on an item still open stays secret until it closes (draft minutes
        # are read by the whole Board and finance).
        closed = [item for item in items if not item.is_open]
        voters = {v.member_id for item in closed for v in item.votes} | {
            d.member_id for item in closed for d in item.conflicts
        }
        present = [m for m in members if m.id in voters]
    else:
        here = attendance(meeting)
        present = [m for m in members if here.get(m.id)]
    absent = [m for m in members if m not in present]
    absent_voters: dict[int, list[str]] = {}
    if not meeting.is_written_procedure:
        away = {m.id for m in absent}
        for item in items:
            names = sorted(v.member.name for v in item.votes if v.member_id in away)
            if names:
                absent_voters[item.id] = names
    decided = [i for i in items if i.decision is not None]
    approved_items = [i for i in decided if i.decision.outcome == VoteChoice.APPROVE]
    approved_here = sum(
        (
            (i.decision.approved_budget or Decimal(0)) + (i.decision.additional_funds or Decimal(0))
            for i in approved_items
        ),
        Decimal("0.00"),
    )
    programmes = {i.proposal.programme.id: i.proposal.programme for i in items}
    rules = _rules_applied(meeting, decided)
    return MinutesData(
        meeting=meeting,
        items=items,
        present=present,
        absent=absent,
        decided=decided,
        approved_items=approved_items,
        approved_here=approved_here,
        envelopes=[finance.envelope(p) for p in programmes.values()],
        secretary=secretary,
        draft=draft,
        version_label=version_label,
        generated_at=generated_at,
        rules=rules,
        rules_text=[summary(r) for r in rules],
        absent_voters=absent_voters,
    )


def _rules_applied(meeting: Meeting, decided: list[AgendaItem]) -> list[BoardRules]:
    ids = sorted({i.decision.rules_id for i in decided if i.decision.rules_id is not None})
    if ids:
        return list(
            db.session.scalars(
                select(BoardRules).where(BoardRules.id.in_(ids)).order_by(BoardRules.effective_from)
            )
        )
    in_force = rules_on(meeting.held_on)
    return [in_force] if in_force else []
