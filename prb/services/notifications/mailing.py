"""Notifications by e-mail: at once for those who chose it (the default), or in a daily
digest. Every message carries a signed one-click way to stop its kind (RFC 8058: the mail
client POSTs `List-Unsubscribe=One-Click` to the link; a person opening the link gets a page
asking to confirm, and only the POST changes anything)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time
from html import escape

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from prb.extensions import db
from prb.models import Channel, Notification, NotificationPreference, User, utcnow
from prb.services import calendar
from prb.services.errors import NotFound
from prb.services.mail import Attachment, enqueue
from prb.services.notifications.audience import EVENTS, Event
from prb.services.transaction import committed

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_DIGEST_HOUR = 6  # UTC: the digest of the day before goes out after this hour


def base_url() -> str:
    return str(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="prb-unsubscribe")


def unsubscribe_token(user_id: int, event: Event) -> str:
    return _signer().dumps({"u": user_id, "e": str(event)})


def unsubscribe_link(user_id: int, event: Event) -> str:
    return f"{base_url()}/unsubscribe/{unsubscribe_token(user_id, event)}"


def read_unsubscribe_token(token: str) -> tuple[User, Event]:
    """Whose and which kind; a forged or damaged link is "not found" (nothing to confirm)."""
    try:
        data = _signer().loads(token)
        user = db.session.get(User, int(data["u"]))
        event = Event(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("This link is not valid: open Notifications in PRB instead.") from None
    if user is None:
        raise NotFound("This link is not valid: open Notifications in PRB instead.")
    return user, event


def unsubscribe(token: str) -> tuple[User, Event]:
    """Stop e-mails of one kind: the person still sees them in PRB."""
    with committed():
        user, event = read_unsubscribe_token(token)
        row = db.session.get(NotificationPreference, (user.id, str(event)))
        if row is None:
            db.session.add(
                NotificationPreference(user_id=user.id, event=str(event), channel=Channel.APP)
            )
        else:
            row.channel = Channel.APP
    return user, event


def channels(users: list[User], event: Event) -> dict[int, Channel]:
    """How each of them hears of `event` (one query)."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.channel).where(
                NotificationPreference.event == str(event),
                NotificationPreference.user_id.in_([u.id for u in users]),
            )
        ).all()
    )
    return {u.id: Channel(chosen.get(u.id, Channel.EMAIL)) for u in users}


def _text(user: User, note: Notification) -> str:
    kind = EVENTS[Event(note.event)]
    lines = [f"Dear {user.name},", "", note.subject]
    if note.body:
        lines += ["", note.body]
    lines += [
        "",
        f"Open it in PRB: {base_url()}{note.link}",
        "",
        "--",
        f"You receive this as one of {kind.audience} ({kind.label.lower()}).",
        f"Stop these e-mails: {unsubscribe_link(user.id, Event(note.event))}",
        f"Choose how you hear of each kind: {base_url()}/account/notifications",
    ]
    return "\n".join(lines)


def _html(user: User, note: Notification) -> str:
    kind = EVENTS[Event(note.event)]
    link = escape(f"{base_url()}{note.link}")
    body = f"<p>{escape(note.body)}</p>" if note.body else ""
    return (
        f"<p>Dear {escape(user.name)},</p><p><strong>{escape(note.subject)}</strong></p>{body}"
        f'<p><a href="{link}">Open it in PRB</a></p><hr><p><small>You receive this as one '
        f"of {escape(kind.audience)}. "
        f'<a href="{escape(unsubscribe_link(user.id, Event(note.event)))}">Stop these '
        f'e-mails</a> · <a href="{escape(base_url())}/account/notifications">Choose how you '
        "hear of each kind</a></small></p>"
    )


def _unsubscribe_headers(user: User, event: Event) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(user.id, event)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def mail_at_once(
    users: list[User],
    notes: list[Notification],
    attachments: Sequence[Attachment] = (),
    *,
    send_before: datetime | None = None,
    about: str | None = None,
) -> None:
    """E-mail the notifications just written to those who want them at once (in the
    caller's transaction, as the notifications themselves)."""
    by_user = {u.id: u for u in users}
    if not notes:
        return
    event = Event(notes[0].event)
    chosen = channels(list(by_user.values()), event)
    for note in notes:
        user = by_user[note.user_id]
        if chosen[user.id] != Channel.EMAIL:
            continue
        enqueue(
            to=user,
            kind=str(event),
            subject=note.subject,
            text=_text(user, note),
            html=_html(user, note),
            headers=_unsubscribe_headers(user, event),
            attachments=attachments,
            send_before=send_before,
            about=about,
        )


def digest_time(day: datetime) -> datetime:
    hour = int(current_app.config.get("DIGEST_HOUR", DEFAULT_DIGEST_HOUR))
    return datetime.combine(day.date(), time(hour), tzinfo=day.tzinfo)


def send_digests(now: datetime | None = None) -> int:
    """After the digest hour, one e-mail per person with the notifications of the kinds she
    chose to hear of in a digest, written before that hour and not yet in a digest. Each is
    marked, so none goes out twice. Returns the number of digests written."""
    now = now or utcnow()
    cutoff = digest_time(now)
    if now < cutoff:
        return 0
    sent = 0
    with committed():
        wanted = db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.event).where(
                NotificationPreference.channel == Channel.DIGEST
            )
        ).all()
        kinds: dict[int, set[str]] = defaultdict(set)
        for user_id, event in wanted:
            kinds[user_id].add(event)
        for user_id, events in sorted(kinds.items()):
            notes = list(
                db.session.scalars(
                    select(Notification)
                    .where(
                        Notification.user_id == user_id,
                        Notification.event.in_(events),
                        Notification.digested_at.is_(None),
                        Notification.created_at < cutoff,
                    )
                    .order_by(Notification.id)
                    .with_for_update()
                )
            )
            user = db.session.get(User, user_id)
            if not notes or user is None or not user.active:
                continue
            lines = [
                f"Dear {user.name},",
                "",
                f"What PRB told you before {calendar.long_date(cutoff)}:",
            ]
            for note in notes:
                lines += ["", f"* {note.subject}", f"  {base_url()}{note.link}"]
                note.digested_at = now
            lines += [
                "",
                "--",
                f"Choose how you hear of each kind: {base_url()}/account/notifications",
            ]
            enqueue(
                to=user,
                kind="digest",
                subject=f"PRB: {len(notes)} notification{'s' if len(notes) != 1 else ''}",
                text="\n".join(lines),
            )
            sent += 1
    return sent
