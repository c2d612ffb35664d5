"""The administrator's user accounts: separation of duties, audit with before/after values,
set-password links instead of typed passwords, two-step resets and the CSV import."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ImportBatch, PasswordLink, User, utcnow
from prb.services.accounts import password_links, people
from prb.services.errors import NotAllowed
from tests import factories
from tests.conftest import sign_in
from workflows import Role

NEW_PASSWORD = "a long enough password"


def user_form(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "Hélène Côté",
        "email": "helene.cote@prb.example",
        "entity_id": world.undp.id,
        "roles": ["board_member", "finance"],
        "active": "y",
    }
    data.update(changes)
    return data


def form_of(user: User, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": user.name,
        "email": user.email,
        "entity_id": user.entity_id,
        "roles": sorted(str(r) for r in user.roles),
        "active": "y" if user.active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def link_path(page: str) -> str:
    match = re.search(r"https?://[^/\"<\s]+(/set-password/[A-Za-z0-9_\-]+)", page)
    assert match, "no set-password link on the page"
    return match.group(1)


def changes(event: str) -> list[AuditRecord]:
    return list(
        db.session.scalars(
            select(AuditRecord).where(AuditRecord.event == event).order_by(AuditRecord.id)
        )
    )


def user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email)).one_or_none()


def test_administrator_adds_a_user_who_sets_her_own_password_through_a_link(
    app, client, world
) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    response = client.post("/admin/users/new", data=user_form(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "only this once" in page and response.headers["Cache-Control"] == "no-store"
    path = link_path(page)
    created = user_by_email("helene.cote@prb.example")
    assert created is not None and {str(r) for r in created.roles} == {"board_member", "finance"}
    assert not created.password_set  # nobody typed a password for her
    # only the token's SHA-256 is stored
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordLink).where(PasswordLink.user_id == created.id))
    assert [link.token_hash for link in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in json.dumps([r.comment for r in db.session.scalars(select(AuditRecord))])
    created_row = changes("user_created")[0]
    assert created_row.actor_id == admin.id and created_row.actor_role == "administrator"
    assert (created_row.subject, created_row.subject_id) == ("user", created.id)
    assert created_row.before is None
    assert json.loads(created_row.after) == {
        "email": "helene.cote@prb.example",
        "name": "Hélène Côté",
        "entity": "UNDP",
        "roles": ["board_member", "finance"],
        "active": True,
    }
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Hélène Côté" in listing and "Password not yet set" in listing
    client.post("/logout")

    # before she sets it, no password opens the account
    refused = client.post(
        "/login", data={"email": "helene.cote@prb.example", "password": NEW_PASSWORD}
    )
    assert refused.status_code == 401
    assert "Hélène Côté" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/login"
    response = client.post(
        "/login", data={"email": "helene.cote@prb.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    # the link worked once
    client.post("/logout")
    assert client.get(path).status_code == 410


def test_a_secretariat_user_cannot_grant_finance(client, world) -> None:
    # secretariat and board member at once: neither role administers accounts
    both = factories.user("sec.board@prb.example", world.unoct, Role.SECRETARIAT, Role.BOARD_MEMBER)
    db.session.commit()
    for person in (world.secretariat, both):
        sign_in(client, person)
        response = client.post(
            f"/admin/users/{world.board_undp.id}",
            data=form_of(world.board_undp, roles=["board_member", "finance"]),
        )
        assert response.status_code == 403
        assert "administrator" in response.get_data(as_text=True).lower()
        client.post("/logout")
    db.session.expire_all()
    assert world.board_undp.roles == {Role.BOARD_MEMBER}
    assert changes("user_updated") == []
    try:
        people.update_user(
            world.secretariat,
            world.board_undp.id,
            people.UserInput(
                world.board_undp.email,
                world.board_undp.name,
                world.undp.id,
                {Role.BOARD_MEMBER, Role.FINANCE},
            ),
        )
    except NotAllowed:
        pass
    else:
        raise AssertionError("the secretariat granted finance")


def test_an_administrator_cannot_grant_herself_a_role(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}", data=form_of(admin, roles=["administrator", "finance"])
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You cannot grant or remove roles on your own account" in page
    assert "Nothing was changed" in page
    db.session.expire_all()
    assert admin.roles == {Role.ADMINISTRATOR}
    assert changes("user_updated") == []


def test_an_administrator_cannot_remove_her_own_role_or_disable_herself(client, world) -> None:
    admin = factories.administrator(world, "admin@prb.example", Role.SECRETARIAT)
    sign_in(client, admin)
    dropped = client.post(f"/admin/users/{admin.id}", data=form_of(admin, roles=["secretariat"]))
    assert dropped.status_code == 403
    disabled = client.post(f"/admin/users/{admin.id}", data=form_of(admin, active=""))
    assert disabled.status_code == 403
    assert "You cannot disable your own account" in disabled.get_data(as_text=True)
    db.session.expire_all()
    assert admin.roles == {Role.ADMINISTRATOR, Role.SECRETARIAT} and admin.active
    # her own name she may correct
    renamed = client.post(f"/admin/users/{admin.id}", data=form_of(admin, name="Ada Lovelace"))
    assert renamed.status_code == 302
    db.session.expire_all()
    assert admin.name == "Ada Lovelace"


def test_every_change_is_audited_with_before_and_after(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    target = world.board_undp
    response = client.post(
        f"/admin/users/{target.id}",
        data=form_of(
            target, name="Board UNDP", entity_id=world.cted.id, roles=["finance"], active=""
        ),
    )
    assert response.status_code == 302
    [row] = changes("user_updated")
    assert row.actor_id == admin.id and (row.subject, row.subject_id) == ("user", target.id)
    assert json.loads(row.before) == {
        "email": "board.undp@prb.example",
        "name": "Board Undp",
        "entity": "UNDP",
        "roles": ["board_member"],
        "active": True,
    }
    assert json.loads(row.after) == {
        "email": "board.undp@prb.example",
        "name": "Board UNDP",
        "entity": "CTED",
        "roles": ["finance"],
        "active": False,
    }
    # saving without a change writes no audit row
    db.session.expire_all()
    assert client.post(f"/admin/users/{target.id}", data=form_of(target)).status_code == 302
    assert len(changes("user_updated")) == 1


def test_bad_account_input_is_explained_and_nothing_saved(client, world) -> None:
    sign_in(client, factories.administrator(world))
    world.undp.retired_at = utcnow()
    db.session.commit()
    before = db.session.scalars(select(User.id)).all()
    cases = [
        (user_form(world, email="not-an-address"), "must have an @-sign"),
        (
            user_form(world, email="Chair.A@prb.example"),
            "Another account already uses this address.",
        ),
        (user_form(world, roles=[]), "Give the person at least one role."),
        (user_form(world, name=" "), "Give the person's name."),
        (user_form(world, entity_id=""), "Choose the person's entity."),
        (user_form(world), "UNDP is retired; choose a current entity."),
    ]
    for data, message in cases:
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), message
    assert db.session.scalars(select(User.id)).all() == before
    assert db.session.scalar(select(func.count(PasswordLink.id))) == 0


def test_only_administrators_administer_users(client, world) -> None:
    target = world.chair_b.id
    for person in (world.chair_a, world.board_chair, world.finance, world.secretariat):
        sign_in(client, person)
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users/new", data=user_form(world)).status_code == 403
        assert client.get(f"/admin/users/{target}").status_code == 403
        assert client.post(f"/admin/users/{target}/password-link").status_code == 403
        assert client.post(f"/admin/users/{target}/two-step/reset").status_code == 403
        assert client.get("/admin/users/import").status_code == 403
        client.post("/logout")
    assert user_by_email("helene.cote@prb.example") is None
    assert db.session.scalar(select(func.count(PasswordLink.id))) == 0


def test_the_user_page_shows_chaired_groups_read_only(client, world) -> None:
    sign_in(client, factories.administrator(world))
    page = client.get(f"/admin/users/{world.chair_a.id}").get_data(as_text=True)
    assert "Border Management and Law Enforcement" in page
    assert 'name="chaired_group_ids"' not in page and 'name="is_board_chair"' not in page
    assert "Chair of the Board" not in page and 'name="password"' not in page
    # a posted list of groups changes nothing: chairs are appointed on the group's page
    response = client.post(
        f"/admin/users/{world.chair_a.id}",
        data=form_of(world.chair_a, chaired_group_ids=[world.group_b.id]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world.chair_a.chaired_group_ids == {world.group_a.id}


def test_a_new_link_replaces_the_older_ones(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    first = link_path(
        client.post(f"/admin/users/{world.chair_b.id}/password-link").get_data(as_text=True)
    )
    second_page = client.post(f"/admin/users/{world.chair_b.id}/password-link")
    assert second_page.headers["Cache-Control"] == "no-store"
    second = link_path(second_page.get_data(as_text=True))
    client.post("/logout")
    gone = client.get(first)
    assert gone.status_code == 410
    assert "a newer link replaced it" in gone.get_data(as_text=True)
    assert client.get(second).status_code == 200
    issued = changes("password_link_issued")
    assert [(r.actor_id, r.subject_id) for r in issued] == [(admin.id, world.chair_b.id)] * 2
    # her current password keeps working until she uses the link
    sign_in(client, world.chair_b)


def test_an_administrator_gives_herself_no_link(client, world) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    assert client.post(f"/admin/users/{admin.id}/password-link").status_code == 403
    assert db.session.scalar(select(func.count(PasswordLink.id))) == 0


def test_an_administrator_resets_someones_two_step_sign_in(client, world) -> None:
    admin = factories.administrator(world)
    world.finance.totp_secret = "A" * 32
    world.finance.totp_enabled_at = utcnow()
    db.session.commit()
    sign_in(client, admin)
    assert "Reset her two-step sign-in" in client.get(f"/admin/users/{world.finance.id}").text
    response = client.post(f"/admin/users/{world.finance.id}/two-step/reset")
    assert response.status_code == 302
    db.session.expire_all()
    assert world.finance.totp_enabled_at is None and world.finance.totp_secret is None
    [row] = changes("two_step_reset")
    assert row.actor_id == admin.id and row.subject_id == world.finance.id
    assert json.loads(row.before)["two_step"] is True
    assert json.loads(row.after)["two_step"] is False
    # and never her own
    admin.totp_secret, admin.totp_enabled_at = "B" * 32, utcnow()
    db.session.commit()
    assert client.post(f"/admin/users/{admin.id}/two-step/reset").status_code == 403
    db.session.expire_all()
    assert admin.totp_enabled_at is not None


def test_unknown_user_is_404(client, world) -> None:
    sign_in(client, factories.administrator(world))
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/password-link").status_code == 404


def test_a_link_expires(client, world) -> None:
    link = password_links.issue_password_link(None, world.chair_a.id, valid_for=timedelta(hours=72))
    row = db.session.scalars(select(PasswordLink)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/set-password/{link.token}")
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)
    post = client.post(
        f"/set-password/{link.token}",
        data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert post.status_code == 410
    sign_in(client, world.chair_a)  # the old password is untouched


# -- import ---------------------------------------------------------------------------------


def upload(client, content: str, *, dry_run: bool, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(content.encode()), name)}
    data["check" if dry_run else "submit"] = "x"
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data")


GOOD = (
    "email,name,entity,roles\n"
    "ines.ferreira@prb.example,Inês Ferreira,UNODC,chair\n"
    "omar.said@prb.example,Omar Said,cted,board_member; finance\n"
)


def test_a_dry_run_imports_nothing_and_a_bad_file_names_every_row_and_field(client, world) -> None:
    sign_in(client, factories.administrator(world))
    users_before = db.session.scalar(select(func.count(User.id)))
    checked = upload(client, GOOD, dry_run=True)
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert "all 2 rows are valid" in page and "Omar Said" in page
    bad = (
        GOOD + "chair.a@prb.example,Amina Again,CTED,chair\n"
        "not-an-address,,NOPE,treasurer\n"
        "omar.said@prb.example,Omar Twice,CTED,finance\n"
        "eve@prb.example,Eve \u202eRotcerid,CTED,finance\n"
    )
    for dry_run in (True, False):
        response = upload(client, bad, dry_run=dry_run)
        assert response.status_code == 422
        text = response.get_data(as_text=True).replace("&#39;", "'")
        for row, column, message in [
            (4, "email", "Another account already uses this address."),
            (5, "email", "must have an @-sign"),
            (5, "name", "Give the person's name."),
            (5, "entity", "No entity with code 'NOPE'."),
            (5, "roles", "Unknown role treasurer"),
            (6, "email", "The same address is on row 3 already."),
            (7, "name", "invisible text-direction character (U+202E)"),
        ]:
            assert re.search(
                rf"<td>{row}</td><td>{column}</td><td>[^<]*{re.escape(message)}", text
            ), (row, column, message)
        assert "nothing was imported" in text
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_an_excel_file_reads_the_same_and_names_rows_as_the_spreadsheet_does(client, world) -> None:
    # Semicolons (a European Excel's CSV), CRLF, a byte-order mark, blank lines and empty
    # rows of separators: the rows are read and numbered as the spreadsheet shows them.
    sign_in(client, factories.administrator(world))
    excel = (
        "\ufeffemail;name;entity;roles\r\n"
        "ines.ferreira@prb.example;Inês Ferreira;UNODC;chair\r\n"
        "\r\n"
        "\r\n"
        "bad-email;Omar Said;cted;board_member, finance\r\n"
        ";;;\r\n"
        ";;;\r\n"
    )
    response = upload(client, excel, dry_run=True)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.search(r"<td>5</td><td>email</td>", text)  # the fifth line, not the third
    assert "<td>6</td>" not in text and "<td>7</td>" not in text  # empty rows are no rows
    good = excel.replace("bad-email", "omar.said@prb.example")
    checked = upload(client, good, dry_run=True).get_data(as_text=True)
    assert "all 2 rows are valid" in checked and "Omar Said" in checked


def test_links_shown_to_the_administrator_use_the_base_url_not_the_requests_host(
    app, client, world
) -> None:
    # As the e-mailed links do: a request that came with another Host header (a proxy that
    # passes it through) must not put that host in the links she sends people.
    app.config["BASE_URL"] = "https://prb.office.example"
    sign_in(client, factories.administrator(world))
    data = {"file": (io.BytesIO(GOOD.encode()), "people.csv"), "submit": "x"}
    page = client.post(
        "/admin/users/import", data=data, content_type="multipart/form-data"
    ).get_data(as_text=True)
    links = re.findall(r"https?://[^/\"<\s,]+/set-password/[\w\-]+", page)
    assert len(links) >= 2, page  # the table's and the CSV's
    assert all(u.startswith("https://prb.office.example/set-password/") for u in links)
    assert "http://localhost/set-password/" not in page  # the request's own host


def test_import_creates_accounts_with_links_once_and_the_same_file_twice_imports_nothing(
    client, world
) -> None:
    admin = factories.administrator(world)
    sign_in(client, admin)
    response = upload(client, GOOD, dry_run=False)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 accounts imported from people.csv" in page
    # the table and the text to copy show the same two links
    paths = list(dict.fromkeys(re.findall(r"https?://[^/\"<\s,]+(/set-password/[\w\-]+)", page)))
    assert len(paths) == 2
    omar = user_by_email("omar.said@prb.example")
    assert omar is not None and omar.roles == {Role.BOARD_MEMBER, Role.FINANCE}
    assert omar.entity.code == "CTED" and not omar.password_set
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.kind, batch.rows, batch.imported_by_id) == ("users", 2, admin.id)
    assert batch.sha256 == hashlib.sha256(GOOD.encode()).hexdigest()
    created = changes("user_created")
    assert len(created) == 2 and all("imported from people.csv" in r.comment for r in created)
    again = upload(client, GOOD, dry_run=False, name="people-again.csv")
    assert again.status_code == 200
    assert "already imported" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1
    assert len(changes("user_created")) == 2
    # each imported person sets her own password
    client.post("/logout")
    for path in paths:
        assert (
            client.post(
                path, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
            ).status_code
            == 302
        )
    response = client.post(
        "/login", data={"email": "omar.said@prb.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_links_to_copy_into_a_spreadsheet_are_harmless_cells(client, world) -> None:
    sign_in(client, factories.administrator(world))
    evil = "email,name,entity,roles\nines.ferreira@prb.example,=HYPERLINK(1),UNODC,chair\n"
    page = upload(client, evil, dry_run=False).get_data(as_text=True).replace("&#39;", "'")
    assert 'ines.ferreira@prb.example,"\'=HYPERLINK(1)",' in page


def test_an_import_file_without_the_columns_or_not_in_utf8_is_refused(client, world) -> None:
    sign_in(client, factories.administrator(world))
    response = upload(client, "mail,name\nx@y.org,X\n", dry_run=True)
    assert response.status_code == 422
    assert "missing: email, entity, roles" in response.get_data(as_text=True)
    latin = {
        "file": (
            io.BytesIO("email,name,entity,roles\nç,é,CTED,chair\n".encode("latin-1")),
            "x.csv",
        ),
        "check": "x",
    }
    response = client.post("/admin/users/import", data=latin, content_type="multipart/form-data")
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)
    response = client.post("/admin/users/import", data={"check": "x"})
    assert response.status_code == 422 and "Choose a CSV file." in response.get_data(as_text=True)


def test_csrf_token_is_required_when_protection_is_on(world, database_url) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"email": "chair.a@prb.example", "password": "x"})
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        db.engine.dispose()


def test_the_account_forms_carry_their_csrf_token(world, database_url) -> None:
    from tests.conftest import make_app

    def token(page: str) -> str:
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert match, "the form has no CSRF token"
        return match.group(1)

    factories.administrator(world)
    target = world.chair_b.id
    db.session.commit()  # on SQLite the read above holds the write lock the other app needs
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    # Requests outside this app's context, as in production: each gets a fresh `g` (where
    # Flask-WTF keeps the token it made for the request).
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    signed_in = client.post(
        "/login",
        data={
            "email": "admin@prb.example",
            "password": factories.PASSWORD,
            "csrf_token": token(login),
        },
    )
    assert signed_in.status_code == 302
    page = client.get(f"/admin/users/{target}").get_data(as_text=True)
    assert client.post(f"/admin/users/{target}/password-link").status_code == 400
    issued = client.post(f"/admin/users/{target}/password-link", data={"csrf_token": token(page)})
    assert issued.status_code == 200
    for url in ("/admin/users/new", "/admin/users/import", "/account/password"):
        token(client.get(url).get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token(page)})
    path = link_path(issued.get_data(as_text=True))
    form = client.get(path).get_data(as_text=True)
    done = client.post(
        path,
        data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD, "csrf_token": token(form)},
    )
    assert done.status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_create_user_from_the_command_line_needs_no_actor(world) -> None:
    user = people.create_user(
        None,
        people.UserInput("cli.user@prb.example", "Cli User", world.cted.id, {Role.FINANCE}),
    )
    assert user.roles == {Role.FINANCE} and not user.password_set
    row = changes("user_created")[0]
    assert row.actor_id is None and row.actor_role is None and row.subject_id == user.id


def test_moving_a_board_member_says_her_seat_followed(client, world) -> None:
    """Found exploring: moving a member to another entity ended one seat and began another
    with only "Account … saved." said."""
    from tests.reference_helpers import administrator

    sign_in(client, administrator(world))
    moved = client.post(
        f"/admin/users/{world.board_undp.id}",
        data=form_of(world.board_undp, entity_id=world.cted.id),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{world.board_undp.name} sits on the Board for CTED from today" in moved
    assert "UNDP before today" in moved
    renamed = client.post(
        f"/admin/users/{world.board_undp.id}",
        data=form_of(world.board_undp, name="Renamed Member"),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Account of Renamed Member saved." in renamed and "sits on the Board" not in renamed
    moved_finance = client.post(
        f"/admin/users/{world.finance.id}",
        data=form_of(world.finance, entity_id=world.undp.id),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "saved." in moved_finance and "sits on the Board" not in moved_finance
