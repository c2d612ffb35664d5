from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord
from tests import factories
from tests.conftest import sign_in
from tests.factories import PASSWORD


def test_every_page_but_sign_in_needs_a_signed_in_user(client, world) -> None:
    for url in ("/", "/proposals/", "/proposals/new", "/workflow/", "/admin/users"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_sign_in_and_out(client, world) -> None:
    response = client.post(
        "/login?next=/proposals/",
        data={"email": "  Chair.A@prb.example ", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/proposals/"
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Amina Diallo" in page
    response = client.post("/logout", follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    events = db.session.scalars(select(AuditRecord.event).order_by(AuditRecord.id)).all()
    assert events == ["signed_in", "signed_out"]


def test_wrong_password_and_unknown_address_get_the_same_answer(client, world) -> None:
    wrong = client.post("/login", data={"email": "chair.a@prb.example", "password": "nope nope"})
    unknown = client.post("/login", data={"email": "nobody@prb.example", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    message = "The e-mail address or password is not correct."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(client, world) -> None:
    world.chair_a.active = False
    db.session.commit()
    response = client.post("/login", data={"email": "chair.a@prb.example", "password": PASSWORD})
    assert response.status_code == 401


def test_next_parameter_cannot_send_users_to_another_site(client, world) -> None:
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "http:/evil",
        "/%0d%0aX-Injected:1",  # a line break: no header, and no 500 after a good sign-in
        "/proposals/%09",
        "/%0a/evil.example",
    ):
        response = client.post(
            "/login?next=" + target, data={"email": "chair.a@prb.example", "password": PASSWORD}
        )
        assert response.location == "/"
        client.post("/logout")


def test_wrong_role_gets_a_403_page_and_unknown_object_a_404_page(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)
    response = client.get("/proposals/424242")
    assert response.status_code == 404
    assert "There is no proposal number 424242" in response.get_data(as_text=True)
    assert client.get("/no/such/page").status_code == 404


def test_logout_needs_post(client, world) -> None:
    sign_in(client, world.chair_a)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


# -- set-password links ---------------------------------------------------------------------

NEW_PASSWORD = "a long enough password"


def _link(world, user=None) -> str:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from prb.services.accounts import password_links

    target = user or world.chair_a
    issued = password_links.issue_password_link(None, target.id, valid_for=timedelta(hours=72))
    return f"/set-password/{issued.token}"


def test_a_set_password_page_needs_no_sign_in_and_refuses_weak_or_mismatched_passwords(
    client, world
) -> None:
    path = _link(world)
    page = client.get(path)
    assert page.status_code == 200 and "Amina Diallo" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    for data, message in [
        ({"password": "short", "confirmation": "short"}, "Use at least 12 characters."),
        (
            {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD + "!"},
            "The two passwords differ.",
        ),
        (
            {"password": "chair.a@prb.example", "confirmation": "chair.a@prb.example"},
            "Do not use your name or e-mail address",
        ),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    # a refused attempt does not spend the link
    done = client.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert done.status_code == 302
    sign_in(client, world.chair_a, NEW_PASSWORD)
    events = db.session.scalars(select(AuditRecord.event).order_by(AuditRecord.id)).all()
    assert "password_set" in events


def test_unknown_used_and_malformed_links_get_a_clear_page(client, world) -> None:
    assert client.get("/set-password/not-a-real-token").status_code == 404
    assert "not known" in client.get("/set-password/not-a-real-token").get_data(as_text=True)
    assert client.get("/set-password/" + "x" * 5000).status_code == 404
    path = _link(world)
    client.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    used = client.get(path)
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)
    again = client.post(path, data={"password": "another long password", "confirmation": "x"})
    assert again.status_code == 410
    sign_in(client, world.chair_a, NEW_PASSWORD)


def test_setting_a_password_through_a_link_ends_the_owners_sessions(app, world) -> None:
    old_session = app.test_client()
    sign_in(old_session, world.chair_a)
    path = _link(world)
    app.test_client().post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert old_session.get("/").status_code == 302


def test_a_disabled_account_cannot_use_its_link(client, world) -> None:
    path = _link(world)
    world.chair_a.active = False
    db.session.commit()
    assert client.get(path).status_code == 410


# -- changing one's own password ------------------------------------------------------------


def test_changing_her_own_password_needs_the_current_one_and_ends_her_other_sessions(
    app, world
) -> None:
    this, other = app.test_client(), app.test_client()
    sign_in(this, world.finance)
    sign_in(other, world.finance)
    wrong = this.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    assert other.get("/").status_code == 200  # nothing changed
    response = this.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200  # this session carries on
    assert other.get("/").status_code == 302  # the other one ended
    this.post("/logout")
    old = this.post("/login", data={"email": world.finance.email, "password": PASSWORD})
    assert old.status_code == 401
    sign_in(this, world.finance, NEW_PASSWORD)
    db.session.expire_all()
    assert world.finance.password_changed_at is not None


def test_every_signed_in_user_has_an_account_page(client, world) -> None:
    for person in (world.chair_a, world.board_cted, world.finance, world.secretariat):
        sign_in(client, person)
        page = client.get("/account")
        assert page.status_code == 200 and person.email in page.get_data(as_text=True)
        assert client.get("/account/password").status_code == 200
        client.post("/logout")


# -- two-step sign-in -----------------------------------------------------------------------


class Clock:
    """The time the two-step service sees, moved by hand (codes change every 30 s)."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2030, 3, 1, 9, 0, 5, tzinfo=UTC)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, seconds: int) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)

    def code(self, secret: str, offset: int = 0) -> str:
        import pyotp

        return pyotp.TOTP(secret).at(self.now.timestamp() + offset)


@pytest.fixture
def clock(monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    from prb.services.accounts import two_step

    fixed = Clock()
    monkeypatch.setattr(two_step, "utcnow", fixed)
    return fixed


@pytest.fixture
def two_step_required(app):  # type: ignore[no-untyped-def]
    from prb.config import two_step_roles

    app.config["TWO_STEP_ROLES"] = two_step_roles("administrator,finance")
    return app


def _enrol(client, clock: Clock) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    page = client.get("/account/two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = client.post("/account/two-step", data={"code": "000000"})
    assert wrong.status_code == 422 and "This code does not match" in wrong.get_data(as_text=True)
    done = client.post("/account/two-step", data={"code": clock.code(secret)})
    assert done.status_code == 200
    codes = re.findall(
        r'<code class="code">([0-9a-f]{5}-[0-9a-f]{5})</code>', done.get_data(as_text=True)
    )
    assert len(codes) == 10
    return secret, codes


def _session_of(app, client) -> dict:  # type: ignore[no-untyped-def]
    """The session as anyone holding its cookie can read it (signed, not encrypted)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return app.session_interface.get_signing_serializer(app).loads(cookie)


def test_the_secret_waiting_for_a_first_code_is_sealed_in_the_session(app, client, world) -> None:
    """The cookie alone must not give the secret that makes her codes; a sealed secret
    copied into another person's session is not hers to confirm."""
    sign_in(client, world.chair_a)
    secret = _secret_shown(client.get("/account/two-step").get_data(as_text=True))
    held = _session_of(app, client)
    assert secret not in repr(held) and secret.lower() not in repr(held).lower()
    again = client.get("/account/two-step").get_data(as_text=True)
    assert _secret_shown(again) == secret, "reloading keeps the secret already scanned"
    other = app.test_client()
    sign_in(other, world.chair_b)
    with other.session_transaction() as theirs:
        theirs["two_step_pending"] = held["two_step_pending"]
    assert _secret_shown(other.get("/account/two-step").get_data(as_text=True)) != secret
    with client.session_transaction() as own:
        own["two_step_pending"] = "not a sealed secret"
    assert _secret_shown(client.get("/account/two-step").get_data(as_text=True)) != secret


def _secret_shown(page: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def _password_step(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/login/two-step"


def test_two_step_sign_in_of_an_administrator_end_to_end(
    two_step_required, client, world, clock
) -> None:
    from prb.models import RecoveryCode, User

    admin = factories.administrator(world)
    sign_in(client, admin)
    # required for her role: every page sends her to the enrolment first
    for url in ("/", "/admin/users", "/proposals/", "/account"):
        response = client.get(url)
        assert response.status_code == 302 and response.location == "/account/two-step", url
    secret, recovery = _enrol(client, clock)
    assert client.get("/admin/users").status_code == 200
    stored = db.session.get(User, admin.id)
    assert stored.totp_secret == secret and stored.totp_enabled_at is not None
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(recovery) & set(hashes)  # stored hashed
    client.post("/logout")

    # the password alone does not sign her in
    _password_step(client, admin)
    assert client.get("/").status_code == 302
    # the code shown at enrolment cannot be used again
    replayed = client.post("/login/two-step", data={"code": clock.code(secret)})
    assert replayed.status_code == 401
    assert "already used" in replayed.get_data(as_text=True)
    wrong = client.post("/login/two-step", data={"code": "123456"})
    assert wrong.status_code == 401
    clock.advance(30)
    right = clock.code(secret)
    response = client.post("/login/two-step", data={"code": right})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/admin/users").status_code == 200
    client.post("/logout")

    # replay of the code that just signed her in: refused
    _password_step(client, admin)
    assert client.post("/login/two-step", data={"code": right}).status_code == 401
    # a recovery code works once
    response = client.post("/login/two-step", data={"code": recovery[3].upper()})
    assert response.status_code == 302
    assert "9 left" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    _password_step(client, admin)
    assert client.post("/login/two-step", data={"code": recovery[3]}).status_code == 401
    assert client.post("/login/two-step", data={"code": recovery[4]}).status_code == 302
    events = db.session.scalars(select(AuditRecord.event).order_by(AuditRecord.id)).all()
    assert events.count("two_step_failed") == 4 and "two_step_enabled" in events
    assert events.count("recovery_code_used") == 2


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_a_code_typed_in_another_scripts_digits_is_read_as_its_digits(
    two_step_required, client, world, clock
) -> None:
    # A phone's Arabic or full-width keyboard types ١٢٣٤٥٦ or １２３４５６: the code, not a 500.
    sign_in(client, world.chair_a)
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = _secret_shown(page)
    for junk in ("١٢", "é", "１２３４５６", "١٢٣٤٥٦", "²³⁴⁵⁶⁷"):
        refused = client.post("/account/two-step", data={"code": junk})
        assert refused.status_code == 422, junk
    done = client.post(
        "/account/two-step", data={"code": clock.code(secret).translate(ARABIC_INDIC)}
    )
    assert done.status_code == 200 and "recovery codes" in done.get_data(as_text=True).lower()
    client.post("/logout")
    _password_step(client, world.chair_a)
    for junk in ("١٢٣٤٥٦", "é" * 6, "１２３４５"):
        assert client.post("/login/two-step", data={"code": junk}).status_code == 401, junk
    clock.advance(30)
    signed_in = client.post(
        "/login/two-step", data={"code": clock.code(secret).translate(FULL_WIDTH)}
    )
    assert signed_in.status_code == 302 and signed_in.location == "/"


def test_the_second_step_is_throttled(two_step_required, client, world, clock) -> None:
    sign_in(client, world.finance)
    secret, _ = _enrol(client, clock)
    client.post("/logout")
    _password_step(client, world.finance)
    statuses = [
        client.post("/login/two-step", data={"code": "000000"}).status_code for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    # even the right code is refused now, at once, saying when to come back
    clock.advance(30)
    refused = client.post("/login/two-step", data={"code": clock.code(secret)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed codes" in refused.get_data(as_text=True)


def _guess_codes(app, user, address: str, times: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Someone with the password, from a browser new to the account, tries wrong codes."""
    stranger, at = app.test_client(), {"REMOTE_ADDR": address}
    step = stranger.post(
        "/login", data={"email": user.email, "password": PASSWORD}, environ_base=at
    )
    assert step.status_code == 302 and step.location == "/login/two-step"
    return [
        stranger.post("/login/two-step", data={"code": "000000"}, environ_base=at).status_code
        for _ in range(times)
    ]


def test_wrong_codes_from_new_browsers_are_capped_for_the_day_and_a_new_password_ends_it(
    two_step_required, app, client, world, clock
) -> None:
    from prb.models import OutboxMessage
    from prb.services.throttle import SECOND_STEP_FAILURES_PER_DAY

    sign_in(client, world.finance)  # her own browser: it signed in before
    secret, _ = _enrol(client, clock)
    client.post("/logout")
    # Ten a window from each address, spread over addresses: within the window's caps.
    statuses: list[int] = []
    for n in range(3):
        statuses += _guess_codes(app, world.finance, f"203.0.113.{n + 1}", 10)
    assert statuses == [401] * SECOND_STEP_FAILURES_PER_DAY + [429] * 10
    refused = _guess_codes(app, world.finance, "198.51.100.7", 1)
    assert refused == [429]
    warnings = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "security_notice"))
    )
    assert [(m.to_address, m.subject) for m in warnings] == [
        (world.finance.email, "PRB: someone with your password is trying to sign in")
    ]  # once, however many refusals
    events = db.session.scalars(
        select(AuditRecord.event).where(AuditRecord.event == "two_step_guessing")
    ).all()
    assert len(events) == 1
    # Her own browser still gets in, with the right code…
    _password_step(client, world.finance)
    clock.advance(30)
    assert client.post("/login/two-step", data={"code": clock.code(secret)}).status_code == 302
    # …and her new password ends the refusal: the next wrong code is counted afresh.
    changed = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    stranger, at = app.test_client(), {"REMOTE_ADDR": "198.51.100.8"}
    stranger.post(
        "/login", data={"email": world.finance.email, "password": NEW_PASSWORD}, environ_base=at
    )
    again = stranger.post("/login/two-step", data={"code": "000000"}, environ_base=at)
    assert again.status_code == 401


def test_a_day_refusal_says_so_on_the_page(two_step_required, app, client, world, clock) -> None:
    sign_in(client, world.finance)
    _enrol(client, clock)
    client.post("/logout")
    for n in range(2):
        _guess_codes(app, world.finance, f"203.0.113.{n + 1}", 10)
    stranger, at = app.test_client(), {"REMOTE_ADDR": "203.0.113.9"}
    stranger.post(
        "/login", data={"email": world.finance.email, "password": PASSWORD}, environ_base=at
    )
    page = stranger.post("/login/two-step", data={"code": "000000"}, environ_base=at)
    assert page.status_code == 429 and 0 < int(page.headers["Retry-After"]) <= 24 * 3600
    assert "Too many wrong codes for this account today" in page.get_data(as_text=True)


def test_a_pending_second_step_expires_and_needs_the_same_session(
    two_step_required, app, client, world, clock
) -> None:
    sign_in(client, world.finance)
    secret, _ = _enrol(client, clock)
    client.post("/logout")
    _password_step(client, world.finance)
    # another browser cannot finish her sign-in
    assert app.test_client().get("/login/two-step").status_code == 302
    with client.session_transaction() as s:
        s["second_step"] = {**s["second_step"], "at": s["second_step"]["at"] - 6 * 60}
    clock.advance(30)
    response = client.post("/login/two-step", data={"code": clock.code(secret)})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302


def test_two_step_is_optional_for_other_roles(two_step_required, client, world, clock) -> None:
    sign_in(client, world.chair_a)
    assert client.get("/").status_code == 200  # not sent to enrol
    _enrol(client, clock)
    client.post("/logout")
    _password_step(client, world.chair_a)
    clock.advance(30)
    assert (
        client.post(
            "/login/two-step", data={"code": clock.code(_secret(world.chair_a))}
        ).status_code
        == 302
    )
    # she may turn it off again, with her password
    wrong = client.post(
        "/account/two-step/off", data={"off-password": "nope"}, follow_redirects=True
    )
    assert "This is not your current password." in wrong.get_data(as_text=True)
    response = client.post("/account/two-step/off", data={"off-password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.chair_a.totp_enabled_at is None


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/account/two-step/off", "off-password"),
        ("/account/two-step/recovery-codes", "renew-password"),
    ],
)
def test_the_password_asked_again_on_the_two_step_page_is_throttled(
    two_step_required, client, world, clock, url: str, field: str
) -> None:
    """Someone holding a signed-in session (a stolen cookie, an unlocked browser) may not
    guess the password here at will: ten new recovery codes would make the session a
    permanent takeover."""
    sign_in(client, world.chair_a)
    _enrol(client, clock)
    empty = client.post(url, data={field: ""})
    assert empty.status_code == 422 and "Enter your password." in empty.get_data(as_text=True)
    wrong = [client.post(url, data={field: "wrong password"}) for _ in range(11)]
    assert [r.status_code for r in wrong] == [422] * 10 + [429]
    assert "This is not your current password." in wrong[0].get_data(as_text=True)
    refused = client.post(url, data={field: PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed password checks." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert world.chair_a.totp_enabled_at is not None


def test_the_two_step_page_of_someone_no_longer_enrolled_changes_nothing(client, world) -> None:
    sign_in(client, world.chair_a)
    for url, field in (
        ("/account/two-step/off", "off-password"),
        ("/account/two-step/recovery-codes", "renew-password"),
    ):
        response = client.post(url, data={field: PASSWORD})
        assert response.status_code == 409, url
        assert "Two-step sign-in is off for your account" in response.get_data(as_text=True)


def _secret(user) -> str:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return user.totp_secret


def test_a_required_role_cannot_turn_two_step_off_but_may_renew_codes(
    two_step_required, client, world, clock
) -> None:
    sign_in(client, world.finance)
    _, old_codes = _enrol(client, clock)
    response = client.post("/account/two-step/off", data={"off-password": PASSWORD})
    assert response.status_code == 403
    db.session.expire_all()
    assert world.finance.totp_enabled_at is not None
    renewed = client.post("/account/two-step/recovery-codes", data={"renew-password": PASSWORD})
    assert renewed.status_code == 200
    new_codes = re.findall(
        r'<code class="code">([0-9a-f]{5}-[0-9a-f]{5})</code>', renewed.get_data(as_text=True)
    )
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client.post("/logout")
    _password_step(client, world.finance)
    assert client.post("/login/two-step", data={"code": old_codes[0]}).status_code == 401
    assert client.post("/login/two-step", data={"code": new_codes[0]}).status_code == 302


def test_two_step_roles_setting() -> None:
    from prb.config import DEFAULTS, two_step_roles
    from workflows import Role

    assert two_step_roles(DEFAULTS["TWO_STEP_ROLES"]) == {Role.ADMINISTRATOR, Role.FINANCE}
    assert two_step_roles("") == frozenset()
    assert two_step_roles(" Secretariat , board_member") == {Role.SECRETARIAT, Role.BOARD_MEMBER}
    with pytest.raises(ValueError, match="unknown role 'treasurer'"):
        two_step_roles("treasurer")
