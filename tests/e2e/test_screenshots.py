"""Screenshots of each role's dashboard and of the minutes PDF, for the README. They are
taken on every run (so the pages render); set PRB_SCREENSHOTS_DIR to keep them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.conftest import sign_in

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
