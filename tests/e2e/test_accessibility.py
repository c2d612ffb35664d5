"""Accessibility (axe-core, WCAG 2.1 A and AA) on every main page for every role, keyboard
use, and the usability rules every page follows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import AXE, sign_in
from tests.markup import markup_problems

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# role → pages (the demo portfolio: proposal 1 is UNCCT-2017-73-a, 11 the CTED chair's draft,
# meeting 1 the open meeting, held today)
PAGES = {
    None: ["/login"],
    "chair.cted@prb.example": [
        "/",
        "/proposals/",
        "/proposals/new",
        "/proposals/11",
        "/proposals/11/edit",
        "/proposals/1",
        "/proposals/1/finance",
        "/workflow/",
        "/admin/users",
        "/account",
        "/account/password",
        "/account/two-step",
        "/calls/",
        "/calls/1",
        "/attachments/proposal/11",
    ],
    "board.undp@prb.example": [
        "/",
        "/board/",
        "/board/meetings/1",
        "/board/members",
        "/board/rules",
        "/finance/",
        "/reports/portfolio?year=2018",
        "/proposals/1",
        "/proposals/?status=under_review",
        "/reports/annual-section",
    ],
    "finance@prb.example": ["/", "/finance/", "/proposals/1/finance", "/proposals/1"],
    "secretariat@prb.example": [
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/board/meetings/new",
        "/board/meetings/1",
        "/proposals/12",
        "/proposals/12/carry-over",
        "/calls/",
        "/attachments/meeting/1",
        "/progress-reports/1",
        "/no/such/page",
    ],
}


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def markup_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe 4.7 retired its duplicate-id rules; tests/markup.py reads the page as shown."""
    problems = markup_problems(page.content())
    if not problems:
        return []
    return [{"id": "markup", "help": "ids unique, labels on controls", "nodes": problems}]


@pytest.mark.parametrize("who", list(PAGES), ids=lambda w: w or "anonymous")
def test_pages_have_no_wcag_violations_and_follow_the_page_rules(live, new_page, who):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # CSP is bypassed only so that the test can inject axe; the app's own pages need no inline code.
    page = new_page(bypass_csp=True)
    if who:
        sign_in(page, live, who)
    problems = {}
    for path in PAGES[who]:
        page.goto(live.url + path)
        found = axe_violations(page) + markup_violations(page)
        if found:
            problems[path] = found
        # every page: a title, one main heading, and a way back (breadcrumbs or the nav)
        assert page.title().endswith("· PRB"), path
        assert page.locator("main h1").count() == 1, path
        if path != "/login":
            assert page.locator("nav[aria-label=Breadcrumb], nav[aria-label=Main]").count(), path
        # the primary action is visible without scrolling on 1366×768
        primary = page.locator("main .button.primary").first
        if primary.count():
            box = primary.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 768, (path, box)
    assert not problems, json.dumps(problems, indent=1)


def test_form_errors_are_announced_next_to_their_fields(live, new_page):
    page = new_page(bypass_csp=True)
    sign_in(page, live, "chair.cted@prb.example")
    page.goto(live.url + "/proposals/new")
    page.get_by_label("Requested budget (USD)").fill("-1")
    page.get_by_role("button", name="Save draft").first.click()
    field = page.get_by_label("Requested budget (USD)")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    error_id = next(i for i in described.split() if i.endswith("-error"))
    assert "more than USD 0" in page.locator(f"#{error_id}").inner_text()
    assert page.locator(".flashes[role=alert], .flashes [role=alert]").count() >= 1
    assert not axe_violations(page)


def test_keyboard_only_sign_in_and_vote_with_visible_focus(live, new_page):
    page = new_page()
    page.goto(live.url + "/login")

    def focused_outline() -> str:
        return page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")

    page.keyboard.press("Tab")  # skip link
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    assert focused_outline() != "none"
    while page.evaluate("() => document.activeElement.id") != "email":
        page.keyboard.press("Tab")
    page.keyboard.type("board.undp@prb.example")
    assert focused_outline() != "none"
    page.keyboard.press("Tab")
    page.keyboard.type("prb-demo-password")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/")
    # reach the item awaiting the vote with the keyboard alone
    link = page.get_by_role("link", name=f"PRB/{datetime.now(UTC).year}/01, item 1")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent").startswith("PRB/"):
            break
    assert focused_outline() != "none"
    assert link.count() == 1
    page.keyboard.press("Enter")
    page.wait_for_url("**/board/meetings/*")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('value')") == "approve":
            break
    page.keyboard.press("Space")
    assert focused_outline() != "none"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.value") == "Cast my vote":
            break
    assert focused_outline() != "none"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Your vote is recorded: Approve." in page.locator(".flashes").inner_text()


def test_the_checker_itself_catches_a_violation(live, new_page):
    page = new_page(bypass_csp=True)
    page.goto(live.url + "/login")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = 'x.png';"
        " document.querySelector('main').appendChild(i); }"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_account_administration_pages_have_no_wcag_violations(live, new_page):
    """The demo has no administrator: the secretariat is given the role for this test."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    from sqlalchemy import select

    from prb.extensions import db
    from prb.models import User
    from workflows import Role

    with live.app.app_context():
        secretariat = db.session.scalars(
            select(User).where(User.email == "secretariat@prb.example")
        ).one()
        secretariat.set_roles({Role.SECRETARIAT, Role.ADMINISTRATOR})
        db.session.commit()
        db.session.remove()
    page = new_page(bypass_csp=True)
    sign_in(page, live, "secretariat@prb.example")
    problems = {}

    def check(name: str) -> None:
        assert page.locator("main h1").count() == 1, name
        found = axe_violations(page) + markup_violations(page)
        if found:
            problems[name] = found

    for path in ("/admin/users", "/admin/users/new", "/admin/users/1", "/admin/users/import"):
        page.goto(live.url + path)
        check(path)
    page.goto(live.url + "/admin/users/new")
    page.get_by_label("Name").fill("Hélène Côté")
    page.get_by_label("E-mail").fill("helene.cote@prb.example")
    page.get_by_label("Entity").select_option(label="UNDP — United Nations Development Programme")
    page.get_by_label("Board member").check()
    page.locator("#save-top").click()
    check("link shown after creation")
    link = page.get_by_label("Link").input_value()
    page.goto(live.url + "/admin/users/import")
    page.get_by_label("Users file (CSV)").set_input_files(
        files=[
            {
                "name": "people.csv",
                "mimeType": "text/csv",
                "buffer": b"email,name,entity,roles\nnot-an-address,,NOPE,chair\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file (dry run)").click()
    check("import with errors")
    anonymous = new_page(bypass_csp=True)
    anonymous.goto(link)
    page = anonymous
    check("set-password page")
    assert not problems, json.dumps(problems, indent=1)
