"""A new office, in the browser, from an empty database to its first two decisions.

The database is built by the migrations and holds nothing; `prb setup` makes the office's
entity and its first administrator and prints her set-password link. From there everything
happens in Chromium, as the people of the office would do it: the administrator sets her
password, turns on two-step sign-in (her role requires it), and sets up entities, working
groups, two programmes (one of each code pattern), the accounts, the Board and its rules, and
a call in each programme; each new user sets her own password through her link; a chair
submits one proposal in each call; the secretariat and the Board decide; the approved
projects take their codes from their programmes' patterns."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from prb.config import DEFAULTS
from prb.extensions import db
from tests.conftest import make_app
from tests.e2e.conftest import AXE, CHROMIUM, LiveServer, flash
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_journeys import long, pdf_text, select_matching

ADMIN = "ana.admin@un.example"
BORDER = "Border Management and Law Enforcement relating to Counter-Terrorism"
PCVE = "Preventing and Countering Violent Extremism"
ENTITIES = {
    "CTED": "Counter-Terrorism Committee Executive Directorate",
    "UNICRI": "United Nations Interregional Crime and Justice Research Institute",
    "UNDP": "United Nations Development Programme",
    "OHCHR": "Office of the United Nations High Commissioner for Human Rights",
}
# name, e-mail, entity, roles (as the Users page labels them)
SECRETARIAT = ("Sam Secretary", "sam.secretary@un.example", "UNOCT", ["Secretariat"])
CHAIR = ("Chloé Chair", "chloe.chair@un.example", "CTED", ["Working-group chair"])
MEMBERS = [
    ("Ulla Undp", "ulla.undp@un.example", "UNDP", ["Board member"]),
    ("Omar Ohchr", "omar.ohchr@un.example", "OHCHR", ["Board member"]),
    ("Ines Unicri", "ines.unicri@un.example", "UNICRI", ["Board member"]),
]


def password_of(email: str) -> str:
    """Each person's own password, chosen when she opens her link (not made of her name or
    address: PRB refuses those)."""
    return f"lantern {hashlib.sha256(email.encode()).hexdigest()[:6]} keeps her own passphrase"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """PRB on a free port over a database the migrations built, with nothing in it, and the
    default roles that must sign in with two steps (administrator, finance)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    app = make_app(
        f"sqlite:///{tmp_path / 'office.sqlite3'}",
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        PAGE_SIZE=25,
        TWO_STEP_ROLES=DEFAULTS["TWO_STEP_ROLES"],
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def first_run(live: LiveServer) -> str:
    """`prb setup`, as the person installing PRB types it; returns the link it prints."""
    with live.app.app_context():
        result = live.app.test_cli_runner().invoke(
            args=[
                "setup",
                "--entity-code",
                "UNOCT",
                "--entity-name",
                "United Nations Office of Counter-Terrorism",
                "--email",
                ADMIN,
                "--name",
                "Ana Admin",
                "--base-url",
                live.url,
            ]
        )
        db.session.remove()
    assert result.exit_code == 0, result.output
    match = re.search(re.escape(live.url) + r"/set-password/\S+", result.output)
    assert match, result.output
    return match.group(0)


class Authenticator:
    """The administrator's phone: it reads the key from the page and shows codes. A code
    counts once, so a sign-in soon after the last code takes the next step's code (the
    server allows one step of clock drift), as the app would show a few seconds later."""

    def __init__(self, key: str) -> None:
        self.totp = pyotp.TOTP(key.replace(" ", ""))
        self.last_step = -1

    def code(self) -> str:
        step = max(self.totp.timecode(datetime.now(UTC)), self.last_step + 1)
        self.last_step = step
        return self.totp.generate_otp(step)


def set_own_password(page, link: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    assert email in page.locator("main").inner_text()
    page.get_by_label("New password", exact=True).fill(password_of(email))
    page.get_by_label("New password again").fill(password_of(email))
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url("**/login")
    assert "Your password is set. Sign in with it now." in flash(page)


def sign_in(page, live: LiveServer, email: str, phone: Authenticator | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password_of(email))
    page.get_by_role("button", name="Sign in").click()
    if phone is not None:
        page.wait_for_url("**/login/two-step")
        page.get_by_label("Code").fill(phone.code())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url)
    assert "Signed in as" in flash(page)


def new_person(new_page, live: LiveServer, link: str, email: str):  # type: ignore[no-untyped-def]
    """A new user opens the link she was sent, sets her password and signs in."""
    page = new_page()
    set_own_password(page, link, email)
    sign_in(page, live, email)
    return page


def enrol_two_step(page) -> Authenticator:  # type: ignore[no-untyped-def]
    """Her role requires two-step sign-in: PRB sends her to set it up before anything else."""
    page.wait_for_url("**/account/two-step")
    assert "Your role requires two-step sign-in" in flash(page)
    phone = Authenticator(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code from your app").fill(phone.code())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert "Two-step sign-in is on." in flash(page)
    codes = page.get_by_role("list", name="Recovery codes").locator("li")
    assert codes.count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    return phone


def go_to(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Follow a link of the main navigation (at the top of every page)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def open_admin_page(page, name: str) -> None:  # type: ignore[no-untyped-def]
    go_to(page, "Administration")
    page.get_by_role("link", name=name, exact=True).click()


def add_entity(page, code: str, name: str) -> None:  # type: ignore[no-untyped-def]
    open_admin_page(page, "Entities")
    page.get_by_role("link", name="Add an entity").click()
    page.get_by_label("Code").fill(code)
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Save the entity").click()
    assert f"Entity {code} saved." in flash(page)


def add_group(page, name: str, short_name: str) -> None:  # type: ignore[no-untyped-def]
    open_admin_page(page, "Working groups")
    page.get_by_role("link", name="Add a working group").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Short name").fill(short_name)
    page.get_by_role("button", name="Save the working group").click()
    assert f"Working group {name} saved." in flash(page)


def add_programme(  # type: ignore[no-untyped-def]
    page, code: str, title: str, years: tuple[int, int], envelope: str, style: str, first: str
) -> None:
    open_admin_page(page, "Funding programmes")
    page.get_by_role("link", name="Add a programme").click()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Title").fill(title)
    page.get_by_label("First year").fill(str(years[0]))
    page.get_by_label("Last year").fill(str(years[1]))
    page.get_by_label("Envelope (USD)").fill(envelope)
    page.get_by_label("Projects' codes").select_option(style)
    page.get_by_label("First letter").fill(first)
    page.get_by_role("button", name="Save the programme").click()
    assert f"Programme {code} saved." in flash(page)
    # The page shows the pattern the programme's projects will follow.
    assert f"{code}-{first}" in page.locator("main").inner_text()


def add_user(page, name: str, email: str, entity: str, roles: list[str]) -> str:  # type: ignore[no-untyped-def]
    """The administrator adds an account and copies its one-time set-password link."""
    go_to(page, "Users")
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Entity").select_option(label=f"{entity} — " + entity_name(entity))
    for role in roles:
        page.get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Save account").first.click()
    assert f"Account for {name} created." in flash(page)
    return page.get_by_label("Link").input_value()


def entity_name(code: str) -> str:
    return ENTITIES.get(code, "United Nations Office of Counter-Terrorism")


def test_an_office_from_an_empty_database_to_its_first_decisions(live, new_page, tmp_path) -> None:
    now = datetime.now(UTC)
    today = now.date()

    # -- The administrator: her password, two-step sign-in, the office's reference data.
    link = first_run(live)
    admin = new_page()
    set_own_password(admin, link, ADMIN)
    admin.get_by_label("E-mail").fill(ADMIN)
    admin.get_by_label("Password").fill(password_of(ADMIN))
    admin.get_by_role("button", name="Sign in").click()
    phone = enrol_two_step(admin)
    # A second sign-in asks for her code.
    admin.get_by_role("button", name="Sign out").click()
    sign_in(admin, live, ADMIN, phone)

    for code, name in ENTITIES.items():
        add_entity(admin, code, name)
    add_group(admin, BORDER, "Border management")
    add_group(admin, PCVE, "PCVE")
    add_programme(
        admin, "UNCCT-2017-73", "Seed funding 2017–2018", (2017, 2018), "1356000", "lower", "a"
    )
    add_programme(
        admin, "UNCCT-2019-02-79", "Seed funding 2019–2020", (2019, 2020), "900000", "upper", "A"
    )

    # -- Accounts: each person sets her own password through the link the administrator copies.
    people = {}
    for name, email, entity, roles in [SECRETARIAT, CHAIR, *MEMBERS]:
        link = add_user(admin, name, email, entity, roles)
        people[email] = new_person(new_page, live, link, email)

    # The chair is appointed to her working group.
    open_admin_page(admin, "Working groups")
    admin.get_by_role("link", name=BORDER).click()
    admin.get_by_label("Chair", exact=True).select_option(label="Chloé Chair (CTED)")
    admin.get_by_label("Chair from").fill(today.isoformat())
    admin.get_by_role("button", name="Appoint").click()
    assert f"Chloé Chair chairs {BORDER} from" in flash(admin)

    # -- The Board: its members' seats (the first chairs it) and its rules of procedure.
    open_admin_page(admin, "Members of the Board")
    for number, (name, _email, entity, _roles) in enumerate(MEMBERS):
        admin.get_by_label("Board member").select_option(label=f"{name} ({entity})")
        admin.get_by_label("First day").fill(today.isoformat())
        if number == 0:
            admin.get_by_label("Chairs the Board over this seat").check()
        admin.get_by_role("button", name="Add the seat").click()
        assert f"Seat added for {name}." in flash(admin)
    assert "Today's chair: Ulla Undp" in admin.locator("main").inner_text()
    admin.get_by_role("link", name="Rules of procedure").click()
    assert "No version yet" in admin.locator("main").inner_text()
    admin.get_by_label("In force from").fill(today.isoformat())
    admin.get_by_label("Quorum").fill("1/2")
    admin.get_by_label("Written procedure: default period (days)").fill("10")
    admin.get_by_label("Note (optional)").fill("Adopted when the Board began using PRB.")
    admin.get_by_role("button", name="Add the version").click()
    assert "Rules of procedure in force from" in flash(admin)
    admin.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Administration"
    ).click()

    # -- A call in each programme, open now to the chair's working group.
    for programme in ("UNCCT-2017-73", "UNCCT-2019-02-79"):
        open_admin_page(admin, "Calls for proposals")
        admin.get_by_role("link", name="Open a call").click()
        select_matching(admin.get_by_label("Funding programme"), programme + " — ")
        admin.get_by_label("Title").fill(f"Call for proposals {programme}")
        admin.get_by_label("Opens (UTC)").fill(
            (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        )
        admin.get_by_label("Closes (UTC)").fill(
            (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
        )
        admin.get_by_label(BORDER).check()
        admin.get_by_role("button", name="Save the call").click()
        assert f"The call “Call for proposals {programme}” was saved." in flash(admin)

    # -- The chair submits one proposal in each open call.
    chair = people[CHAIR[1]]
    proposal_urls = []
    for programme, title, budget in (
        ("UNCCT-2017-73", "Biometrics Compendium", "150000"),
        ("UNCCT-2019-02-79", "Border Security Training", "90000"),
    ):
        go_to(chair, "Calls")
        chair.get_by_role("link", name=f"Call for proposals {programme}").click()
        chair.get_by_role("link", name="Write a proposal for this call").click()
        chair.get_by_label("Title").fill(title)
        chair.get_by_label("Objective").fill("Strengthen border management")
        chair.get_by_label("Description").fill("Workshops and a compendium of good practice.")
        chair.get_by_label("Thematic area").fill("Border management and law enforcement")
        chair.get_by_label("Results alignment").fill("Outcome 4, Output 4.2")
        chair.get_by_label("Lead entity").select_option(label=f"CTED — {ENTITIES['CTED']}")
        chair.get_by_label("Requested budget (USD)").fill(budget)
        chair.get_by_label("Duration (months)").fill("12")
        chair.get_by_label("Planned start").fill((today + timedelta(days=45)).isoformat())
        chair.get_by_role("button", name="Save and submit to the Board").first.click()
        assert "was submitted to the Board secretariat" in flash(chair)
        assert f"Call for proposals {programme}" in chair.locator("main").inner_text()
        proposal_urls.append(chair.url)

    # -- The secretariat starts the review, schedules today's meeting, builds its agenda.
    sec = people[SECRETARIAT[1]]
    for url in proposal_urls:
        sec.goto(url)
        sec.get_by_role("button", name="Start Board review").click()
        assert "is now Under review" in flash(sec)
    go_to(sec, "Board")
    sec.get_by_role("link", name="Schedule a meeting or written procedure").click()
    assert sec.get_by_label("Number").input_value() == f"PRB/{today.year}/01"
    sec.get_by_label("Date", exact=True).fill(today.isoformat())
    sec.get_by_label("Place", exact=True).fill("New York")
    sec.get_by_role("button", name="Schedule").click()
    assert "scheduled" in flash(sec)
    meeting_url = sec.url
    for title, position in (("Biometrics Compendium", 1), ("Border Security Training", 2)):
        select_matching(sec.get_by_label("Proposal under review"), title)
        sec.get_by_role("button", name="Add to the agenda").click()
        assert f"added as item {position}" in flash(sec)
    for name, _email, _entity, _roles in MEMBERS:
        sec.get_by_label(name).check()
    sec.get_by_role("button", name="Save attendance").click()
    assert "Attendance saved." in flash(sec)

    # -- The members vote on both items.
    titles = ("Biometrics Compendium", "Border Security Training")
    for _name, email, _entity, _roles in MEMBERS:
        member = people[email]
        member.goto(meeting_url)
        for title in titles:
            item = member.get_by_role("region", name=re.compile(title))
            item.get_by_label("Approve").check()
            item.get_by_role("button", name="Cast my vote").click()
            expect(item.get_by_role("group").first).to_contain_text("Your vote: Approve")

    # -- The secretariat closes both items; the codes follow each programme's pattern.
    sec.goto(meeting_url)
    for title in titles:
        item = sec.get_by_role("region", name=re.compile(title))
        item.get_by_text("Close voting on this item").click()
        item.get_by_role("button", name="Close voting and record the decision").click()
        expect(item).to_contain_text("Decision: Approved")
        assert "Decision recorded: Approved (3 for" in flash(sec)
    codes = []
    for url in proposal_urls:
        sec.goto(url)
        assert "Approved" in sec.locator(".page-head .status").inner_text()
        codes.append(sec.locator("h1 .code").inner_text())
    assert codes == ["UNCCT-2017-73-a", "UNCCT-2019-02-79-A"]

    # The draft minutes apply the rules the administrator adopted, and list both decisions.
    sec.goto(meeting_url)
    with sec.expect_download() as download:
        sec.get_by_role("link", name="Download draft minutes (PDF)").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = pdf_text(str(target))
    assert "Rules of procedure of " + long(today) + ": quorum more than 1/2" in text
    assert "written procedures 10 days by default" in text
    assert "UNCCT-2017-73-a — Biometrics Compendium" in text
    assert "UNCCT-2019-02-79-A — Border Security Training" in text

    # Every account is in use, with a password only its owner knows.
    go_to(admin, "Users")
    rows = admin.get_by_role("table", name="User accounts").locator("tbody tr")
    assert rows.count() == 6
    for row in rows.all():
        assert row.locator("td").last.inner_text() == "Active"
    admin_row = admin.get_by_role("row", name=re.compile("Ana Admin"))
    assert admin_row.locator("td").nth(5).inner_text() == "On"  # her two-step sign-in


EMPTY_OFFICE_PAGES = [
    "/admin",
    "/admin/entities",
    "/admin/groups",
    "/admin/programmes",
    "/admin/users",
    "/board/members",
    "/board/rules",
    "/calls/",
    "/proposals/",
]


def test_the_first_pages_of_an_empty_office_are_accessible(live, new_page) -> None:
    """What the demo never shows: the set-password and two-step pages of a first run, and
    the administration pages while there is nothing in them yet."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    link = first_run(live)
    page = new_page(bypass_csp=True)  # only so that the test can inject axe
    problems = {}
    page.goto(link)
    problems["set-password"] = axe_violations(page)
    set_own_password(page, link, ADMIN)
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(password_of(ADMIN))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-step")
    problems["two-step"] = axe_violations(page)
    enrol_two_step(page)
    for path in EMPTY_OFFICE_PAGES:
        page.goto(live.url + path)
        problems[path] = axe_violations(page)
        assert page.title().endswith("· PRB"), path
        assert page.locator("main h1").count() == 1, path
        assert page.locator("nav[aria-label=Breadcrumb]").count(), path
    problems = {where: found for where, found in problems.items() if found}
    assert not problems, json.dumps(problems, indent=1)
