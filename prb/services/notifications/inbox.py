"""A person's notifications: the list, the unread count in the header, marking read, and
her choice of how to hear of each kind of event. Everyone sees only her own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from prb.extensions import db
from prb.models import Channel, Notification, NotificationPreference, User, utcnow
from prb.services.errors import Invalid, NotFound
from prb.services.notifications.audience import EVENTS, Event
from prb.services.transaction import committed

PAGE_SIZE = 25


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Page:
    notifications: list[Notification]
    page: int
    has_next: bool
    unread: int


def page(actor: User, number: int = 1) -> Page:
    """Her notifications, newest first, a page at a time (one row more tells if there is a
    next page)."""
    number = max(1, number)
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.id)
            .order_by(Notification.id.desc())
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE, unread_count(actor))


def mark_read(actor: User, notification_id: int | None = None) -> int:
    """Mark one of her notifications read (another person's is "not found", as one that
    does not exist), or with None all of them. Returns how many changed."""
    with committed():
        if notification_id is not None:
            owner = db.session.scalar(
                select(Notification.user_id).where(Notification.id == notification_id)
            )
            if owner != actor.id:
                raise NotFound(f"There is no notification number {notification_id}.")
        conditions = [Notification.user_id == actor.id, Notification.read_at.is_(None)]
        if notification_id is not None:
            conditions.append(Notification.id == notification_id)
        result = db.session.execute(
            update(Notification)
            .where(*conditions)
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def preferences(user: User) -> dict[Event, Channel]:
    """How she hears of each kind of event; e-mail at once unless she chose otherwise."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.event, NotificationPreference.channel).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {event: Channel(chosen.get(str(event), Channel.EMAIL)) for event in EVENTS}


def set_preferences(actor: User, choices: dict[str, str]) -> dict[Event, Channel]:
    """Her choices, every kind at once (a kind left out keeps its choice)."""
    problems = {
        name: ["Choose e-mail at once, a daily digest or in PRB only."]
        for name, value in choices.items()
        if name not in set(Event) or value not in set(Channel)
    }
    if problems:
        raise Invalid("Your choices were not saved: please correct the fields marked.", problems)
    with committed():
        stored = {
            p.event: p
            for p in db.session.scalars(
                select(NotificationPreference).where(NotificationPreference.user_id == actor.id)
            )
        }
        for name, value in choices.items():
            row = stored.get(name)
            if row is None:
                db.session.add(NotificationPreference(user_id=actor.id, event=name, channel=value))
            else:
                row.channel = value
    return preferences(actor)
