"""One-time form tokens: a form submitted twice (double click, back button, replay) is
carried out once; the second submission gets a Conflict.

A token is required from every web request: a form sent without one is refused, so leaving
the field out cannot replay it. Only callers outside a web request (the CLI, the demo replay,
the worker) may pass None, and then nothing is spent: they have no form to double-submit."""

from __future__ import annotations

from flask import has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import FormToken, User
from prb.services.errors import Conflict

TOKEN_MAX_LENGTH = 64
MISSING = (
    "This form was sent without its one-time token, so nothing was done. "
    "Reload the page and submit the form again."
)


ALREADY_SUBMITTED = (
    "This form was already submitted, so nothing was done a second time. "
    "Reload the page to see the result."
)


def refuse_replay(token: str | None, user: User) -> None:
    """Refuse, before any check of the form's fields, a token already spent: a replayed
    form is a conflict (409), not a form whose values clash with what it created itself
    ("PRB/2018/03 already exists"). Reads only; `spend` still guards the write."""
    if token and db.session.scalar(select(FormToken.token).where(FormToken.token == token)):
        raise Conflict(ALREADY_SUBMITTED)


def spend(token: str | None, user: User, purpose: str) -> None:
    """Spend `token` in the caller's transaction (call it before the write it guards)."""
    if token is None and not has_request_context():
        return  # a script's call: no form, nothing to replay
    if not token:
        raise Conflict(MISSING)
    if len(token) > TOKEN_MAX_LENGTH:
        raise Conflict("This form is not valid any more; reload the page.")
    try:
        with db.session.begin_nested():
            db.session.add(FormToken(token=token, user_id=user.id, purpose=purpose))
    except IntegrityError:
        raise Conflict(ALREADY_SUBMITTED) from None
