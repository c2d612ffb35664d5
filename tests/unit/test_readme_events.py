"""The README's events table is the one PRB uses (`prb.services.notifications.EVENTS`)."""

from __future__ import annotations

from pathlib import Path

from prb.services.notifications import EVENTS

README = Path(__file__).resolve().parents[2] / "README.md"


def events_table() -> str:
    lines = ["| When | Who is told |", "|---|---|"]
    lines += [f"| {kind.label} | {kind.audience} |" for kind in EVENTS.values()]
    return "\n".join(lines)


def test_the_readme_lists_every_event_and_its_audience() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- events:begin -->\n", 1)[1].split("\n<!-- events:end -->", 1)[0]
    assert block == events_table()
