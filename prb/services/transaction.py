"""One use case, one transaction: commit when the block succeeds, roll back when it raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import select

from prb.extensions import db
from prb.services.errors import NotFound

T = TypeVar("T")


@contextmanager
def committed() -> Iterator[None]:
    """`with committed(): …` — the service's writes land together or not at all.

    After an error the session is rolled back, so the half-changed objects of a refused
    request never leak into the next one (`transitions` does not undo a state change).
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def locked(model: type[T], row_id: int, what: str) -> T:
    """The row, locked against a concurrent change until the transaction ends (FOR UPDATE on
    PostgreSQL, of this table only: not the outer joins its eager relationships add) and
    read again, as the lock found it. NotFound names `what` ("call", "seat" …)."""
    entity: Any = model
    row = (
        db.session.scalars(
            select(entity)
            .where(entity.id == row_id)
            .with_for_update(of=entity)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"There is no {what} number {row_id}.")
    return row
