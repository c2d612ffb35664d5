"""Screenshots of each role's dashboard and of the minutes PDF, and of the main pages on a
phone, for the README. They are taken on every run (so the pages render); set
PRB_SCREENSHOTS_DIR to keep them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.conftest import sign_in
from tests.e2e.test_mobile import PHONE, demo_meetings

ROLES = {
    "chair": "chair.cted@prb.example",
    "board-member": "board.undp@prb.example",
    "finance": "finance@prb.example",
    "secretariat": "secretariat@prb.example",
}


def test_dashboards_and_minutes(live, new_page, tmp_path: Path) -> None:
    target = Path(os.environ.get("PRB_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    for name, email in ROLES.items():
        page = new_page()
        sign_in(page, live, email)
        page.goto(live.url + "/")
        page.screenshot(path=str(target / f"dashboard-{name}.png"))
    page.goto(live.url + "/board/meetings/1")
    page.screenshot(path=str(target / "meeting-secretariat.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download draft minutes (PDF)").click()
    pdf = tmp_path / "minutes.pdf"
    download.value.save_as(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(target / "minutes-draft"),
        ],
        check=True,
    )
    produced = sorted(p.name for p in target.glob("*.png"))
    assert len(produced) >= 6, produced


def test_on_a_phone(live, browser, tmp_path: Path) -> None:
    """375 × 667: a board member's dashboard, a proposal and a decided meeting (the page, up
    to three screens long), and the screen with the vote form of the meeting an invitation
    links to."""
    target = Path(os.environ.get("PRB_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    meetings = demo_meetings(live)
    shots = {
        "board.undp@prb.example": [
            ("/", "mobile-dashboard-board-member"),
            ("/proposals/1", "mobile-proposal-board-member"),
            (f"/board/meetings/{meetings['meeting']}", "mobile-vote-board-member"),
        ],
        "secretariat@prb.example": [("/board/meetings/1", "mobile-meeting-secretariat")],
    }
    for email, pages in shots.items():
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        try:
            page = context.new_page()
            sign_in(page, live, email)
            for path, name in pages:
                page.goto(live.url + path)
                if name.startswith("mobile-vote"):
                    # the screen a thumb votes on: the options and the button
                    page.locator("form.vote-form fieldset").first.scroll_into_view_if_needed()
                    page.evaluate("window.scrollBy(0, 120)")
                    page.screenshot(path=str(target / f"{name}.png"))
                    continue
                # the whole page, up to three screens (the README shows them 240 px wide)
                height = min(page.evaluate("document.documentElement.scrollHeight"), 3 * 667)
                page.screenshot(
                    path=str(target / f"{name}.png"),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height},
                )
        finally:
            context.close()
    produced = sorted(p.name for p in target.glob("mobile-*.png"))
    assert len(produced) >= 4, produced
