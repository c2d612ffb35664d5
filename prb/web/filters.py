"""One way to show dates, times and money everywhere: 1 January 2019; USD 1,356,000.00."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from markupsafe import Markup

from prb.services import calendar
from workflows import PROPOSAL


def long_date(value: date | datetime | None) -> str:
    return "—" if value is None else calendar.long_date(value)


def timestamp(value: datetime | None) -> str:
    return "—" if value is None else calendar.utc_time(value)


def usd(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"USD {value:,.2f}"


def months(value: int | None) -> str:
    """1 month; 12 months."""
    return "—" if value is None else calendar.months_text(value)


def bidi(value: object) -> Markup:
    """Text someone typed, isolated from the words and figures around it: an Arabic name
    followed by ", 1 March 2019" would otherwise carry the date into its right-to-left run
    and show it before the name."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


def status_label(value: str | None) -> str:
    return PROPOSAL.label(value) if value else "—"


def register(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(timestamp)
    app.add_template_filter(usd)
    app.add_template_filter(status_label)
    app.add_template_filter(months)
    app.add_template_filter(bidi)
