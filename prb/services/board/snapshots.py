"""What the Board considered: the proposal (or extension request) copied onto an agenda item
when it is placed and again when it closes, with the record of the closing (votes with the
names and entities of that day, recusals, attendance, the envelope after the decision, as
at its date).

Building a snapshot's facts and closing record is pure (plain values in, plain values out);
`take` is the one place that stores them, in the caller's transaction. Readers ask
`considered` and get the closed copy, else the placed one, else the live proposal."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal

from prb.extensions import db
from prb.models import (
    AgendaItem,
    AgendaItemSnapshot,
    ExtensionRequest,
    Meeting,
    OwnerKind,
    Proposal,
    SnapshotStage,
)
from prb.services import calendar
from prb.services.attachments.listing import file_facts
from prb.services.board.meetings import attendance, decided_on
from prb.services.board.members import Member
from prb.services.board.tally import ItemCount, count
from prb.services.portfolio.envelope import envelope_as_at
from workflows import VoteChoice


@dataclass(frozen=True)
class Facts:
    """The proposal (and extension request) as the Board is asked to consider it."""

    reference: str
    project_code: str | None
    title: str
    working_group: str
    lead_entity: str
    implementing_entities: tuple[str, ...]
    objective: str
    requested_budget: Decimal | None
    duration_months: int | None
    duration_note: str
    extension_months: int | None = None
    extension_start: date | None = None
    extension_new_end: date | None = None
    additional_funds: Decimal | None = None
    original_end: date | None = None


# The facts a snapshot row copies (the proposal's reference never changes: it is not copied).
COPIED = tuple(f.name for f in fields(Facts) if f.name != "reference")


def facts_of(proposal: Proposal, extension: ExtensionRequest | None) -> Facts:
    """The facts to copy, read from the proposal and the request as they stand now."""
    lead = proposal.lead_entity.code if proposal.lead_entity else ""
    return Facts(
        reference=proposal.reference,
        project_code=proposal.project_code,
        title=proposal.title,
        working_group=proposal.working_group.name,
        lead_entity=lead,
        # The lead is named apart, as migration 0010 rebuilt the old items' copies.
        implementing_entities=tuple(
            sorted(e.code for e in proposal.implementing_entities if e.code != lead)
        ),
        objective=proposal.objective or "",
        requested_budget=proposal.requested_budget,
        duration_months=proposal.duration_months,
        duration_note=proposal.duration_note or "",
        extension_months=extension.months if extension else None,
        extension_start=extension.period_start if extension else None,
        extension_new_end=extension.new_end if extension else None,
        additional_funds=extension.additional_funds if extension else None,
        original_end=proposal.original_end if extension else None,
    )


@dataclass(frozen=True)
class Person:
    """A member as a record names her: her name and entity then. Her account's id (kept by
    closing records since December 2026) tells her apart from her own later name, and is
    not part of what a minutes' list compares."""

    name: str
    entity: str
    user_id: int | None = field(default=None, compare=False)


def _person_of(values: dict[str, object]) -> Person:
    user_id = values.get("id")
    return Person(
        str(values["name"]), str(values["entity"]), user_id if isinstance(user_id, int) else None
    )


@dataclass(frozen=True)
class CastVote:
    member: Person
    choice: str
    comment: str
    entered_by_secretariat: bool

    @property
    def choice_label(self) -> str:
        return VoteChoice(self.choice).label


@dataclass(frozen=True)
class Recusal:
    member: Person
    reason: str


@dataclass(frozen=True)
class EnvelopeAfter:
    code: str
    title: str
    total: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.total - self.used


