"""Notifications: who hears of what (`audience`). Messages themselves go through the outbox,
written in the transaction of the change that causes them."""

from prb.services.notifications.audience import EVENTS, Event

__all__ = ["EVENTS", "Event"]
