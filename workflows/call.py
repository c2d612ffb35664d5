"""Where a call for proposals stands: derived from its window and the clock, never stored."""

from __future__ import annotations

from enum import StrEnum


class CallPhase(StrEnum):
    """A call's window at a moment: before it opens, while open, after it closes."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()
