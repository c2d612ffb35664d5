"""The administration pages in a real browser: accessible (axe, WCAG 2.1 AA), and an
administrator sets up a programme and changes its envelope with the keyboard and mouse."""

from __future__ import annotations

import json

import pytest
from werkzeug.security import generate_password_hash

from prb.extensions import db
from prb.models import Entity, User
from tests.e2e.conftest import AXE, PASSWORD, sign_in
from tests.e2e.test_accessibility import axe_violations
from workflows import Role

ADMIN = "administrator.e2e@prb.example"


def add_administrator(live) -> None:  # type: ignore[no-untyped-def]
    """The demo has no administrator yet: one is added straight into its database."""
    with live.app.app_context():
        entity = db.session.query(Entity).filter_by(code="UNOCT").one()
        person = User(
            email=ADMIN,
            name="Ada Okafor",
            entity=entity,
            password_hash=generate_password_hash(PASSWORD),
            role_rows=[],
            chaired_groups=[],
        )
        person.set_roles({Role.ADMINISTRATOR})
        db.session.add(person)
        db.session.commit()
        db.session.remove()


PAGES = [
    "/admin",
    "/admin/entities",
    "/admin/entities/new",
    "/admin/groups",
    "/admin/groups/1",
    "/admin/groups/new",
    "/admin/programmes",
    "/admin/programmes/1",
    "/admin/programmes/new",
    "/admin/programmes/1/edit",
    "/admin/audit",
]


def test_administration_pages_are_accessible(live, new_page) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    add_administrator(live)
    problems = {}
    for who, paths in (
        (ADMIN, PAGES),
        ("secretariat@prb.example", ["/admin/entities", "/admin/groups/1", "/admin/audit"]),
    ):
        page = new_page(bypass_csp=True)
        sign_in(page, live, who)
        for path in paths:
            page.goto(live.url + path)
            found = axe_violations(page)
            if found:
                problems[f"{who} {path}"] = found
            assert page.title().endswith("· PRB"), path
            assert page.locator("main h1").count() == 1, path
            assert page.locator("nav[aria-label=Breadcrumb]").count(), path
    assert not problems, json.dumps(problems, indent=1)


def test_an_administrator_opens_a_programme_and_raises_its_envelope(live, new_page) -> None:
    add_administrator(live)
    page = new_page()
    sign_in(page, live, ADMIN)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Funding programmes").click()
    page.get_by_role("link", name="Add a programme").click()
    page.get_by_label("Code", exact=True).fill("UNCCT-2020-04-88")
    page.get_by_label("Title").fill("Seed funding 2020–2021")
    page.get_by_label("First year").fill("2020")
    page.get_by_label("Last year").fill("2021")
    page.get_by_label("Envelope (USD)").fill("900000")
    page.get_by_label("Projects' codes").select_option("upper")
    page.get_by_label("First letter").fill("D")
    page.get_by_role("button", name="Save the programme").click()
    assert "Programme UNCCT-2020-04-88 saved." in page.locator(".flashes").inner_text()
    assert "UNCCT-2020-04-88-D" in page.locator("main").inner_text()
    page.get_by_label("Effective from").fill("2020-07-01")
    page.get_by_label("New envelope (USD)").fill("1200000")
    page.get_by_label("Reason").fill("Second pledge")
    page.get_by_role("button", name="Record the change").click()
    history = page.get_by_role("table", name="History of the envelope").inner_text()
    assert "1 July 2020 (in force)" in history and "Second pledge" in history
    assert "USD 1,200,000.00" in page.locator("dl.stats").inner_text()
