"""Room in a programme's envelope for what the Board grants, checked when an item closes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from prb.models import AgendaItem, FundingProgramme
from prb.services import finance
from prb.services.calendar import long_date
from prb.services.codes import lock_programme
from prb.services.portfolio.envelope import envelope_as_at


class Recorded(Protocol):
    """What the closing knows of when the Board decided (`decisions.Record`)."""

    decided_on: date
    recorded_after: bool


def ensure_room(item: AgendaItem, extra: Decimal, what: str, record: Recorded) -> FundingProgramme:
    """The envelope must hold what the Board grants: today's, or for a meeting entered
    after the fact the one of the day it decided (later changes neither made nor took room)."""
    programme = lock_programme(item.proposal.programme_id)
    if not record.recorded_after:
        finance.ensure_within_envelope(programme, extra, what)
        return programme
    day = record.decided_on
    finance.ensure_within_envelope(
        programme, extra, what, then=envelope_as_at(programme, day), on=long_date(day)
    )
    return programme
