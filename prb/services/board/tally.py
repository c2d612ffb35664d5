"""Counting an item's votes against the members who may cast them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Meeting, Vote
from prb.services.board.agenda_page import PageItem
from prb.services.board.meetings import attendance
from prb.services.board.members import Member, board_members, recusals
from prb.services.decision_rule import Tally
from workflows import VoteChoice


@dataclass(frozen=True, slots=True)
class VoteRow:
    """A vote as `count_meeting` reads it for the meeting page: the columns counted and
    shown, and the member (of the meeting's date) who cast it."""

    id: int
    item_id: int
    member_id: int
    choice: str
    comment: str
    recorded_by_id: int | None
    member: Member | None

    @property
    def choice_label(self) -> str:
        return _CHOICE_LABELS[self.choice]


# A vote's label by its stored value: looking the enum member up for every vote shown was
# measurable on a meeting page of 20 items.
_CHOICE_LABELS = {choice.value: choice.label for choice in VoteChoice}


@dataclass
class ItemCount:
    tally: Tally
    # Vote rows when closing an item; VoteRow when counting a whole meeting for its page.
    votes: list[Vote] | list[VoteRow]
    recused: dict[int, str]  # member id → reason
    members: list[Member]
    chair_vote: VoteChoice | None = None
    chair_present: bool = False
    names: dict[int, str] = field(default_factory=dict)

    @property
    def recused_text(self) -> str:
        return "; ".join(
            f"{self.names[mid]} ({why})"
            for mid, why in sorted(self.recused.items(), key=lambda kv: self.names[kv[0]])
        )


def count(
    item: AgendaItem,
    *,
    members: list[Member] | None = None,
    votes: list[Vote] | list[VoteRow] | None = None,
    present: dict[int, bool] | None = None,
) -> ItemCount:
    """The item's tally, against the members of the meeting's date. A page showing many
    items passes what it loaded once for all of them (`count_meeting`), so the number of
    queries does not grow with the agenda."""
    members = members if members is not None else board_members(on=item.meeting.held_on)
    reasons = recusals(item, members)
    eligible_ids = {m.id for m in members if m.id not in reasons}
    if votes is None:
        votes = list(
            db.session.scalars(select(Vote).where(Vote.item_id == item.id).order_by(Vote.id))
        )
    votes = [v for v in votes if v.member_id in eligible_ids]
    by_choice = {c: sum(1 for v in votes if v.choice == c) for c in VoteChoice}
    tally = Tally(
        approve=by_choice[VoteChoice.APPROVE],
        request_revision=by_choice[VoteChoice.REQUEST_REVISION],
        reject=by_choice[VoteChoice.REJECT],
        abstain=by_choice[VoteChoice.ABSTAIN],
        eligible=len(eligible_ids),
        recused=len(reasons),
    )
    meeting = item.meeting
    chair_vote = None
    chair_present = False
    if meeting.chair_id is not None:
        chair_vote = next(
            (VoteChoice(v.choice) for v in votes if v.member_id == meeting.chair_id), None
        )
        # In a written procedure the chair takes part by voting; in a meeting, by attending.
        if meeting.is_written_procedure:
            chair_present = chair_vote is not None
        else:
            here = present if present is not None else attendance(meeting)
            chair_present = here.get(meeting.chair_id, False)
    return ItemCount(
        tally, votes, reasons, members, chair_vote, chair_present, {m.id: m.name for m in members}
    )


def count_meeting(
    meeting: Meeting,
    *,
    items: list[AgendaItem] | list[PageItem] | None = None,
    members: list[Member] | None = None,
    present: dict[int, bool] | None = None,
) -> dict[int, ItemCount]:
    """Every item's tally, in a fixed number of queries whatever the size of the agenda.
    `items` (the meeting's, as its page reads them), `members` (of the meeting's date) and
    `present` (its attendance): when the caller has them already."""
    items = meeting.items if items is None else items
    members = board_members(on=meeting.held_on) if members is None else members
    present = attendance(meeting) if present is None else present
    by_id = {m.id: m for m in members}
    votes: dict[int, list[VoteRow]] = {item.id: [] for item in items}
    # Plain columns: the page counts and shows votes, it changes none.
    for row in db.session.execute(
        select(
            Vote.id, Vote.item_id, Vote.member_id, Vote.choice, Vote.comment, Vote.recorded_by_id
        )
        .join(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(Vote.id)
    ):
        votes[row.item_id].append(VoteRow(*row, member=by_id.get(row.member_id)))
    return {
        item.id: count(item, members=members, votes=votes[item.id], present=present)  # type: ignore[arg-type]
        for item in items
    }
