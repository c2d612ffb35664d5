"""`/favicon.ico` (issue 17): browsers ask for it by themselves on every page, signed in or
not, so it must answer 200 to anyone — never a 404, a sign-in redirect or the two-step
enrolment redirect — with a long cache lifetime, and read nothing from the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event

from prb.config import two_step_roles
from prb.extensions import db
from tests import factories
from tests.conftest import sign_in

ICO_HEADER = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon)
ICON_TYPES = ("image/x-icon", "image/vnd.microsoft.icon")


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def assert_icon(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.headers.get("Location")
    assert response.mimetype in ICON_TYPES
    assert response.data.startswith(ICO_HEADER) and len(response.data) < 20_000
    cache = response.cache_control
    assert cache.max_age is not None and cache.max_age >= 7 * 24 * 3600
    # It may carry a refreshed session cookie: never a shared cache's to keep.
    assert cache.private and not cache.public and not cache.no_store
    assert "Content-Encoding" not in response.headers  # the icon's PNGs are compressed already


def test_anyone_gets_the_icon_without_touching_the_database(client, world, statements) -> None:
    response = client.get("/favicon.ico", headers={"Accept-Encoding": "gzip, br"})
    assert_icon(response)
    assert statements == []
    assert client.head("/favicon.ico").status_code == 200


def test_a_signed_in_user_gets_the_icon_and_it_revalidates(client, world) -> None:
    sign_in(client, world.board_undp)
    first = client.get("/favicon.ico")
    assert_icon(first)
    again = client.get("/favicon.ico", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_administrator_yet_to_enrol_in_two_steps_gets_the_icon(app, client, world) -> None:
    """Every other page sends her to the enrolment page; the icon is not a page."""
    app.config["TWO_STEP_ROLES"] = two_step_roles("administrator,finance")
    sign_in(client, factories.administrator(world))
    assert client.get("/").headers["Location"].endswith("/account/two-step")
    assert_icon(client.get("/favicon.ico"))
