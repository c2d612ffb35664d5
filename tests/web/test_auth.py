from __future__ import annotations

from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord
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
    for target in ("https://evil.example/", "//evil.example/", "http:/evil"):
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
