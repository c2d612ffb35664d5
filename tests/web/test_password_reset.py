"""A forgotten password (issue 14 §7): a link by e-mail, through a real SMTP server — the same
answer whether or not an account uses the address, a link that works once and for 30
minutes, requests limited per account and per network address; and a new account's
set-password link e-mailed to its owner."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from prb.extensions import db
from prb.models import OutboxMessage, PasswordLink, User, utcnow
from prb.services.accounts import password_reset
from prb.services.mail import deliver_due
from tests import factories
from tests.conftest import sign_in
from tests.mail_helpers import SmtpServer
from tests.web.test_admin import user_form

NEW_PASSWORD = "orchard kettle velvet harbour"


def ask(client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/password/forgot", data={"email": email})


def link_in(smtp: SmtpServer, to: str) -> str:
    while deliver_due():
        pass
    (message,) = [m for m in smtp.received if to in str(m["To"])]
    text = message.get_body(("plain",)).get_content()
    (link,) = re.findall(r"https://prb\.office\.example/set-password/\S+", text)
    return urlsplit(link).path


def outbox_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, smtp, world) -> None:
    known = ask(app.test_client(), "chair.a@prb.example")
    unknown = ask(app.test_client(), "nobody@prb.example")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", known.text) == strip.sub("", unknown.text)
    assert "If an account uses this address" in known.text
    assert outbox_count() == 1  # only the real account is written to
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.secret and message.to_address == "chair.a@prb.example"
    link = db.session.scalars(select(PasswordLink)).one()
    assert link.expires_at - link.created_at == timedelta(minutes=30)


def test_the_answer_takes_the_same_time_whether_or_not_the_address_has_an_account(
    app, smtp, world, monkeypatch
) -> None:
    # Issuing a link and writing the message take milliseconds an unknown address skips:
    # every taken request waits until the same time after its start. The clock is the real
    # one plus the waits asked for, which are recorded instead of slept.
    waited: list[float] = []
    readings: list[float] = []

    def clock() -> float:
        readings.append(time.monotonic() + sum(waited))
        return readings[-1]

    monkeypatch.setattr(password_reset, "_clock", clock)
    monkeypatch.setattr(password_reset, "_sleep", waited.append)
    answer_after = app.config["PASSWORD_RESET_ANSWER_MS"] / 1000
    assert answer_after >= 0.2  # well above the work's few milliseconds
    for email in ("chair.a@prb.example", "nobody@prb.example", "chair.b@prb.example"):
        readings.clear()
        before = len(waited)
        assert ask(app.test_client(), email).status_code == 200
        assert len(waited) == before + 1, f"{email}: no wait"
        began, worked_until = readings[0], readings[-1]
        assert worked_until > began
        assert worked_until + waited[-1] == pytest.approx(began + answer_after, abs=1e-9), email
    assert outbox_count() == 2


def test_the_page_really_waits(app, smtp, world) -> None:
    # The setting reaches the service: no answer before it, known address or not.
    app.config["PASSWORD_RESET_ANSWER_MS"] = 120
    for email in ("chair.a@prb.example", "nobody@prb.example"):
        began = time.monotonic()
        assert ask(app.test_client(), email).status_code == 200
        assert time.monotonic() - began >= 0.12, email


def test_the_link_sets_a_new_password_once_and_for_30_minutes(app, smtp, world) -> None:
    client = app.test_client()
    ask(client, "Chair.A@prb.example ")  # as typed: case and spaces do not matter
    path = link_in(smtp, "chair.a@prb.example")
    page = client.get(path)
    assert page.status_code == 200 and "Amina Diallo" in page.text
    done = client.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert done.status_code in (302, 303)
    assert client.get(path).status_code == 410  # once
    fresh = app.test_client()
    sign_in(fresh, world.chair_a, NEW_PASSWORD)
    # a second link, left 31 minutes: expired
    ask(app.test_client(), "chair.a@prb.example")
    smtp.collector.received.clear()
    smtp.collector.recipients.clear()
    late = link_in(smtp, "chair.a@prb.example")
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.used_at.is_(None))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    assert app.test_client().get(late).status_code == 410


def test_a_disabled_account_gets_no_link_and_the_same_answer(app, smtp, world) -> None:
    world.chair_b.active = False
    db.session.commit()
    response = ask(app.test_client(), "chair.b@prb.example")
    assert response.status_code == 200 and "If an account uses this address" in response.text
    assert outbox_count() == 0


def test_requests_are_limited_per_account_and_per_network_address(app, smtp, world) -> None:
    for _ in range(3):
        assert ask(app.test_client(), "chair.a@prb.example").status_code == 200
    refused = ask(app.test_client(), "chair.a@prb.example")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many requests for a link" in refused.text
    assert outbox_count() == 3
    # an unknown address is limited alike: the limit says nothing about who has an account
    for _ in range(3):
        ask(app.test_client(), "nobody@prb.example")
    assert ask(app.test_client(), "nobody@prb.example").status_code == 429
    # one network address asking for many accounts
    for i in range(4):
        ask(app.test_client(), f"someone{i}@prb.example")
    assert ask(app.test_client(), "someone-else@prb.example").status_code == 429


def test_a_new_accounts_link_is_e_mailed_to_its_owner(app, smtp, world) -> None:
    admin = factories.administrator(world)
    client = app.test_client()
    sign_in(client, admin)
    response = client.post("/admin/users/new", data=user_form(world))
    assert response.status_code in (200, 302, 303)
    path = link_in(smtp, "helene.cote@prb.example")
    owner = db.session.scalars(select(User).where(User.email == "helene.cote@prb.example")).one()
    page = app.test_client().get(path)
    assert page.status_code == 200 and owner.name in page.text
