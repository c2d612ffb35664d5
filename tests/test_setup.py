"""The office's first run and the users commands, on a database built by the migrations (as
an office's is), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Entity, ImportBatch, PasswordLink, User
from tests.conftest import make_app
from workflows import Role

PASSWORD = "the administrator's own password"
SETUP = [
    "setup",
    "--entity-code",
    "UNOCT",
    "--entity-name",
    "United Nations Office of Counter-Terrorism",
    "--email",
    "Ana.Admin@un.example",
    "--name",
    "Ana Admin",
]


@pytest.fixture
def app(empty_database):  # type: ignore[no-untyped-def]
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def run(app, *args: str):  # type: ignore[no-untyped-def]
    db.session.remove()  # on SQLite the test's reads hold the write lock the command needs
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.remove()  # see what the command committed, as a fresh request would
    return result


def link_in(output: str, base: str = "http://127.0.0.1:5000") -> str:
    match = re.search(re.escape(base) + r"(/set-password/[\w\-]+)", output)
    assert match, output
    return match.group(1)


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_setup_on_an_empty_database_then_the_administrator_works_in_the_browser(app) -> None:
    result = run(app, *SETUP, "--also-secretariat")
    assert result.exit_code == 0, result.output
    assert "Entity UNOCT (United Nations Office of Counter-Terrorism) created." in result.output
    path = link_in(result.output)
    admin = db.session.scalars(select(User)).one()
    assert admin.email == "ana.admin@un.example"
    assert admin.roles == {Role.ADMINISTRATOR, Role.SECRETARIAT}
    assert admin.entity.code == "UNOCT" and not admin.password_set
    created = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "user_created")
    ).one()
    assert json.loads(created.after)["roles"] == ["administrator", "secretariat"]
    assert created.actor_id is None and "prb setup" in created.comment

    client = app.test_client()
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD})
    assert response.status_code == 302
    response = client.post("/login", data={"email": "ana.admin@un.example", "password": PASSWORD})
    assert response.status_code == 302
    # she adds the next account in the browser
    entity_id = db.session.scalar(select(Entity.id))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Fin Officer",
            "email": "fin@un.example",
            "entity_id": entity_id,
            "roles": ["finance"],
            "active": "y",
        },
    )
    assert response.status_code == 200 and "/set-password/" in response.get_data(as_text=True)


def test_setup_names_the_office_on_every_pdf_after_its_entity(app) -> None:
    # Found running a year from an empty database: every PDF named another office.
    from prb.services.reference.office import current_office

    office_name = "Bureau de lutte contre le terrorisme — مكتب مكافحة الإرهاب"
    result = run(app, *SETUP[:4], office_name, *SETUP[5:])
    assert result.exit_code == 0, result.output
    assert current_office().name == office_name and current_office().unit == ""
    named = db.session.scalars(select(AuditRecord).where(AuditRecord.event == "office_named")).one()
    assert named.actor_id is None and "prb setup" in named.comment


def test_setup_reuses_an_existing_entity_and_runs_only_once(app) -> None:
    db.session.add(Entity(code="UNOCT", name="Office of Counter-Terrorism"))
    db.session.commit()
    result = run(app, *SETUP, "--base-url", "https://prb.un.example/prb")
    assert result.exit_code == 0, result.output
    assert "already existed: kept as it is" in result.output
    link_in(result.output, "https://prb.un.example/prb")
    assert count(Entity) == 1
    assert db.session.scalar(select(Entity.name)) == "Office of Counter-Terrorism"
    assert db.session.scalars(select(User)).one().roles == {Role.ADMINISTRATOR}

    again = run(app, *SETUP[:-4], "--email", "other@un.example", "--name", "Other")
    assert again.exit_code == 1
    assert "already has user accounts" in again.output
    assert count(User) == 1 and count(PasswordLink) == 1


def test_setup_refuses_bad_input_and_changes_nothing(app) -> None:
    result = run(
        app, "setup", "--entity-code", "NEW", "--entity-name", " ", "--email", "x", "--name", "X"
    )
    assert result.exit_code == 1
    assert "entity_name" in result.output and "email" in result.output
    assert count(User) == count(Entity) == count(AuditRecord) == 0


def test_setup_holds_the_office_entity_to_the_rules_of_every_entity(app) -> None:
    """One way to add an entity: the first run uses the reference-data rules and audit."""
    result = run(app, *SETUP[:1], "--entity-code", "=UNOCT", *SETUP[3:])
    assert result.exit_code == 1
    assert "entity_code" in result.output and "Use letters, digits" in result.output
    assert count(User) == count(Entity) == count(AuditRecord) == 0
    assert run(app, *SETUP).exit_code == 0
    created = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "entity_created")
    ).one()
    assert json.loads(created.after or "{}")["retired_at"] is None  # the entity's own audit
    assert created.comment == "first run (prb setup)"


def test_setup_refuses_a_database_whose_schema_is_not_current(database_url) -> None:
    app = make_app(database_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=SETUP)
        db.engine.dispose()
    assert result.exit_code == 1
    assert "run `prb db upgrade` first" in result.output


def test_users_create_prints_a_link_and_asks_no_password(app) -> None:
    assert run(app, *SETUP).exit_code == 0
    result = run(
        app,
        "users",
        "create",
        "--email",
        "chair@un.example",
        "--name",
        "Chair Person",
        "--entity",
        "unoct",
        "--role",
        "chair",
        "--role",
        "board_member",
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    path = link_in(result.output)
    chair = db.session.scalars(select(User).where(User.email == "chair@un.example")).one()
    assert chair.roles == {Role.CHAIR, Role.BOARD_MEMBER} and not chair.password_set
    client = app.test_client()
    assert (
        client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD}).status_code == 302
    )
    unknown = run(
        app, "users", "create", "--email", "a@b.org", "--name", "A", "--entity", "NOPE",
        "--role", "chair",
    )  # fmt: skip
    assert unknown.exit_code == 2 and "no entity with code 'NOPE'" in unknown.output
    # a new link for someone who lost hers; the old one stops working
    old = link_in(run(app, "users", "password-link", "ana.admin@un.example").output)
    new = link_in(run(app, "users", "password-link", "ana.admin@un.example").output)
    assert client.get(old).status_code == 410 and client.get(new).status_code == 200


def test_users_import_dry_run_then_import_then_the_same_file_again(app, tmp_path) -> None:
    assert run(app, *SETUP).exit_code == 0
    good = tmp_path / "people.csv"
    good.write_text(
        "email,name,entity,roles\n"
        'b.member@un.example,"Member, Board",UNOCT,board_member\n'
        "f.officer@un.example,Fin Officer,UNOCT,finance;secretariat\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text() + "c@un.example,C,UNOCT,\n", encoding="utf-8")
    refused = run(app, "users", "import", str(bad))
    assert refused.exit_code == 1
    assert "row 4, roles: Give the person at least one role." in refused.output
    assert "nothing was imported" in refused.output
    dry = run(app, "users", "import", str(good), "--dry-run")
    assert dry.exit_code == 0 and "All 2 rows" in dry.output
    assert count(User) == 1 and count(ImportBatch) == 0
    done = run(app, "users", "import", str(good))
    assert done.exit_code == 0, done.output
    assert '"Member, Board"' in done.output
    assert len(re.findall(r"/set-password/", done.output)) == 2
    assert count(User) == 3 and count(ImportBatch) == 1
    again = run(app, "users", "import", str(good))
    assert again.exit_code == 0 and "already imported" in again.output
    assert count(User) == 3 and count(ImportBatch) == 1
