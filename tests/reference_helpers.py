"""People and shortcuts for the administration tests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, User
from tests import factories
from workflows import Role


def administrator(world, *extra: Role, email: str = "admin@prb.example") -> User:  # type: ignore[no-untyped-def]
    person = factories.user(email, world.unoct, Role.ADMINISTRATOR, *extra, name="Ada Okafor")
    db.session.commit()
    return person


def changes(event: str) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """(before, after) of every audit row of `event`, oldest first."""
    rows = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == event).order_by(AuditRecord.id)
    )
    return [
        (
            json.loads(r.before) if r.before is not None else None,
            json.loads(r.after) if r.after is not None else None,
        )
        for r in rows
    ]


def audit_count() -> int:
    return len(list(db.session.scalars(select(AuditRecord.id))))
