"""A call's window, without the database: UTC, from `opens_at` (inclusive) to `closes_at`
(exclusive), to the minute; where it stands at a moment, and what is wrong with one."""

from __future__ import annotations

from datetime import datetime

from prb.models import Call, utcnow
from prb.services.calendar import utc_time
from workflows import CallPhase


def window_text(call: Call) -> str:
    return f"from {utc_time(call.opens_at)} to {utc_time(call.closes_at)}"


def phase(opens_at: datetime, closes_at: datetime, now: datetime) -> CallPhase:
    if now < opens_at:
        return CallPhase.UPCOMING
    if now < closes_at:
        return CallPhase.OPEN
    return CallPhase.CLOSED


def phase_of(call: Call, now: datetime | None = None) -> CallPhase:
    return phase(call.opens_at, call.closes_at, now or utcnow())


def to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def window_problems(
    opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> dict[str, list[str]]:
    """What is wrong with a window (pure: no database)."""
    errors: dict[str, list[str]] = {}
    if opens_at is None:
        errors["opens_at"] = ["Give the date and time the call opens (UTC)."]
    elif opens_at.tzinfo is None:
        raise ValueError("call windows are UTC-aware")
    if closes_at is None:
        errors["closes_at"] = ["Give the date and time the call closes (UTC)."]
    elif closes_at.tzinfo is None:
        raise ValueError("call windows are UTC-aware")
    elif closes_at <= now:
        errors["closes_at"] = [
            f"The call would close before now ({utc_time(now)}): give a later closing time."
        ]
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = ["The call must close after it opens."]
    return errors
