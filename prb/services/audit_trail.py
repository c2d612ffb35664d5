"""Reading the audit trail: the audit page and its CSV export for auditors. (Writing it is
`prb.services.audit`.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, func, select

from prb.extensions import db
from prb.models import AuditRecord, Proposal, User
from prb.services import audit
from prb.services.access import require_role
from prb.services.calendar import start_of_day_after
from prb.services.proposals import COUNT_CAP, Page
from prb.services.spreadsheet import safe_cell
from workflows import Role

READERS = (Role.ADMINISTRATOR, Role.SECRETARIAT)
# Who voted how stays with the secretariat, which runs the votes: an administrator (or an
# auditor through her) must not learn it from the trail while voting is open.
VOTE_EVENTS = audit.BALLOT_EVENTS
SEES_VOTES = Role.SECRETARIAT


@dataclass(frozen=True)
class AuditFilter:
    event: str | None = None
    subject: str | None = None
    actor_id: int | None = None
    since: date | None = None  # UTC dates, both included
    until: date | None = None


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


def _values(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        loaded = json.loads(raw)
    except ValueError:
        return {"value": raw}
    return loaded if isinstance(loaded, dict) else {"value": loaded}


@dataclass(frozen=True)
class AuditLine:
    record: AuditRecord
    project_code: str | None

    @property
    def proposal_code(self) -> str | None:
        if self.record.proposal_id is None:
            return None
        return self.project_code or f"P-{self.record.proposal_id:05d}"

    @property
    def effective_on(self) -> date | None:
        """The day a transition recorded after the fact took effect; None when it is the
        day it was recorded."""
        day = self.record.effective_on
        return day if day is not None and day != self.record.at.date() else None

    @property
    def changes(self) -> list[Change]:
        """What changed, field by field: every value of a creation or a removal, only the
        differing ones of an edit."""
        before, after = _values(self.record.before), _values(self.record.after)
        if before is None and after is None:
            return []
        names = sorted(set(before or {}) | set(after or {}))
        rows = []
        for name in names:
            old = _shown((before or {}).get(name))
            new = _shown((after or {}).get(name))
            if old != new:  # an edit's untouched fields, a creation's empty ones
                rows.append(Change(name.replace("_", " ").capitalize(), old, new))
        return rows


def _conditions(actor: User, flt: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not actor.has_role(SEES_VOTES):
        conditions.append(AuditRecord.event.not_in(VOTE_EVENTS))
    if flt.event:
        conditions.append(AuditRecord.event == flt.event)
    if flt.subject:
        conditions.append(AuditRecord.subject == flt.subject)
    if flt.actor_id:
        conditions.append(AuditRecord.actor_id == flt.actor_id)
    if flt.since:
        conditions.append(AuditRecord.at >= datetime.combine(flt.since, time(), UTC))
    if flt.until:
        conditions.append(AuditRecord.at < start_of_day_after(flt.until))
    return conditions


def _require_reader(actor: User) -> None:
    require_role(actor, *READERS, action="read the audit trail")


def _select(conditions: list[ColumnElement[bool]]):  # type: ignore[no-untyped-def]
    # The proposal's code comes in the same query (its actor too, joined by the model):
    # a page costs the same number of statements whatever its length.
    return (
        select(AuditRecord, Proposal.project_code)
        .outerjoin(Proposal, Proposal.id == AuditRecord.proposal_id)
        .where(*conditions)
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    )


def list_records(actor: User, flt: AuditFilter, page: int, per_page: int) -> Page[AuditLine]:
    """The records the actor may read, newest first, filtered and paged."""
    _require_reader(actor)
    conditions = _conditions(actor, flt)
    # Counted up to COUNT_CAP, as the proposal list does: past that, people filter.
    capped = select(AuditRecord.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    page = max(1, min(page, max(1, -(-min(total, COUNT_CAP) // per_page))))
    rows = db.session.execute(
        _select(conditions).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(
        items=[AuditLine(record, code) for record, code in rows],
        total=min(total, COUNT_CAP),
        page=page,
        per_page=per_page,
        more=total > COUNT_CAP,
    )


@dataclass(frozen=True)
class FilterChoices:
    events: list[str]
    subjects: list[str]
    actors: list[tuple[int, str]]


def filter_choices(actor: User) -> FilterChoices:
    """What the filters offer: the kinds of record that exist, and the people who acted."""
    _require_reader(actor)
    hidden = [] if actor.has_role(SEES_VOTES) else [AuditRecord.event.not_in(VOTE_EVENTS)]
    events = db.session.scalars(
        select(AuditRecord.event).where(*hidden).distinct().order_by(AuditRecord.event)
    )
    subjects = db.session.scalars(
        select(AuditRecord.subject)
        .where(AuditRecord.subject.is_not(None))
        .distinct()
        .order_by(AuditRecord.subject)
    )
    people = db.session.execute(select(User.id, User.name, User.email).order_by(User.name))
    return FilterChoices(
        events=list(events),
        subjects=[s for s in subjects if s],
        actors=[(uid, f"{name} ({email})") for uid, name, email in people],
    )


CSV_COLUMNS = [
    "recorded_at_utc",
    "effective_on",  # a transition's day when it took effect (empty: the day recorded)
    "actor",
    "actor_email",
    "role",
    "event",
    "subject",
    "subject_id",
    "proposal",
    "from_state",
    "to_state",
    "changes",
    "before",
    "after",
    "comment",
]


def csv_rows(actor: User, flt: AuditFilter) -> Iterator[list[str]]:
    """Every record the filter selects, newest first, each cell safe to open in a
    spreadsheet. Read in batches, so that a long trail does not sit in memory. The
    permission is checked now, before the first row is asked for."""
    _require_reader(actor)
    stmt = _select(_conditions(actor, flt)).execution_options(yield_per=500)

    # Read when the stream asks for the first row, not now: Flask ends the request's
    # session before it streams the answer, and a result read from that session died with
    # it (the export failed on its first row).
    def generate() -> Iterator[list[str]]:
        for record, code in db.session.execute(stmt):
            yield _csv_line(AuditLine(record, code))

    return generate()


def _csv_line(line: AuditLine) -> list[str]:
    record, person = line.record, line.record.actor
    return [
        safe_cell(value)
        for value in (
            record.at.isoformat(timespec="seconds"),
            line.effective_on.isoformat() if line.effective_on else "",
            person.name if person else "",
            person.email if person else "",
            record.actor_role,
            record.event,
            record.subject,
            record.subject_id,
            line.proposal_code,
            record.from_state,
            record.to_state,
            "; ".join(f"{c.field}: {c.before} → {c.after}" for c in line.changes),
            record.before,
            record.after,
            record.comment,
        )
    ]
