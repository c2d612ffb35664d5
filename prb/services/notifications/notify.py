"""Writing notifications: in the caller's transaction, so a change that is rolled back tells
no one, and a change that is committed has told everyone it concerns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from prb.extensions import db
from prb.models import Notification, User
from prb.services.mail import Attachment
from prb.services.notifications.audience import Event
from prb.services.notifications.mailing import mail_at_once

SUBJECT_LIMIT = 300


def notify(
    event: Event,
    users: Iterable[User],
    *,
    subject: str,
    body: str,
    link: str,
    key: str | None = None,
    attachments: Sequence[Attachment] = (),
    send_before: datetime | None = None,
    about: str | None = None,
) -> list[Notification]:
    """One notification per person (the caller decided who: `audience`). With `key`, a
    person already told under that key is not told again (reminders, end-of-project
    notices, which the worker may look for more than once). `send_before`: when the notice
    stops being true, for its e-mail only (see `enqueue`); the notification is history.
    `about`: what may overtake its e-mail before it goes (see `overtaken`)."""
    people = list(users)
    already: set[int] = set()
    if key is not None and people:
        already = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.key == key,
                    Notification.user_id.in_([u.id for u in people]),
                )
            )
        )
    written = []
    for user in people:
        if user.id in already:
            continue
        note = Notification(
            user_id=user.id,
            event=str(event),
            subject=_one_line(subject)[:SUBJECT_LIMIT],
            body=body,
            link=link,
            key=key,
        )
        db.session.add(note)
        written.append(note)
    if written:
        db.session.flush()  # their ids and the people's, for the e-mails
        mail_at_once(people, written, attachments, send_before=send_before, about=about)
    return written


def _one_line(text: str) -> str:
    return " ".join(text.split())
