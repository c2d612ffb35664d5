"""What the reference-data use cases share: who may edit and read, the audit row of a change,
uniqueness refused with a message rather than a database error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import User, utcnow
from prb.services import audit
from prb.services.access import SET_UP_READERS, require_role
from prb.services.errors import Invalid, NotFound
from workflows import Role

# Reading the lists helps the secretariat (creating accounts), the Board and finance.
READERS = SET_UP_READERS

T = TypeVar("T")


def require_reader(actor: User, action: str) -> None:
    require_role(actor, *READERS, action=action)


def today() -> date:
    return utcnow().date()


def snapshot(row: object, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def record(
    event: str,
    actor: User | None,
    subject: str,
    subject_id: int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    comment: str = "",
) -> None:
    audit.record_change(
        event,
        actor=actor,
        role=Role.ADMINISTRATOR if actor is not None else None,
        subject=subject,
        subject_id=subject_id,
        before=before,
        after=after,
        comment=comment,
    )


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return dict(before) != dict(after)


def flush_unique(field: str, message: str) -> None:
    """Write now, so that a duplicate that slipped past the check (two administrators at
    once) is refused as the form error it is, not as a server error."""
    try:
        db.session.flush()
    except IntegrityError:
        raise Invalid(message, {field: [message]}) from None


def locked(model: type[T], row_id: int, what: str) -> T:
    """The row, locked against a concurrent change until the transaction ends."""
    row = db.session.scalars(
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no {what} number {row_id}.")
    return row


def found(model: type[T], row_id: int, what: str) -> T:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no {what} number {row_id}.")
    return row


def text_problem(value: str, label: str, limit: int, *, required: bool = True) -> str | None:
    if required and not value:
        return f"Give the {label}."
    if len(value) > limit:
        return f"Keep the {label} under {limit} characters (it has {len(value)})."
    return None
