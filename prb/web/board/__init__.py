"""Board pages: meetings and written procedures, agendas, votes, closing items; the Board's
seats and rules of procedure. One blueprint, its views split by concern: the meeting pages
(`pages`), what is posted from them (`actions`), and the Board as data (`setup`)."""

from __future__ import annotations

from flask import Blueprint, flash

from prb.services.errors import Conflict, Invalid
from workflows import Role

bp = Blueprint("board", __name__, url_prefix="/board")

VIEWERS = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)


def flash_refusal(exc: Conflict | Invalid) -> None:
    flash(exc.message, "error")
    for messages in getattr(exc, "fields", {}).values():
        for message in messages:
            if message != exc.message:
                flash(message, "error")


# The views register their routes on `bp` when imported.
from prb.web.board import actions, pages, setup  # noqa: E402
from prb.web.board.pages import meeting  # noqa: E402

__all__ = ["VIEWERS", "actions", "bp", "flash_refusal", "meeting", "pages", "setup"]