def closing_record(
    *,
    voting_closed_at: datetime,
    votes: list[CastVote],
    recusals: list[Recusal],
    eligible: int,
    present: list[Person],
    absent: list[Person],
    envelopes: list[EnvelopeAfter],
    chair: Person | None = None,
) -> dict[str, object]:
    """The record of a closing as JSON-ready values (a written procedure's `present` are
    the members who voted, its `absent` those who neither voted nor were recused)."""

    def person(p: Person) -> dict[str, object]:
        named: dict[str, object] = {"name": p.name, "entity": p.entity}
        if p.user_id is not None:
            named["id"] = p.user_id
        return named

    return {
        "voting_closed_at": voting_closed_at.isoformat(),
        "eligible": eligible,
        "votes": [
            {
                **person(v.member),
                "choice": v.choice,
                "comment": v.comment,
                "entered_by_secretariat": v.entered_by_secretariat,
            }
            for v in votes
        ],
        "recusals": [{**person(r.member), "reason": r.reason} for r in recusals],
        "attendance": {
            "present": [person(p) for p in present],
            "absent": [person(p) for p in absent],
        },
        # Who chaired as the record stood: the minutes print her name of that day.
        "chair": person(chair) if chair is not None else None,
        "envelopes": [
            {
                "programme": e.code,
                "title": e.title,
                "total": f"{e.total:.2f}",
                "used": f"{e.used:.2f}",
                "left": f"{e.left:.2f}",
            }
            for e in envelopes
        ],
    }


