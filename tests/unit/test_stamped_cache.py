"""StampedCache (issue 15): emptied when the stamp moves on, bounded, and never filled by a
reader whose stamp is older than the cache's."""

from __future__ import annotations

import pytest

from prb.services import stamped


@pytest.fixture
def stamp(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    now = [1]
    monkeypatch.setattr(stamped, "current_stamp", lambda: now[0])
    return now


def test_kept_while_the_stamp_holds_and_emptied_when_it_moves(stamp: list[int]) -> None:
    cache, made = stamped.StampedCache(size=8), []

    def make(value: str):  # type: ignore[no-untyped-def]
        return lambda: made.append(value) or value

    assert cache.get_or_make("k", make("one")) == "one"
    assert cache.get_or_make("k", make("two")) == "one"
    stamp[0] = 2
    assert cache.get_or_make("k", make("three")) == "three"
    assert made == ["one", "three"]


def test_an_older_reader_neither_empties_nor_fills_it(stamp: list[int]) -> None:
    cache = stamped.StampedCache(size=8)
    stamp[0] = 5
    cache.get_or_make("k", lambda: "current")
    stamp[0] = 4  # a request that read the stamp before the last commit
    assert cache.get_or_make("k", lambda: "older") == "older"
    assert cache.get_or_make("other", lambda: "older") == "older"
    stamp[0] = 5
    assert cache.get_or_make("k", lambda: "again") == "current"
    assert cache.get_or_make("other", lambda: "fresh") == "fresh"


def test_it_keeps_at_most_its_size_the_least_recently_used_going_first(stamp: list[int]) -> None:
    cache = stamped.StampedCache(size=2)
    cache.get_or_make("a", lambda: 1)
    cache.get_or_make("b", lambda: 2)
    cache.get_or_make("a", lambda: 0)  # used again: "b" is now the oldest
    cache.get_or_make("c", lambda: 3)
    assert cache.get_or_make("a", lambda: -1) == 1
    assert cache.get_or_make("b", lambda: -2) == -2
