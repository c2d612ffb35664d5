"""Sign-in throttling that protects without harming (issue 13 §3): refused at once with 429
and Retry-After; counted per account-and-address, so a stranger cannot lock the owner out;
a browser the owner signed in from before passes the looser per-account cap; a success
clears only its own pair; counting is atomic; refusals are summarised in the audit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, SignInAttempt, utcnow
from prb.services import throttle
from prb.web.sign_in_guard import DEVICE_COOKIE
from tests.factories import PASSWORD

OWNER = "chair.a@prb.example"


def _post(client, email: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _fail(client, email: str, address: str, times: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [_post(client, email, "wrong password", address).status_code for _ in range(times)]


def _events(name: str) -> list[AuditRecord]:
    return list(db.session.scalars(select(AuditRecord).where(AuditRecord.event == name)))


@pytest.mark.parametrize("email", [OWNER, "nobody@prb.example"])
def test_a_stranger_is_refused_at_once_and_the_owner_still_signs_in_elsewhere(
    app, world, email
) -> None:
    stranger, owner = app.test_client(), app.test_client()
    # the same answers whether or not the account exists
    assert _fail(stranger, email, "203.0.113.9", 11) == [401] * 10 + [429]
    refused = _post(stranger, email, "wrong password", "203.0.113.9")
    assert refused.status_code == 429
    assert 890 <= int(refused.headers["Retry-After"]) <= 900
    assert "Too many failed sign-ins. Try again in 15 minutes." in refused.get_data(as_text=True)
    # even the right password is refused to that pair …
    assert _post(stranger, email, PASSWORD, "203.0.113.9").status_code == 429
    # … but the owner, from her own address, is not locked out by a stranger's failures
    if email == OWNER:
        assert _post(owner, OWNER, PASSWORD, "198.51.100.7").status_code == 302


def test_past_the_account_cap_only_a_browser_that_signed_in_before_gets_in(app, world) -> None:
    known = app.test_client()
    assert _post(known, OWNER, PASSWORD, "198.51.100.7").status_code == 302
    assert known.get_cookie(DEVICE_COOKIE) is not None
    known.post("/logout")
    # strangers spread their guesses over five addresses: 50 failures on the account
    for n in range(5):
        assert _fail(app.test_client(), OWNER, f"203.0.113.{n}", 10) == [401] * 10
    assert _fail(app.test_client(), OWNER, "203.0.113.99", 1) == [429]
    # the owner from a new browser is refused; from her own browser, anywhere, she gets in
    assert _post(app.test_client(), OWNER, PASSWORD, "192.0.2.1").status_code == 429
    assert _post(known, OWNER, PASSWORD, "192.0.2.1").status_code == 302
    # a cookie made up (or signed for another account) does not pass
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, known.get_cookie(DEVICE_COOKIE).value + "x")
    assert _post(forged, OWNER, PASSWORD, "192.0.2.2").status_code == 429
    other = app.test_client()
    assert _post(other, "finance@prb.example", PASSWORD, "192.0.2.3").status_code == 302
    other.post("/logout")
    assert _post(other, OWNER, PASSWORD, "192.0.2.3").status_code == 429


def test_a_success_clears_only_its_own_pair(app, world) -> None:
    client = app.test_client()
    assert _fail(client, OWNER, "203.0.113.1", 9) == [401] * 9
    assert _fail(client, OWNER, "203.0.113.2", 9) == [401] * 9
    assert _post(client, OWNER, PASSWORD, "203.0.113.1").status_code == 302
    client.post("/logout")
    # the other address's count stands: one more failure, then refused
    assert _fail(client, OWNER, "203.0.113.2", 2) == [401, 429]
    # the address that succeeded starts again from nothing
    assert _fail(client, OWNER, "203.0.113.1", 10) == [401] * 10


def test_refused_attempts_are_summarised_once_per_window_in_the_audit(
    app, world, monkeypatch
) -> None:
    later = utcnow() + timedelta(minutes=16)
    client = app.test_client()
    _fail(client, OWNER, "203.0.113.1", 10)
    assert _fail(client, OWNER, "203.0.113.1", 20) == [429] * 20
    assert len(_events("sign_in_failed")) == 10
    summary = _events("sign_in_throttled")
    assert len(summary) == 1, [e.comment for e in summary]
    assert "203.0.113.1" in summary[0].comment and "refused until" in summary[0].comment
    # a new window, a new burst: one more summary
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    _fail(client, OWNER, "203.0.113.1", 12)
    assert len(_events("sign_in_throttled")) == 2


def test_four_attempts_at_once_are_counted_one_after_another(app, backend, world) -> None:
    """Eight failures counted, a cap of ten: of four attempts at once exactly two go ahead,
    on separate connections (no read-then-write race)."""
    for _ in range(8):
        throttle.attempt(OWNER, "203.0.113.5")
    db.session.remove()
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        with app.app_context():
            try:
                barrier.wait()
                refused = throttle.attempt(OWNER, "203.0.113.5").refused
            finally:
                db.session.remove()
            with lock:
                outcomes.append(refused)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [False, False, True, True], outcomes
    counted = db.session.scalars(select(SignInAttempt).where(SignInAttempt.succeeded.is_(False)))
    assert len(list(counted)) == 10
