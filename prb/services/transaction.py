"""One use case, one transaction: commit when the block succeeds, roll back when it raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prb.extensions import db


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
