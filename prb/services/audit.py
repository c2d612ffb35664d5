"""Writing the audit trail. Callers add the record inside their own transaction."""

from __future__ import annotations

from prb.extensions import db
from prb.models import AuditRecord, Proposal, User


def record(
    event: str,
    *,
    actor: User | None,
    role: str | None = None,
    proposal: Proposal | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
) -> AuditRecord:
    entry = AuditRecord(
        event=event,
        actor=actor,
        actor_role=role,
        proposal_id=proposal.id if proposal is not None else None,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )
    db.session.add(entry)
    return entry
