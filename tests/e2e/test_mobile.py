"""PRB on a phone (issue 17): every main page, for every role, at 375 × 667 CSS pixels. The page
never scrolls sideways (tables scroll inside their own region), and every navigation link and
primary button is on screen horizontally — the navigation inside the dark header, where its
white text can be read."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from prb.extensions import db
from prb.models import Meeting
from tests.e2e.conftest import AXE, sign_in
from workflows import MeetingKind

PHONE = {"width": 375, "height": 667}

# role → pages (the demo portfolio: proposal 1 is UNCCT-2017-73-a, 11 the CTED chair's draft,
# 12 a project; {meeting} is the meeting held today, where the board members vote, {written}
# the latest written procedure, as the link in its invitation opens it)
PAGES = {
    "chair.cted@prb.example": [
        "/",
        "/proposals/",
        "/proposals/1",
        "/proposals/11",
        "/proposals/new",
        "/proposals/11/edit",
        "/calls/",
        "/workflow/",
        "/notifications",
        "/account",
        "/attachments/proposal/11",
    ],
    "board.undp@prb.example": [
        "/",
        "/board/meetings/{meeting}",
        "/board/meetings/{written}",
        "/proposals/",
        "/proposals/1",
        "/board/",
        "/board/members",
        "/board/rules",
        "/finance/",
        "/reports/portfolio?year=2018",
        "/reports/annual-section",
        "/workflow/",
        "/notifications",
        "/account",
    ],
    "finance@prb.example": [
        "/",
        "/finance/",
        "/proposals/",
        "/proposals/1",
        "/proposals/1/finance",
        "/board/",
        "/reports/portfolio?year=2018",
        "/workflow/",
        "/notifications",
        "/account",
    ],
    "secretariat@prb.example": [
        "/",
        "/proposals/",
        "/proposals/12",
        "/proposals/12/carry-over",
        "/board/",
        "/board/meetings/{meeting}",
        "/board/meetings/{written}",
        "/board/meetings/1",  # final minutes, corrigenda
        "/board/meetings/new",
        "/board/members",
        "/finance/",
        "/reports/portfolio",
        "/calls/",
        "/imports/projects",
        "/progress-reports/1",
        "/attachments/meeting/1",
        "/admin/audit",
        "/notifications",
        "/account",
    ],
    "admin@prb.example": [
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/admin/users/import",
        "/admin",
        "/admin/audit",
        "/admin/outbox",
        "/admin/programmes",
        "/admin/programmes/1",
        "/admin/groups",
        "/admin/entities",
        "/imports/projects",
        "/proposals/",
        "/account",
    ],
}

# Everything a user must be able to reach: the header's links and sign-out, and the primary
# and submit buttons of the page (those in a closed <details> too: the check opens them).
MEASURE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const width = window.innerWidth;
  const header = document.querySelector('.site-header').getBoundingClientRect();
  const problems = [];
  const name = el => (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName)
    .trim().slice(0, 40);
  const header_targets = document.querySelectorAll('.site-header a, .site-header button');
  for (const el of header_targets) {
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.right > width || r.top < header.top || r.bottom > header.bottom)
      problems.push(`header link "${name(el)}" at ${Math.round(r.left)}..${Math.round(r.right)}`
        + ` x ${Math.round(r.top)}..${Math.round(r.bottom)}, outside the dark header`);
    if (r.height < 24)
      problems.push(`header link "${name(el)}" is ${r.height.toFixed(1)} px tall (< 24)`);
  }
  const buttons = document.querySelectorAll(
    'main .button.primary, main button[type=submit], main input[type=submit]');
  for (const el of buttons) {
    // a button in a table row scrolls with its table, inside the table's own region
    if (!el.checkVisibility() || el.closest('.table-scroll')) continue;
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.right > width)
      problems.push(`button "${name(el)}" at ${Math.round(r.left)}..${Math.round(r.right)}`);
    if (r.height < 24 || r.width < 24)
      problems.push(`button "${name(el)}" is ${Math.round(r.width)}x${Math.round(r.height)} px`);
  }
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width) {
    const wide = [...document.querySelectorAll('main *')]
      .filter(el => el.getBoundingClientRect().right > width && el.checkVisibility())
      .filter(el => !el.closest('.table-scroll'))
      .slice(0, 3).map(el => el.tagName + '.' + el.className);
    problems.push(`the page scrolls sideways: ${scroll} px wide (${wide.join(', ')})`);
  }
  return problems;
}"""


def axe_on_a_phone(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe's rules that only a narrow screen can break: tap targets of at least 24 × 24 px
    or spaced apart (WCAG 2.5.8, Lighthouse's target-size) and scrolling regions a keyboard
    can reach."""
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'rule', values: "
        "['target-size', 'scrollable-region-focusable']}})"
    )
    return [f"axe {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def demo_meetings(live) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The meeting held today (open for votes) and the latest written procedure."""
    with live.app.app_context():
        latest = select(Meeting.id).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1)
        meeting = db.session.scalar(latest)
        written = db.session.scalar(latest.where(Meeting.kind == MeetingKind.WRITTEN_PROCEDURE))
        db.session.remove()
    assert meeting is not None and written is not None
    return {"meeting": meeting, "written": written}


def test_every_main_page_fits_a_phone(live, browser, tmp_path: Path) -> None:
    meetings = demo_meetings(live)
    problems: dict[str, list[str]] = {}
    for email, paths in PAGES.items():
        # one context per role (its own session), one page reused for all its pages
        # CSP is bypassed only so that the test can inject axe (as test_accessibility does)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True
        )
        context.set_default_timeout(15000)
        try:
            page = context.new_page()
            sign_in(page, live, email)
            for path in (p.format(**meetings) for p in paths):
                response = page.goto(live.url + path)
                found = (
                    [] if response and response.ok else [f"answered {response and response.status}"]
                )
                found += axe_on_a_phone(page)
                found += page.evaluate(MEASURE)
                if found:
                    shot = tmp_path / f"{email.split('@')[0]}{path.replace('/', '_')}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    problems[f"{email} {path} ({shot})"] = found
        finally:
            context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_the_vote_works_one_handed(live, browser) -> None:
    """A board member opens the meeting from the invitation's link on a phone: each option is a
    thumb-sized row across the screen, and so is the vote button."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        sign_in(page, live, "board.undp@prb.example")
        page.goto(live.url + "/board/meetings/{meeting}".format(**demo_meetings(live)))
        form = page.locator("form.vote-form").first
        options = form.locator(".radio")
        assert options.count() == 4
        for i in range(options.count()):
            box = options.nth(i).bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 280, box
        button = form.locator("input[type=submit]")
        box = button.bounding_box()
        assert box is not None and box["width"] >= 280 and box["height"] >= 44, box
        # tapping the option's label (not the small circle) chooses it
        form.get_by_text("Approve", exact=True).tap()
        assert form.locator("input[value=approve]").is_checked()
        button.tap()
        page.wait_for_load_state()
        assert "Your vote is recorded: Approve." in page.locator(".flashes").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
