"""The Board's rules of procedure."""

from __future__ import annotations

from fractions import Fraction

from flask import current_app

from prb.services.decision_rule import Rule


def rule() -> Rule:
    return Rule(
        quorum=Fraction(str(current_app.config["BOARD_QUORUM"])),
        casting_vote=bool(current_app.config["BOARD_CASTING_VOTE"]),
    )
