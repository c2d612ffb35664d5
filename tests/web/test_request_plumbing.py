"""What every request pays for, made cheaper (issue 15) without changing what it does: the
app's hooks run as one, templates' URLs are built once per mount point, and a session's
signed CSRF token is reused."""

from __future__ import annotations

import re

from flask import Flask

from prb.extensions import db
from prb.web import hooks, security
from prb.web.urls import template_url_for
from tests import factories
from tests.conftest import sign_in


def test_folded_hooks_run_in_flasks_order_and_stop_at_the_first_answer() -> None:
    app = Flask(__name__)
    ran: list[str] = []

    @app.before_request
    def first():  # type: ignore[no-untyped-def]
        ran.append("first")

    @app.before_request
    def answers():  # type: ignore[no-untyped-def]
        ran.append("answers")
        return "stopped here" if app.config.get("STOP") else None

    @app.before_request
    def last():  # type: ignore[no-untyped-def]
        ran.append("last")

    for name in ("registered first", "registered last"):

        @app.after_request
        def mark(response, name=name):  # type: ignore[no-untyped-def]
            ran.append(name)
            response.headers.add("X-Order", name)
            return response

    @app.get("/")
    def page() -> str:
        ran.append("view")
        return "the page"

    hooks.fold(app)
    assert len(app.before_request_funcs[None]) == len(app.after_request_funcs[None]) == 1
    answer = app.test_client().get("/")
    assert answer.text == "the page"
    # Flask runs after-request hooks last registered first
    assert ran == ["first", "answers", "last", "view", "registered last", "registered first"]
    assert answer.headers.getlist("X-Order") == ["registered last", "registered first"]
    ran.clear()
    app.config["STOP"] = True
    assert app.test_client().get("/").text == "stopped here"
    assert ran == ["first", "answers", "registered last", "registered first"]


def test_prb_runs_its_hooks_as_one_and_still_guards_every_page(app, client, world) -> None:
    assert len(app.before_request_funcs[None]) == 1
    assert len(app.after_request_funcs[None]) == 1
    assert client.get("/account").status_code == 302  # signed out: to the sign-in page
    sign_in(client, world.secretariat)
    page = client.get("/account")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_a_templates_urls_follow_where_the_app_is_mounted(client, world) -> None:
    sign_in(client, world.secretariat)
    stylesheet = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
    at_root = client.get("/account").text
    mounted = client.get("/account", environ_overrides={"SCRIPT_NAME": "/prb"}).text
    again = client.get("/account").text
    assert stylesheet.search(at_root).group(1) == "/static/prb.css"
    assert stylesheet.search(mounted).group(1) == "/prb/static/prb.css"
    assert 'href="/prb/account/password"' in mounted
    assert stylesheet.search(again).group(1) == "/static/prb.css"
    assert 'href="/account/password"' in again


def test_a_link_with_values_is_built_for_those_values(app, world) -> None:
    # A record's link is kept by its values: each row of a list links to its own record.
    with app.test_request_context("/proposals/"):
        first = template_url_for("proposals.show", proposal_id=1)
        second = template_url_for("proposals.show", proposal_id=2)
        again = template_url_for("proposals.show", proposal_id=1)
        outside = template_url_for("proposals.show", proposal_id=1, _anchor="votes")
    assert (first, second, again) == ("/proposals/1", "/proposals/2", "/proposals/1")
    assert outside == "/proposals/1#votes"


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_each_session_keeps_its_own_signed_csrf_token(world, database_url, monkeypatch) -> None:
    from itsdangerous import TimestampSigner

    from tests.conftest import make_app

    # Each signing a different second, so that a token signed again is told from one kept.
    seconds = iter(range(1_800_000_000, 1_900_000_000, 7))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(seconds))

    factories.administrator(world)
    db.session.commit()  # on SQLite the read above holds the write lock the other app needs
    app = make_app(database_url, WTF_CSRF_ENABLED=True)

    def signed_in(email: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        login = client.get("/login").text
        answer = client.post(
            "/login",
            data={"email": email, "password": factories.PASSWORD, "csrf_token": _token(login)},
        )
        assert answer.status_code == 302
        return client

    hers, his = signed_in("secretariat@prb.example"), signed_in("admin@prb.example")
    # The first page after signing in makes the session's token; from the next one on, its
    # signed form is kept.
    her_tokens = [_token(hers.get("/account").text) for _ in range(4)][1:]
    his.get("/account")
    his_token = _token(his.get("/account").text)
    assert len(set(her_tokens)) == 1
    assert his_token != her_tokens[0]
    # Each token is good for its own session only, as Flask-WTF's own would be.
    assert his.post("/logout", data={"csrf_token": her_tokens[0]}).status_code == 400
    assert his.post("/logout", data={"csrf_token": his_token}).status_code == 302
    assert hers.post("/logout", data={"csrf_token": her_tokens[-1]}).status_code == 302
    # A new session (signed in again) has a new token.
    again = signed_in("secretariat@prb.example")
    assert _token(again.get("/account").text) not in her_tokens
    # Past the reuse window it is signed afresh, and the new one is as good.
    monkeypatch.setattr(security, "CSRF_REUSE_SECONDS", 0.0)
    fresh = [_token(again.get("/account").text) for _ in range(2)]
    assert fresh[0] != fresh[1]
    assert again.post("/logout", data={"csrf_token": fresh[1]}).status_code == 302
    with app.app_context():
        db.engine.dispose()
