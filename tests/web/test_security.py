"""Passwords, sign-in throttling, sessions, security headers, replayed forms."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, LedgerEntry, Proposal
from prb.services import passwords
from tests import factories
from tests.conftest import make_app, sign_in
from tests.factories import PASSWORD
from workflows import ProposalState


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "too common"),
        ("qazwsxedcrfv", "too common"),
        ("iloveyou1234!", "too common"),
        ("helene.cote", "at least 12"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    assert any(problem in p for p in passwords.problems(password))


def test_good_passwords_up_to_128_characters_are_accepted() -> None:
    assert passwords.problems("a" * 40 + " seed funding board " + "b" * 68) == []
    assert passwords.problems("correct horse battery staple") == []
    assert passwords.problems("helenecote@example.org", email="helenecote@example.org")


def events(name: str) -> list[AuditRecord]:
    return list(db.session.scalars(select(AuditRecord).where(AuditRecord.event == name)))


# Throttling: tests/web/test_throttling.py


def test_session_cookie_flags(database_url, world) -> None:
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    with app.app_context():
        client = app.test_client()
        response = client.post(
            "/login",
            data={"email": "chair.a@prb.example", "password": PASSWORD},
            base_url="https://prb.example",
        )
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.engine.dispose()


def test_sign_out_ends_the_session_everywhere(app, world) -> None:
    first, second = app.test_client(), app.test_client()
    sign_in(first, world.chair_a)
    sign_in(second, world.chair_a)
    assert second.get("/").status_code == 200
    first.post("/logout")
    assert second.get("/").status_code == 302
    assert events("signed_out")


def test_disabling_an_account_ends_its_session(app, world) -> None:
    chair, admin = app.test_client(), app.test_client()
    sign_in(chair, world.chair_a)
    sign_in(admin, factories.administrator(world))
    response = admin.post(
        f"/admin/users/{world.chair_a.id}",
        data={
            "name": world.chair_a.name,
            "email": world.chair_a.email,
            "entity_id": world.chair_a.entity_id,
            "roles": ["chair"],
        },
    )
    assert response.status_code == 302  # "active" unticked: disabled
    assert chair.get("/").status_code == 302


def test_idle_timeout_and_absolute_lifetime(app, client, world) -> None:
    sign_in(client, world.chair_a)
    with client.session_transaction() as s:
        s["seen_at"] -= 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    sign_in(client, world.chair_a)
    with client.session_transaction() as s:
        s["signed_in_at"] -= 13 * 3600
    assert client.get("/").status_code == 302


def test_a_new_session_at_sign_in(client, world) -> None:
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    sign_in(client, world.chair_a)
    with client.session_transaction() as s:
        assert "planted" not in s


def test_security_headers(client, world) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://prb.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_in_any_template() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        if path.parent.name == "pdf":
            continue  # rendered by WeasyPrint, never served to a browser
        text = path.read_text()
        assert "<script>" not in text and " style=" not in text and "<style" not in text, path


def test_permission_refusals_are_audited(client, world) -> None:
    sign_in(client, world.chair_a)
    client.get("/admin/users")
    record = events("permission_refused")[0]
    assert record.actor_id == world.chair_a.id and "/admin/users" in record.comment


def test_a_double_submitted_proposal_is_created_once(client, world) -> None:
    sign_in(client, world.chair_a)
    data = {
        "programme_id": world.programme.id,
        "working_group_id": world.group_a.id,
        "title": "Once only",
        "scope": "Global",
        "save": "x",
        "once": "token-123",
    }
    assert client.post("/proposals/new", data=data).status_code == 302
    again = client.post("/proposals/new", data=data)
    assert again.status_code == 409
    assert "already submitted, so nothing was done a second time" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == 1


def test_a_replayed_disbursement_is_recorded_once(client, world) -> None:
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    sign_in(client, world.finance)
    data = {
        "kind": "commitment",
        "amount": "100.00",
        "value_date": date(2018, 3, 1).isoformat(),
        "once": "abc",
    }
    assert client.post(f"/proposals/{p.id}/finance/entries", data=data).status_code == 303
    assert client.post(f"/proposals/{p.id}/finance/entries", data=data).status_code == 409
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_oversized_requests_are_refused(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post("/proposals/new", data={"description": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/proposals/?q=a%00b", None),
        ("get", "/proposals/?status=ongoing&q=%00", None),
        ("get", "/proposals/?q=a\x00b", None),
        ("post", "/proposals/new", {"title": "bad\x00title"}),
        ("post", "/proposals/new?x=1", {"title": "ok", "summary": ["fine", "\x00"]}),
    ],
)
def test_a_nul_character_anywhere_is_refused_and_nothing_is_saved(
    client, world, method: str, path: str, body: dict | None
) -> None:
    sign_in(client, world.chair_a)
    before = db.session.scalar(select(func.count(Proposal.id)))
    response = getattr(client, method)(path, data=body)
    assert response.status_code == 400, response.status_code
    assert "NUL character" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == before


def test_a_nul_character_in_a_multipart_form_is_refused(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post(
        "/proposals/new", data={"title": "a\x00b"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_a_query_without_nul_characters_is_not_refused(client, world) -> None:
    sign_in(client, world.chair_a)
    assert client.get("/proposals/?q=a%2500b&status=ongoing").status_code == 200  # "%00" typed


@pytest.mark.parametrize("hops", [0, 1])
def test_a_proxy_not_trusted_is_named_in_the_log_once(caplog, database_url, hops: int) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, PROXY_FIX=hops)
    client = app.test_client()
    client.get("/healthz")
    forwarded = {"X-Forwarded-For": "198.51.100.4"}
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        client.get("/healthz", headers=forwarded)
        client.get("/login", headers=forwarded)
    warnings = [r for r in caplog.records if "PRB_PROXY_FIX is 0" in r.getMessage()]
    assert len(warnings) == (1 if hops == 0 else 0)
