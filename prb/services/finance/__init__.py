"""Finance: the programme envelope, each project's ledger and balances, project dates.

The package is split by concern; this module re-exports what the rest of PRB uses, so
callers write `from prb.services import finance` and `finance.record_entry(...)`."""

from prb.services.finance.balances import (
    ZERO,
    Balances,
    balances,
    burn_rate,
    money,
    totals_subquery,
)
from prb.services.finance.envelopes import (
    Envelope,
    ensure_within_envelope,
    envelope,
    envelopes,
)
from prb.services.finance.ledger import (
    ENTRY_STATES,
    MAX_AMOUNT,
    EntryInput,
    can_see_ledger,
    ledger,
    record_entry,
    reversible_entries,
)
from prb.services.finance.project_dates import ProjectDates, dates_seen, record_project_dates

__all__ = [
    "ENTRY_STATES",
    "MAX_AMOUNT",
    "ZERO",
    "Balances",
    "EntryInput",
    "Envelope",
    "ProjectDates",
    "balances",
    "burn_rate",
    "can_see_ledger",
    "dates_seen",
    "ensure_within_envelope",
    "envelope",
    "envelopes",
    "ledger",
    "money",
    "record_entry",
    "record_project_dates",
    "reversible_entries",
    "totals_subquery",
]
