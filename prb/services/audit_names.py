"""Names as they were: what an account, a working group… was called at a moment, read from
the audit trail, whose records on it keep its values before and after each change (its
creation and each update: `prb.services.accounts.people`, `prb.services.reference.groups`).
Renaming something does not rewrite what was written or reported before."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, select

from prb.extensions import db
from prb.models import AuditRecord
from prb.services.sql import among

# Per subject: (when, name before, name after) of each of its audit records, in order.
NameChanges = Sequence[tuple[datetime, str | None, str | None]]


def name_at(changes: NameChanges, at: datetime, today: str) -> str:
    """The name at `at`: as the last change by then left it; before any, as the first change
    after found it; with no change recorded, today's."""
    earlier = [after for when, _, after in changes if when <= at and after]
    if earlier:
        return earlier[-1]
    later = [before for when, before, _ in changes if when > at and before]
    return later[0] if later else today


def end_of(day: date) -> datetime:
    """The last moment of `day`, UTC: a report as at a day counts what was recorded on it."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def name_changes(
    subject: str, ids: Sequence[int] | Select[tuple[int | None]]
) -> dict[int, NameChanges]:
    """The name before and after each audit record on these subjects (`subject` as the
    records name it: "user", "working_group"), in one query."""
    among_ids = (
        among(AuditRecord.subject_id, ids)
        if isinstance(ids, Sequence)
        else AuditRecord.subject_id.in_(ids)
    )
    found: dict[int, list[tuple[datetime, str | None, str | None]]] = defaultdict(list)
    for subject_id, at, before, after in db.session.execute(
        select(AuditRecord.subject_id, AuditRecord.at, AuditRecord.before, AuditRecord.after)
        .where(AuditRecord.subject == subject, among_ids)
        .order_by(AuditRecord.at, AuditRecord.id)
    ):
        found[subject_id].append((at, _name(before), _name(after)))
    return dict(found)


def names_at(subject: str, today: Mapping[int, str], at: datetime) -> dict[int, str]:
    """Each subject's name at `at`, by id, from its name of `today` and its audit records
    (one query; none when there is nothing to name). One without a record keeps today's."""
    if not today:
        return {}
    changes = name_changes(subject, list(today))
    return {id_: name_at(changes.get(id_, ()), at, name) for id_, name in today.items()}


def _name(values: str | None) -> str | None:
    """The name in a record's values (JSON), if they hold one."""
    if not values:
        return None
    name = json.loads(values).get("name")
    return name if isinstance(name, str) and name else None
