from __future__ import annotations

from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord, User
from tests.conftest import sign_in


def user_form(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "Hélène Côté",
        "email": "helene.cote@prb.example",
        "entity_id": world.undp.id,
        "roles": ["board_member", "finance"],
        "password": "a long enough password",
        "active": "y",
    }
    data.update(changes)
    return data


def test_secretariat_adds_a_user_who_can_then_sign_in(client, world) -> None:
    sign_in(client, world.secretariat)
    response = client.post("/admin/users/new", data=user_form(world))
    assert response.status_code == 302
    created = db.session.scalars(select(User).where(User.email == "helene.cote@prb.example")).one()
    assert {str(r) for r in created.roles} == {"board_member", "finance"}
    assert created.password_hash.startswith("scrypt:")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Hélène Côté" in page and "Finance officer" in page
    assert (
        db.session.scalars(select(AuditRecord).where(AuditRecord.event == "user_created"))
        .one()
        .actor_id
        == world.secretariat.id
    )
    client.post("/logout")
    response = client.post(
        "/login", data={"email": "helene.cote@prb.example", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_secretariat_assigns_roles_and_chaired_groups(client, world) -> None:
    sign_in(client, world.secretariat)
    response = client.post(
        f"/admin/users/{world.board_undp.id}",
        data=user_form(
            world,
            name=world.board_undp.name,
            email=world.board_undp.email,
            roles=["board_member", "chair"],
            chaired_group_ids=[world.group_b.id],
            password="",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {str(r) for r in world.board_undp.roles} == {"board_member", "chair"}
    assert world.board_undp.chaired_group_ids == {world.group_b.id}


def test_bad_account_input_is_explained_and_nothing_saved(client, world) -> None:
    sign_in(client, world.secretariat)
    before = db.session.scalars(select(User.id)).all()
    cases = [
        (user_form(world, email="not-an-address"), "must have an @-sign"),
        (
            user_form(world, email="chair.a@prb.example"),
            "Another account already uses this address.",
        ),
        (user_form(world, password="short"), "Use at least 12 characters."),
        (user_form(world, roles=[]), "Give the person at least one role."),
        (user_form(world, roles=["chair"]), "A working-group chair needs the group(s) she chairs."),
        (user_form(world, is_board_chair="y", roles=["finance"]), "must also be a board member"),
    ]
    for data, message in cases:
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), message
    assert db.session.scalars(select(User.id)).all() == before


def test_secretariat_cannot_lock_herself_out(client, world) -> None:
    sign_in(client, world.secretariat)
    response = client.post(
        f"/admin/users/{world.secretariat.id}",
        data=user_form(
            world, name="Nadia", email=world.secretariat.email, roles=["finance"], password=""
        ),
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert {str(r) for r in world.secretariat.roles} == {"secretariat"}


def test_only_the_secretariat_administers_users(client, world) -> None:
    for person in (world.chair_a, world.board_chair, world.finance):
        sign_in(client, person)
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users/new", data=user_form(world)).status_code == 403
        assert client.get(f"/admin/users/{world.chair_b.id}").status_code == 403
        client.post("/logout")
    assert (
        db.session.scalars(select(User).where(User.email == "helene.cote@prb.example")).first()
        is None
    )


def test_unknown_user_is_404(client, world) -> None:
    sign_in(client, world.secretariat)
    assert client.get("/admin/users/9999").status_code == 404


def test_csrf_token_is_required_when_protection_is_on(world, database_url) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"email": "chair.a@prb.example", "password": "x"})
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        db.engine.dispose()
