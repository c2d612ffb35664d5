"""In development (`PRB_SHOW_MAIL`, set by `make run`) each person reads in the app the
e-mail PRB wrote to her, with every one-time link redacted; elsewhere the page does not
exist."""

from __future__ import annotations

import re

from sqlalchemy import select

from prb.extensions import db
from prb.models import PasswordLink
from tests import factories
from tests.conftest import sign_in
from tests.web.test_admin import user_form
from tests.web.test_minutes import decided_meeting


def test_the_page_exists_only_in_development(app, client, world) -> None:
    sign_in(client, world.chair_a)
    assert client.get("/mail").status_code == 404
    app.config["SHOW_MAIL"] = True
    assert client.get("/mail").status_code == 200


def test_she_reads_her_own_mail_and_no_one_time_link(app, client, world) -> None:
    app.config.update(SHOW_MAIL=True)
    decided_meeting(world)
    admin = factories.administrator(world)
    sign_in(client, admin)
    client.post("/admin/users/new", data=user_form(world))
    link = db.session.scalars(select(PasswordLink)).one()
    page = client.get("/mail").text  # the administrator sees every message
    assert "Your PRB account: choose your password" in page
    assert "/set-password/[redacted" in page
    assert link.token_hash not in page
    assert re.search(r"/set-password/(?!\[redacted)", page) is None
    other = app.test_client()
    sign_in(other, world.chair_a)
    mine = other.get("/mail").text
    assert "the Board’s decision" in mine  # her own
    assert "its commitment is due" not in mine  # finance's
    assert "choose your password" not in mine
