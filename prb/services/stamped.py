"""What pages work out from the records, kept in memory while the records' stamp
(`prb.models.stamp`) is unchanged: a page viewed again before anything changed reads one
row instead of counting and joining. Any committed change raises the stamp, and the next
reader starts afresh, so nothing stale is served; each process keeps its own (the stamp is
in the database, so several processes agree on what is current).

Keys must hold everything the value depends on besides the records — above all who may see
what (see `prb.services.access.visibility_key`). Values must be plain data, never objects
bound to a database session."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, has_request_context, request

from prb.models import records_stamp

T = TypeVar("T")
READING = frozenset({"GET", "HEAD"})


def current_stamp() -> int:
    """The stamp, read once per reading request (a page asking several caches pays one
    statement). A writing request reads it afresh each time: its own commit raises it."""
    if has_request_context() and request.method in READING:
        # On the request itself, not `g`: `g` lives as long as the app context, which
        # several requests may share (tests, scripts).
        kept = request.environ.get("prb.records_stamp")
        if kept is None:
            kept = request.environ["prb.records_stamp"] = records_stamp()
        return int(kept)
    return records_stamp()


def remember_stamp(stamp: int | None) -> None:
    """The stamp as the request's first statement read it (with the signed-in user): a
    reading request keeps it, as `current_stamp` would have read it; a writing request
    reads it afresh each time anyway."""
    if has_request_context() and request.method in READING:
        request.environ.setdefault("prb.records_stamp", int(stamp or 0))


class StampedCache:
    """At most `size` values, the least recently used dropped first; emptied when the stamp
    moves. Shared by the app's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._stamp: int | None = None
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        stamp = current_stamp()  # before the records it vouches for (see records_stamp)
        with self._lock:
            if self._stamp is None or stamp > self._stamp:
                self._values.clear()
                self._stamp = stamp
            elif stamp == self._stamp and key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        # (A reader whose stamp is older than the cache's works without it.)
        value = make()
        with self._lock:
            if stamp == self._stamp:  # not if a newer stamp emptied it meanwhile
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value

    def discard(self, key: Hashable) -> None:
        """Forget one value (it went out of date with the time, not with the records)."""
        with self._lock:
            self._values.pop(key, None)


def cache(name: str, size: int = 256) -> StampedCache:
    """The app's cache of that name (one per app: tests' apps do not share)."""
    caches: dict[str, StampedCache] = current_app.extensions.setdefault("prb.stamped", {})
    found = caches.get(name)
    if found is None:
        found = caches.setdefault(name, StampedCache(size))
    return found
