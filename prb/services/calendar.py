"""Calendar months, as the Board counts them: 12 months from 1 January 2018 end on
31 December 2018; a four-month extension from 1 January 2019 runs to 30 April 2019. And
how a date and a moment read, in every message and on every page."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal


def long_date(day: date) -> str:
    """1 January 2019 (a moment: its UTC day)."""
    return f"{day.day} {day:%B %Y}"


def utc_time(moment: datetime) -> str:
    """1 March 2019, 00:00 UTC"""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def start_of_day_after(day: date) -> datetime:
    """The first moment after `day`, UTC: a moment stamped on `day` (or before) is earlier, so
    `< start_of_day_after(day)` keeps all of `day`, whatever the column's precision."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def months_text(months: int) -> str:
    """1 month; 12 months."""
    return f"{months} month{'' if months == 1 else 's'}"


def add_months(start: date, months: int) -> date:
    """The same day `months` later; where that day does not exist (31 April), the first day of
    the following month, so that a period never loses its last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        return date(year, month, start.day)
    return date(year, month, last) + timedelta(days=1)


def months_elapsed(start: date, day: date) -> Decimal:
    """Calendar months from `start` to `day`: the whole months, and of the month under way
    the share of its days gone (28 February to 2 December: 9 and 4/30)."""
    if day < start:
        raise ValueError("the day is before the start")
    whole = (day.year - start.year) * 12 + day.month - start.month
    if add_months(start, whole) > day:
        whole -= 1
    since, until = add_months(start, whole), add_months(start, whole + 1)
    return whole + Decimal((day - since).days) / Decimal((until - since).days)


def period_end(start: date, months: int) -> date:
    """The last day of a period of `months` calendar months that begins on `start`."""
    if months < 1:
        raise ValueError("a period lasts at least one month")
    return add_months(start, months) - timedelta(days=1)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` inclusive, rounded up (a period that ends
    mid-month counts that month)."""
    if end < start:
        raise ValueError("the end is before the start")
    # From the months between the two dates' months (a period one shorter ends before
    # `end`'s month), at most a step on. Counted one month at a time from 1, the overview of
    # a year's 100,000 projects spent seconds here, and a far-off date typed as an
    # extension's end held a worker.
    months = max(1, (end.year - start.year) * 12 + end.month - start.month)
    while period_end(start, months) < end:
        months += 1
    return months