def take(
    item: AgendaItem, stage: SnapshotStage, record: dict[str, object] | None = None
) -> AgendaItemSnapshot:
    """Store the item's snapshot of `stage` in the caller's transaction."""
    facts = facts_of(item.proposal, item.extension)
    columns = {name: getattr(facts, name) for name in COPIED}
    columns["implementing_entities"] = list(facts.implementing_entities)
    # The files the Board had: an extension item's are the request's, others the proposal's.
    if item.extension is not None:
        files = file_facts(OwnerKind.EXTENSION, item.extension.id)
    else:
        files = file_facts(OwnerKind.PROPOSAL, item.proposal.id)
    snapshot = AgendaItemSnapshot(
        item=item,
        stage=stage,
        reconstructed=False,
        closing_record=record,
        attachments=files,
        **columns,
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def take_closed(item: AgendaItem, closed_at: datetime, counted: ItemCount | None = None) -> None:
    """The CLOSED snapshot of an item closed (decided, deferred, withdrawn) just now, in the
    closing's transaction: after the decision, so the envelope includes it — the envelope
    as at the decision's date (`portfolio.envelope`)."""
    counted = counted or count(item)
    meeting = item.meeting
    members = {m.id: m for m in counted.members}

    def person(user_id: int) -> Person:
        # Votes and recusals counted are those of the members of the meeting's date.
        user = members[user_id]
        return Person(user.name, user.entity.code if user.entity else "", user.id)

    if meeting.is_written_procedure:
        # Taking part in a written procedure is voting; a recused member is neither.
        voters = {v.member_id for v in counted.votes}
        present = [person(m.id) for m in counted.members if m.id in voters]
        absent = [
            person(m.id)
            for m in counted.members
            if m.id not in voters and m.id not in counted.recused
        ]
    else:
        here = attendance(meeting)
        present = [person(m.id) for m in counted.members if here.get(m.id)]
        absent = [person(m.id) for m in counted.members if not here.get(m.id)]
    programme = item.proposal.programme
    # As at the day the Board decided, not as PRB stands when it is recorded: a meeting
    # entered after the fact leaves out later meetings' approvals and envelope changes.
    env = envelope_as_at(programme, decided_on(meeting, closed_at))
    # A written procedure closed by the clock closed at its deadline, not when PRB noticed.
    if meeting.is_written_procedure and meeting.deadline is not None:
        closed_at = min(closed_at, meeting.deadline)
    record = closing_record(
        voting_closed_at=closed_at,
        votes=[
            CastVote(person(v.member_id), v.choice, v.comment, v.recorded_by_id is not None)
            for v in counted.votes
        ],
        recusals=[
            Recusal(person(mid), why)
            for mid, why in sorted(counted.recused.items(), key=lambda kv: counted.names[kv[0]])
        ],
        eligible=counted.tally.eligible,
        present=present,
        absent=absent,
        envelopes=[EnvelopeAfter(programme.code, programme.title, env.total, env.used)],
        chair=_chair(meeting, members),
    )
    take(item, SnapshotStage.CLOSED, record)


def _chair(meeting: Meeting, members: dict[int, Member]) -> Person | None:
    """The meeting's chair as the record names her: for her seat's entity on its date."""
    if meeting.chair is None:
        return None
    seated = members.get(meeting.chair.id)
    entity = seated.entity if seated is not None else meeting.chair.entity
    return Person(meeting.chair.name, entity.code if entity else "", meeting.chair.id)


@dataclass(frozen=True)
class Considered:
    """An item as the Board considered it, for pages and minutes."""

    facts: Facts
    # None: the live proposal (an item without snapshots); else the snapshot's stage.
    stage: str | None
    reconstructed: bool
    taken_at: datetime | None
    record: dict[str, object] | None = None
    votes: list[CastVote] = field(default_factory=list)
    recusals: list[Recusal] = field(default_factory=list)
    # The files the Board had (name, sha256, size); None: no snapshot kept them.
    attachments: list[dict[str, object]] | None = None

    @property
    def display_code(self) -> str:
        return self.facts.project_code or self.facts.reference

    @property
    def duration_text(self) -> str:
        months = self.facts.duration_months
        if not months:
            return ""
        text = calendar.months_text(months)
        return f"{text} ({self.facts.duration_note})" if self.facts.duration_note else text

    @property
    def voting_closed_at(self) -> datetime | None:
        value = self.record.get("voting_closed_at") if self.record else None
        return datetime.fromisoformat(str(value)) if value else None

    def count(self, choice: VoteChoice) -> int:
        return sum(1 for v in self.votes if v.choice == choice)

    @property
    def tally_text(self) -> str:
        """The recorded votes, as the meeting page's vote table captions them."""
        return (
            f"{self.count(VoteChoice.APPROVE)} approve, "
            f"{self.count(VoteChoice.REQUEST_REVISION)} revision, "
            f"{self.count(VoteChoice.REJECT)} reject, {self.count(VoteChoice.ABSTAIN)} abstain; "
            f"{len(self.votes)} of {self.eligible} eligible voted; {len(self.recusals)} recused"
        )

    @property
    def eligible(self) -> int:
        return int(self.record.get("eligible", 0)) if self.record else 0  # type: ignore[call-overload]

    @property
    def attendance(self) -> tuple[list[Person], list[Person]] | None:
        seen = self.record.get("attendance") if self.record else None
        if not isinstance(seen, dict):
            return None
        return (
            [_person_of(p) for p in seen["present"]],
            [_person_of(p) for p in seen["absent"]],
        )

    @property
    def chair(self) -> Person | None:
        """Who chaired as the closing recorded it (None in records older than that)."""
        named = self.record.get("chair") if self.record else None
        return _person_of(named) if isinstance(named, dict) else None

    @property
    def envelopes(self) -> list[EnvelopeAfter]:
        rows = self.record.get("envelopes", []) if self.record else []
        return [
            EnvelopeAfter(e["programme"], e["title"], Decimal(e["total"]), Decimal(e["used"]))
            for e in rows  # type: ignore[union-attr]
        ]


def _from_snapshot(snapshot: AgendaItemSnapshot, proposal: Proposal) -> Considered:
    columns = {name: getattr(snapshot, name) for name in COPIED}
    columns["implementing_entities"] = tuple(snapshot.implementing_entities or ())
    facts = Facts(reference=proposal.reference, **columns)
    record = snapshot.closing_record
    votes: list[CastVote] = []
    recusals: list[Recusal] = []
    if record:
        votes = [
            CastVote(
                _person_of(v),
                v["choice"],
                v.get("comment", ""),
                bool(v.get("entered_by_secretariat")),
            )
            for v in record.get("votes", [])  # type: ignore[union-attr]
        ]
        recusals = [
            Recusal(_person_of(r), r["reason"])
            for r in record.get("recusals", [])  # type: ignore[union-attr]
        ]
    return Considered(
        facts,
        snapshot.stage,
        snapshot.reconstructed,
        snapshot.taken_at,
        record,
        votes,
        recusals,
        snapshot.attachments,
    )


def considered(item: AgendaItem) -> Considered:
    """The closed snapshot if there is one, else the placed one, else the live proposal
    (an item placed before snapshots were kept and not rebuilt by migration 0010)."""
    by_stage = {s.stage: s for s in item.snapshots}
    snapshot = by_stage.get(SnapshotStage.CLOSED) or by_stage.get(SnapshotStage.PLACED)
    if snapshot is not None:
        return _from_snapshot(snapshot, item.proposal)
    return Considered(facts_of(item.proposal, item.extension), None, False, None)
