"""What the reference-data use cases share: who may edit and read, the audit row of a change,
uniqueness refused with a message rather than a database error."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import User, utcnow
from prb.services import audit
from prb.services.access import SET_UP_READERS, require_administrator, require_role
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.transaction import committed, locked
from workflows import Role

# Reading the lists helps the secretariat (creating accounts), the Board and finance.
READERS = SET_UP_READERS

T = TypeVar("T")


class Retirable(Protocol):
    id: int
    retired_at: datetime | None


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


R = TypeVar("R", bound=Retirable)


def set_retired_row(
    actor: User,
    model: type[R],
    row_id: int,
    retired: bool,
    *,
    what: str,
    action: str,
    event: str,
    subject: str,
    audited: Iterable[str],
    name: Callable[[R], str],
) -> R:
    """Retire a row (no longer offered for new records; those that name it keep it) or
    reinstate it, with the audit row `<event>_retired` or `<event>_reinstated`."""
    require_administrator(actor, action=action)
    with committed():
        row = locked(model, row_id, what)
        if (row.retired_at is not None) == retired:
            raise Conflict(
                f"{name(row)} is already {'retired' if retired else 'in use'}. Nothing changed."
            )
        before = snapshot(row, audited)
        row.retired_at = utcnow() if retired else None
        after = snapshot(row, audited)
        record(
            f"{event}_{'retired' if retired else 'reinstated'}",
            actor,
            subject,
            row.id,
            before,
            after,
        )
    return row


def offered_rows(
    model: type[R], in_use: ColumnElement[bool], keep_ids: Collection[int], order_by: Any
) -> list[R]:
    """What a form offers: the rows `in_use`, plus any the record being edited already
    names (so that editing an old record does not lose them)."""
    entity: Any = model
    condition = or_(in_use, entity.id.in_(keep_ids)) if keep_ids else in_use
    return list(db.session.scalars(select(entity).where(condition).order_by(order_by)))
