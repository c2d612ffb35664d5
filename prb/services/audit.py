"""Writing the audit trail. Callers add the record inside their own transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from prb.extensions import db
from prb.models import AuditRecord, Proposal, User

# Entries that say who has voted (or declared a conflict) on an agenda item: while voting is
# open only the secretariat, which runs the vote, may learn them.
BALLOT_EVENTS = (
    "vote_cast",
    "vote_changed",
    "conflict_declared",
    "vote_recorded",
    "recorded_vote_corrected",
    "conflict_recorded",
)


def record(
    event: str,
    *,
    actor: User | None,
    role: str | None = None,
    proposal: Proposal | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    effective_on: date | None = None,
) -> AuditRecord:
    entry = AuditRecord(
        event=event,
        actor=actor,
        actor_role=role,
        proposal_id=proposal.id if proposal is not None else None,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        effective_on=effective_on,
    )
    db.session.add(entry)
    return entry


def _as_json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    # str() for Decimal, dates and enums: the audit keeps what a person would read.
    return json.dumps(dict(values), sort_keys=True, default=str, ensure_ascii=False)


def record_change(
    event: str,
    *,
    actor: User | None,
    role: str | None,
    subject: str,
    subject_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    comment: str = "",
) -> AuditRecord:
    """A change to accounts, roles, the Board or reference data, with the values before and
    after (None before: created; None after: removed)."""
    entry = record(event, actor=actor, role=role, comment=comment)
    entry.subject = subject
    entry.subject_id = subject_id
    entry.before = _as_json(before)
    entry.after = _as_json(after)
    return entry
