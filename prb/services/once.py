"""One-time form tokens: a form submitted twice (double click, back button, replay) is
carried out once; the second submission gets a Conflict."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import FormToken, User
from prb.services.errors import Conflict


def spend(token: str | None, user: User, purpose: str) -> None:
    """Spend `token` in the caller's transaction (call it before the write it guards)."""
    if not token:
        return  # API clients and scripts without a form have no token to spend
    if len(token) > 64:
        raise Conflict("This form is not valid any more; reload the page.")
    try:
        with db.session.begin_nested():
            db.session.add(FormToken(token=token, user_id=user.id, purpose=purpose))
    except IntegrityError:
        raise Conflict(
            "This form was already submitted, so nothing was done a second time. "
            "Reload the page to see the result."
        ) from None
