"""In development only (`PRB_SHOW_MAIL`, which `make run` sets): the e-mail PRB wrote, to
read in the app when no mail server is configured. Each person sees what was addressed to
her (administrators: everything). A message carrying a one-time link shows it redacted:
no page ever shows a set-password or reset link."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer

from prb.extensions import db
from prb.models import OutboxMessage, User
from prb.services.errors import NotFound
from workflows import Role

SHOWN = 50
_ONE_TIME = re.compile(r"(/set-password/)[A-Za-z0-9_\-]+")
REDACTED = r"\1[redacted: a one-time link, sent only to its owner]"


@dataclass(frozen=True)
class Shown:
    message: OutboxMessage
    text: str


def enabled() -> bool:
    return bool(current_app.config.get("SHOW_MAIL", False))


def redact(text: str) -> str:
    return _ONE_TIME.sub(REDACTED, text)


def written_to(actor: User) -> Sequence[Shown]:
    if not enabled():
        raise NotFound("There is no such page.")
    query = select(OutboxMessage).options(undefer(OutboxMessage.text_body))
    if not actor.has_role(Role.ADMINISTRATOR):
        query = query.where(OutboxMessage.recipient_user_id == actor.id)
    messages = db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(SHOWN)).all()
    # Every body redacted, not only those marked secret: nothing here may open an account.
    return [Shown(m, redact(m.text_body)) for m in messages]
