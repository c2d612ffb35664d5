"""An administrator who holds no other role finds every page she may use from the navigation
and the Administration page, and is shown no link to a page she may not open."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import sign_in

# Pages every signed-in person reaches without being led there by a link of PRB's own, or
# that answer only in the middle of something else (a sign-in waiting for its second step).
NOT_PAGES = {"static", "main.favicon", "main.healthz", "auth.login", "auth.second_step"}


class _Links(HTMLParser):
    """The links of a page, or only those inside the first element with the given tag and
    attribute (e.g. `("nav", "aria-label", "Main")`)."""

    def __init__(self, inside: tuple[str, str, str] | None) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self._inside = inside
        self._depth = 0 if inside else 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        inside = self._inside
        if inside and tag == inside[0] and (self._depth or a.get(inside[1]) == inside[2]):
            self._depth += 1
        if tag == "a" and self._depth and a.get("href"):
            self.hrefs.append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if self._inside and tag == self._inside[0] and self._depth:
            self._depth -= 1


def links(html: str, inside: tuple[str, str, str] | None = None) -> list[str]:
    """PRB's own paths (with their query) linked from the page, or from a part of it."""
    parser = _Links(inside)
    parser.feed(html)
    own = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.netloc in ("", "localhost") and parts.path.startswith("/"):
            own.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return own


def crawl(client: FlaskClient, start: str) -> dict[str, int]:
    """Every page reachable by following links from `start`, with its status."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith("/static/"):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response.mimetype == "text/html":
            queue.extend(links(response.get_data(as_text=True)))
        assert len(seen) < 400, "the crawl should stay small on the test world"
    return seen


def pages_without_arguments(app: Flask) -> dict[str, str]:
    return {
        rule.rule: rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint not in NOT_PAGES
    }


def test_an_administrator_only_reaches_every_page_she_may_use_and_no_other(
    app, client, world
) -> None:
    admin = factories.administrator(world)
    assert [str(r) for r in admin.roles] == ["administrator"]
    sign_in(client, admin)
    dashboard = client.get("/").get_data(as_text=True)
    nav = set(links(dashboard, ("nav", "aria-label", "Main")))
    assert {"/admin", "/admin/users", "/calls/", "/imports/projects"} <= nav
    assert "/board/" not in nav and "/finance/" not in nav  # not hers
    landing = set(links(client.get("/admin").get_data(as_text=True), ("main", "id", "main")))
    expected = {
        "/admin/users",
        "/admin/users/import",
        "/admin/entities",
        "/admin/groups",
        "/admin/programmes",
        "/calls/",
        "/board/members",
        "/board/rules",
        "/imports/projects",
        "/admin/audit",
    }
    assert expected <= landing, expected - landing

    reached = crawl(client, "/")
    refused = {url: status for url, status in reached.items() if status != 200}
    assert refused == {}, "linked for her, but not hers to open"
    # Every page she may open is reached from the navigation.
    reached_paths = {url.split("?")[0] for url in reached}
    hers = {
        path: endpoint
        for path, endpoint in pages_without_arguments(app).items()
        if client.get(path).status_code == 200
    }
    unreachable = {path: e for path, e in hers.items() if path not in reached_paths}
    assert unreachable == {}, "hers to open, but linked from nowhere she can go"


def test_a_refusal_names_who_may_with_the_right_article(client, world) -> None:
    sign_in(client, world.chair_a)
    for url, who in [
        ("/admin/users", "This page is for an administrator."),
        ("/board/", "This page is for a board member or secretariat or finance officer."),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert who in response.get_data(as_text=True), url
