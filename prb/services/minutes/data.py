"""What the minutes of a meeting say, gathered from the record: the items, attendance,
decisions, the rules applied and the envelopes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, BoardRules, Meeting, User
from prb.services.board import (
    Considered,
    Member,
    attendance,
    board_members,
    considered,
    count,
    rules_on,
    summary,
)
from prb.services.board.meetings import decided_on
from prb.services.board.snapshots import EnvelopeAfter, Person
from prb.services.minutes.corrections import CorrectedFacts
from prb.services.portfolio.envelope import envelope_as_at
from workflows import ItemState, VoteChoice

# What the minutes record: items the Board considered (a withdrawn item it did not).
MINUTED = (ItemState.DECIDED, ItemState.DEFERRED)

BOARD = "Programme Review Board"


@dataclass
class MinutesData:
    meeting: Meeting
    items: list[AgendaItem]
    # Names and entities as recorded when the items closed (a member disabled since is
    # still there); a written procedure's `present` voted, its `absent` did not vote.
    present: list[Person]
    absent: list[Person]
    decided: list[AgendaItem]
    approved_items: list[AgendaItem]
    approved_here: Decimal
    # Per programme, as it stood after this meeting's decisions.
    envelopes: list[EnvelopeAfter]
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
    # Item id → the item as the Board considered it (its snapshot).
    considered: dict[int, Considered] = field(default_factory=dict)
    # Written procedure: members recused from the items they did not vote on …
    recused: list[Person] = field(default_factory=list)
    # … and the moment voting closed (the last item's closing), once every item is closed.
    voting_closed: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # Who chaired, named as the closings recorded her (her account's name today where no
    # record kept it).
    chair_name: str | None = None
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
    as_considered = {item.id: considered(item) for item in items}
    here = {} if meeting.is_written_procedure else attendance(meeting)
    absent_voters: dict[int, list[str]] = {}
    if not meeting.is_written_procedure:
        away = {m.id for m in members if not here.get(m.id)}
        for item in items:
            names = sorted(v.member.name for v in item.votes if v.member_id in away)
            if names:
                absent_voters[item.id] = names
    present, absent, recused = _taking_part(meeting, items, as_considered, members, here)
    decided = [i for i in items if i.decision is not None]
    approved_items = [i for i in decided if i.decision.outcome == VoteChoice.APPROVE]
    approved_here = sum(
        (
            (i.decision.approved_budget or Decimal(0)) + (i.decision.additional_funds or Decimal(0))
            for i in approved_items
        ),
        Decimal("0.00"),
    )
    rules = _rules_applied(meeting, decided)
    return MinutesData(
        meeting=meeting,
        items=items,
        present=present,
        absent=absent,
        decided=decided,
        approved_items=approved_items,
        approved_here=approved_here,
        envelopes=_envelopes_after(meeting, items, as_considered, generated_at),
        secretary=secretary,
        draft=draft,
        version_label=version_label,
        generated_at=generated_at,
        rules=rules,
        rules_text=[summary(r) for r in rules],
        absent_voters=absent_voters,
        considered=as_considered,
        recused=recused,
        voting_closed=_voting_closed(meeting, items, as_considered),
        chair_name=recorded_chair(items, as_considered)
        or (meeting.chair.name if meeting.chair else None),
    )


def _person(member: Member) -> Person:
    """A member as the minutes name her: her entity is her seat's on the meeting's date."""
    return Person(member.name, member.entity.code if member.entity else "", member.id)


def _closing_order(item: AgendaItem, k: Considered):  # type: ignore[no-untyped-def]
    return (k.voting_closed_at or item.closed_at or datetime.min.replace(tzinfo=UTC), item.id)


class _People:
    """A list of members in which each appears once, under the name recorded first: the
    same account (a member renamed or moved to another entity since is one person), or the
    same name and entity (records older than the accounts' ids in them)."""

    def __init__(self) -> None:
        self._people: list[Person] = []
        self._ids: set[int] = set()
        self._names: set[tuple[str, str]] = set()

    def __contains__(self, person: Person) -> bool:
        return (person.user_id is not None and person.user_id in self._ids) or (
            person.name,
            person.entity,
        ) in self._names

    def add(self, people: Iterable[Person]) -> None:
        for person in people:
            if person in self:
                continue
            self._people.append(person)
            self._names.add((person.name, person.entity))
            if person.user_id is not None:
                self._ids.add(person.user_id)

    def without(self, *others: _People) -> list[Person]:
        return [p for p in self._people if not any(p in other for other in others)]

    def listed(self) -> list[Person]:
        return list(self._people)


def _taking_part(
    meeting: Meeting,
    items: list[AgendaItem],
    as_considered: dict[int, Considered],
    members: list[Member],
    here: dict[int, bool],
) -> tuple[list[Person], list[Person], list[Person]]:
    """Present (voted), absent (did not vote) and, for a written procedure, recused: the
    closed items' records first — they keep a member disabled or renamed since, as she was
    — then today's record only for what they do not cover (items rebuilt by migration 0010,
    items still open). Once every item's closing recorded who took part, today's accounts
    add nobody: the minutes of a past meeting name its members as they were then."""
    # Who has voted on an item still open stays secret until it closes (draft minutes are
    # read by the whole Board and finance).
    present, absent, recused = _People(), _People(), _People()
    covered = bool(items)
    for item in items:
        k = as_considered[item.id]
        seen = k.attendance if not item.is_open else None
        if seen is None:
            covered = False
        if item.is_open:
            continue
        if seen is not None:
            present.add(seen[0])
            absent.add(seen[1])
            recused.add(r.member for r in k.recusals)
        elif meeting.is_written_procedure:
            counted = count(item, members=members)
            seated = {m.id: m for m in members}
            present.add(_person(seated[v.member_id]) for v in counted.votes)
            recused.add(_person(m) for m in members if m.id in counted.recused)
    if not covered:
        # Today's record, for what the closings do not cover; a member they named (by her
        # account) keeps the name they recorded.
        if meeting.is_written_procedure:
            absent.add(_person(m) for m in members)
        else:
            present.add(_person(m) for m in members if here.get(m.id))
            absent.add(_person(m) for m in members if not here.get(m.id))
    if meeting.is_written_procedure:
        absent_now = absent.without(present, recused)
        recused_now = recused.without(present)
    else:
        absent_now = absent.without(present)
        recused_now = []

    def by_name(people: list[Person]) -> list[Person]:
        return sorted(people, key=lambda p: (p.name, p.entity))

    return by_name(present.listed()), by_name(absent_now), by_name(recused_now)


def recorded_chair(items: list[AgendaItem], as_considered: dict[int, Considered]) -> str | None:
    """The chair's name as the last closing recorded it (None when no record kept one):
    the minutes print her name of that day, not her account's today."""
    named = None
    for item in sorted(items, key=lambda i: _closing_order(i, as_considered[i.id])):
        chair = as_considered[item.id].chair if not item.is_open else None
        if chair is not None:
            named = chair.name
    return named


def _envelopes_after(
    meeting: Meeting,
    items: list[AgendaItem],
    as_considered: dict[int, Considered],
    now: datetime,
) -> list[EnvelopeAfter]:
    """Each programme's envelope after this meeting's decisions: the latest closing record
    of that programme among its items; when none has one (items rebuilt by migration 0010,
    or none closed yet), worked out as the closing would: as at the day the Board decided
    (decides) them, so a meeting entered after the fact leaves out later meetings'."""
    after: dict[str, EnvelopeAfter] = {}
    for item in sorted(items, key=lambda i: _closing_order(i, as_considered[i.id])):
        for env in as_considered[item.id].envelopes:
            after[env.code] = env
    result = []
    programmes = {i.proposal.programme.id: i.proposal.programme for i in items}
    for programme in programmes.values():
        if programme.code in after:
            result.append(after[programme.code])
        else:
            then = envelope_as_at(programme, decided_on(meeting, now))
            result.append(EnvelopeAfter(programme.code, programme.title, then.total, then.used))
    return result


def _voting_closed(
    meeting: Meeting, items: list[AgendaItem], as_considered: dict[int, Considered]
) -> datetime | None:
    """When a written procedure's voting closed: its last item's closing, once all are."""
    minuted = [i for i in items if i.status in MINUTED]
    if not meeting.is_written_procedure or not minuted or any(i.is_open for i in items):
        return None
    moments = []
    for item in minuted:
        moment = as_considered[item.id].voting_closed_at or item.closed_at
        if moment is not None and meeting.deadline is not None:
            moment = min(moment, meeting.deadline)
        if moment is not None:
            moments.append(moment)
    return max(moments) if moments else None


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
