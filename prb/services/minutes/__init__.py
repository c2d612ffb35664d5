"""Minutes of Board meetings and written procedures: drafts on demand, final versions
stored byte for byte with their SHA-256, optionally signed, corrected only by corrigenda.

Split by concern: `data` gathers what the minutes say, `record` writes decisions.json,
`final` renders, stores and serves the versions."""

from prb.services.minutes.data import BOARD, MINUTED, MinutesData, minutes_data
from prb.services.minutes.final import (
    chairs_on,
    corrected_facts,
    decision_count,
    draft_pdf,
    finalise,
    printed_facts,
    stored,
    versions,
)
from prb.services.minutes.record import decisions_json

__all__ = [
    "BOARD",
    "MINUTED",
    "MinutesData",
    "chairs_on",
    "corrected_facts",
    "decision_count",
    "decisions_json",
    "draft_pdf",
    "finalise",
    "minutes_data",
    "printed_facts",
    "stored",
    "versions",
]
