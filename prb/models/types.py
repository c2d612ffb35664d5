"""Column types: UTC timestamps that stay aware on SQLite, and money as Decimal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; `timestamptz` on PostgreSQL, naive UTC on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; PRB stores UTC-aware timestamps only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# USD amounts: two places, never float.
Money = Numeric(14, 2, asdecimal=True)

CENT = Decimal("0.01")


# PRB's one clock. Only `replayed_at` moves it: the demo replays an office's past years
# through the same services a user's clicks go through, on the dates they happened.
_replay_moment: ContextVar[datetime | None] = ContextVar("prb_replay_moment", default=None)


def utcnow() -> datetime:
    moment = _replay_moment.get()
    return moment if moment is not None else datetime.now(UTC)


@contextmanager
def replayed_at(moment: datetime) -> Iterator[None]:
    """Within the block, PRB's clock reads `moment` (UTC-aware)."""
    if moment.tzinfo is None:
        raise ValueError("replay moments are UTC-aware")
    token = _replay_moment.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _replay_moment.reset(token)
