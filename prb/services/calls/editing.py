"""An administrator opens and edits calls; every change is audited with before/after values
and shown on the call's page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from prb.extensions import db
from prb.models import (
    AuditRecord,
    Call,
    FundingProgramme,
    User,
    WorkingGroup,
    call_working_groups,
    utcnow,
)
from prb.services import audit
from prb.services.access import require_role
from prb.services.calendar import utc_time
from prb.services.calls.windows import to_the_minute, window_problems, window_text
from prb.services.codes import lock_programme
from prb.services.errors import Invalid
from prb.services.once import spend
from prb.services.transaction import committed, locked
from workflows import Role

TITLE_LIMIT: int = Call.__table__.c.title.type.length
GUIDANCE_LIMIT = 10_000

LABELS = {
    "programme_id": "Funding programme",
    "title": "Title",
    "opens_at": "Opens (UTC)",
    "closes_at": "Closes (UTC)",
    "working_group_ids": "Eligible working groups",
    "guidance": "Guidance for the chairs",
}


@dataclass
class CallInput:
    programme_id: int | None
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    working_group_ids: set[int] = field(default_factory=set)
    guidance: str = ""

    def __post_init__(self) -> None:
        self.title = (self.title or "").strip()
        self.guidance = (self.guidance or "").strip()
        self.opens_at = to_the_minute(self.opens_at) if self.opens_at else None
        self.closes_at = to_the_minute(self.closes_at) if self.closes_at else None


def snapshot(call: Call) -> dict[str, Any]:
    """A call as the audit trail keeps it."""
    return {
        "programme": call.programme.code,
        "title": call.title,
        "opens_at": call.opens_at.isoformat(),
        "closes_at": call.closes_at.isoformat(),
        "working_groups": sorted(g.name for g in call.working_groups),
        "guidance": call.guidance,
    }


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _checked_programme(programme_id: int | None, errors: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    programme = db.session.get(FundingProgramme, programme_id) if programme_id else None
    if programme is None:
        _add(errors, "programme_id", "Choose the funding programme.")
    elif programme.retired_at is not None:
        _add(errors, "programme_id", f"{programme.code} is retired: it takes no more calls.")
    elif not programme.open_for_proposals:
        _add(
            errors,
            "programme_id",
            f"{programme.code} is closed for proposals: open it for proposals first.",
        )
    return programme


def _checked_groups(ids: set[int], errors: dict[str, list[str]]) -> list[WorkingGroup]:
    if not ids:
        _add(errors, "working_group_ids", "Choose at least one working group.")
        return []
    groups = list(db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(ids))))
    if len(groups) != len(ids):
        _add(errors, "working_group_ids", "Choose working groups from the list.")
    retired = [g.name for g in groups if g.retired_at is not None]
    if retired:
        _add(
            errors,
            "working_group_ids",
            f"Retired working groups cannot apply: {', '.join(retired)}.",
        )
    return groups


def _check_text(data: CallInput, errors: dict[str, list[str]]) -> None:
    if not data.title:
        _add(errors, "title", "Give the call a title.")
    elif len(data.title) > TITLE_LIMIT:
        _add(errors, "title", f"Keep the title under {TITLE_LIMIT} characters.")
    if len(data.guidance) > GUIDANCE_LIMIT:
        _add(
            errors,
            "guidance",
            f"Keep the guidance under {GUIDANCE_LIMIT:,} characters "
            f"(it has {len(data.guidance):,}).",
        )


def _check_overlap(
    programme: FundingProgramme,
    groups: list[WorkingGroup],
    opens_at: datetime,
    closes_at: datetime,
    call_id: int | None,
    errors: dict[str, list[str]],
) -> None:
    """Two calls of one programme open to one group at the same moment would make "the open
    call" of a submission ambiguous: refused. The programme row is locked first, so two
    administrators cannot each open one of two overlapping calls."""
    lock_programme(programme.id)
    stmt = (
        select(Call)
        .join(call_working_groups, call_working_groups.c.call_id == Call.id)
        .where(
            Call.programme_id == programme.id,
            call_working_groups.c.working_group_id.in_([g.id for g in groups]),
            Call.opens_at < closes_at,
            Call.closes_at > opens_at,
        )
        .order_by(Call.opens_at)
    )
    if call_id is not None:
        stmt = stmt.where(Call.id != call_id)
    for other in db.session.scalars(stmt).unique():
        shared = sorted(g.name for g in other.working_groups if g.id in {x.id for x in groups})
        _add(
            errors,
            "closes_at",
            f"This window overlaps the call “{other.title}” ({window_text(other)}), which is "
            f"open to {', '.join(shared)} in {programme.code}: one call at a time per group.",
        )


def create_call(actor: User, data: CallInput, *, once: str | None = None) -> Call:
    """An administrator opens a call for a programme (it may open now or later)."""
    require_role(actor, Role.ADMINISTRATOR, action="open a call for proposals")
    with committed():
        spend(once, actor, "create call")
        now = utcnow()
        errors = window_problems(data.opens_at, data.closes_at, now)
        programme = _checked_programme(data.programme_id, errors)
        groups = _checked_groups(data.working_group_ids, errors)
        _check_text(data, errors)
        if not errors:
            assert data.opens_at and data.closes_at
            _check_overlap(programme, groups, data.opens_at, data.closes_at, None, errors)
        if errors:
            raise Invalid("The call was not saved: please correct the fields marked below.", errors)
        call = Call(
            programme=programme,
            title=data.title,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            working_groups=sorted(groups, key=lambda g: g.name),
            guidance=data.guidance,
            created_by_id=actor.id,
        )
        db.session.add(call)
        db.session.flush()
        audit.record_change(
            "call_created",
            actor=actor,
            role=Role.ADMINISTRATOR,
            subject="call",
            subject_id=call.id,
            before=None,
            after=snapshot(call),
        )
    return call


def update_call(actor: User, call_id: int, data: CallInput) -> Call:
    """An administrator edits a call: everything until it opens; after that only the closing
    time (not before now) and the guidance. Every change is audited with before/after."""
    require_role(actor, Role.ADMINISTRATOR, action="change a call for proposals")
    with committed():
        call = locked(Call, call_id, "call")
        now = utcnow()
        before = snapshot(call)
        errors = window_problems(data.opens_at, data.closes_at, now)
        _check_text(data, errors)
        if call.opens_at <= now:
            groups = list(call.working_groups)
            programme = call.programme
            frozen = f"The call opened on {utc_time(call.opens_at)}: this can no longer change."
            if data.programme_id != call.programme_id:
                _add(errors, "programme_id", frozen)
            if data.title != call.title:
                _add(errors, "title", frozen)
            if data.opens_at != to_the_minute(call.opens_at):
                errors["opens_at"] = [frozen]
            if data.working_group_ids != {g.id for g in groups}:
                _add(errors, "working_group_ids", frozen)
        else:
            programme = _checked_programme(data.programme_id, errors)
            groups = _checked_groups(data.working_group_ids, errors)
        if not errors:
            assert data.opens_at and data.closes_at
            _check_overlap(programme, groups, data.opens_at, data.closes_at, call.id, errors)
        if errors:
            raise Invalid("The call was not saved: please correct the fields marked below.", errors)
        call.programme = programme
        call.title = data.title
        call.opens_at = data.opens_at  # type: ignore[assignment]
        call.closes_at = data.closes_at  # type: ignore[assignment]
        call.working_groups = sorted(groups, key=lambda g: g.name)
        call.guidance = data.guidance
        db.session.flush()
        after = snapshot(call)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            audit.record_change(
                "call_changed",
                actor=actor,
                role=Role.ADMINISTRATOR,
                subject="call",
                subject_id=call.id,
                before={key: before[key] for key in changed},
                after={key: after[key] for key in changed},
            )
    return call


@dataclass(frozen=True)
class Change:
    """One audited change of a call, for its page: each field with its values before and
    after (before None: the call was created)."""

    record: AuditRecord
    fields: list[tuple[str, object, object]]


SNAPSHOT_LABELS = {
    "programme": "Programme",
    "title": "Title",
    "opens_at": "Opens",
    "closes_at": "Closes",
    "working_groups": "Eligible working groups",
    "guidance": "Guidance",
}


def _readable(key: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key in ("opens_at", "closes_at"):
        return utc_time(datetime.fromisoformat(str(value)))
    return str(value)


def changes(call: Call) -> list[Change]:
    records = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.subject == "call", AuditRecord.subject_id == call.id)
        .order_by(AuditRecord.at, AuditRecord.id)
    )
    result = []
    for record in records:
        before = json.loads(record.before) if record.before else {}
        after = json.loads(record.after) if record.after else {}
        fields = [
            (SNAPSHOT_LABELS[key], _readable(key, before.get(key)), _readable(key, after.get(key)))
            for key in SNAPSHOT_LABELS
            if key in before or key in after
        ]
        result.append(Change(record, fields))
    return result
