"""House rules that a reviewer would otherwise check by eye: states are named through the
workflows' enums, never typed as strings elsewhere; a service or web module stays small
enough to read (past ~400 lines it becomes a package split by concern)."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from prb.models import EntryKind
from workflows import CallPhase, ExtensionState, ItemState, MeetingKind, ProposalState, VoteChoice

ROOT = Path(__file__).resolve().parents[2]
STATE_ENUMS: tuple[type[StrEnum], ...] = (
    ProposalState,
    ItemState,
    ExtensionState,
    MeetingKind,
    VoteChoice,
    CallPhase,
    EntryKind,
)
MODULE_LIMIT = 400
LIMITED = ("services", "web")


def _state_literal() -> re.Pattern[str]:
    values = sorted({str(v) for enum in STATE_ENUMS for v in enum}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, values))
    quoted = rf"""["'](?:{alternatives})["']"""
    return re.compile(
        # compared (== != in), or given to a status-like name (keyword, assignment, dict)
        rf"(?:==|!=|\bin\b)\s*[\(\[{{]?\s*{quoted}"
        rf"|{quoted}\s*(?:==|!=)"
        rf"|\b\w*(?:status|state|kind|choice|outcome|phase)\w*\s*[:=]\s*{quoted}"
    )


def _code_files() -> list[Path]:
    return sorted([*(ROOT / "prb").rglob("*.py"), *(ROOT / "templates").rglob("*.html")])


def test_states_are_never_typed_as_strings_outside_workflows() -> None:
    pattern = _state_literal()
    typed = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in _code_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert typed == [], "use the workflows' enums (or pass a ready value to the template)"


@pytest.mark.parametrize(
    "line",
    [
        "if proposal.status == 'approved':",
        'rows.where(AgendaItem.status != "open")',
        "{% if phase != 'upcoming' %}",
        'Proposal(status="draft")',
        'signed = case((LedgerEntry.kind == "reversal", -x))',
        "if vote.choice in ('approve', 'reject'):",
    ],
)
def test_the_state_scan_sees_a_typed_state(line: str) -> None:
    assert _state_literal().search(line)


@pytest.mark.parametrize("folder", LIMITED)
def test_modules_stay_under_the_limit(folder: str) -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in sorted((ROOT / "prb" / folder).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LIMIT
    }
    assert long == {}, "split these by concern into a package"
