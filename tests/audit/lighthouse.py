"""`make audit`: Lighthouse (npm `lighthouse`, pinned in package.json) on PRB's main pages for
every role, desktop and mobile presets, accessibility and best practices only. Every score
must be 100: the run prints a summary (page, preset, scores, failed audits), writes the
reports beside it, and exits non-zero otherwise.

    python -m tests.audit.lighthouse                 # the demo on a fresh database, every page
    python -m tests.audit.lighthouse --url http://127.0.0.1:5000 --password …  # a running PRB
    python -m tests.audit.lighthouse --only board --preset mobile

Lighthouse drives Debian's Chromium (`CHROME_PATH`, default /usr/bin/chromium) headless; a
signed-in page is audited with the session cookie sent as an extra header, so Lighthouse
sees exactly what that person sees.
"""

from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CATEGORIES = ("accessibility", "best-practices")
PRESETS = ("desktop", "mobile")
DEMO_PASSWORD = "prb-demo-password"
# One Lighthouse run: Chromium's start, the page, the audits; far more means it hangs.
RUN_TIMEOUT_SECONDS = 240
OPEN_MEETING = "{open meeting}"

# Who sees which pages (the demo portfolio: proposal 1 is UNCCT-2017-73-a, 11 the CTED
# chair's draft, meeting 3 a written procedure). `{open meeting}` is the newest meeting the
# Board list shows, the open one whose items a member votes on (her vote form).
PAGES: dict[str, list[str]] = {
    "anonymous": ["/login", "/password/forgot"],
    "chair.cted@prb.example": [
        "/",
        "/proposals/",
        "/proposals/1",
        "/proposals/new",
        "/proposals/11/edit",
        "/calls/",
        "/workflow/",
    ],
    "board.undp@prb.example": [
        "/",
        "/proposals/",
        "/proposals/1",
        "/board/",
        OPEN_MEETING,
        "/board/meetings/3",
        "/finance/",
        "/reports/portfolio?year=2018",
        "/calls/",
    ],
    "board.chair@prb.example": ["/", OPEN_MEETING],
    "finance@prb.example": ["/", "/finance/", "/proposals/1/finance", "/reports/portfolio"],
    "secretariat@prb.example": [
        "/",
        "/proposals/",
        "/proposals/1",
        "/board/",
        OPEN_MEETING,
        "/board/meetings/new",
        "/reports/portfolio?year=2018",
        "/calls/",
        "/workflow/",
    ],
    "admin@prb.example": ["/", "/admin", "/admin/users", "/calls/"],
}


@dataclass
class Result:
    who: str
    path: str
    preset: str
    scores: dict[str, float | None] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def perfect(self) -> bool:
        return not self.error and all(self.scores.get(c) == 1 for c in CATEGORIES)

    def line(self) -> str:
        scores = " ".join(
            f"{c}={'?' if self.scores.get(c) is None else round(100 * self.scores[c])}"
            for c in CATEGORIES
        )
        head = f"{'ok  ' if self.perfect else 'FAIL'} {self.preset:<7} {self.who:<26} {self.path}"
        return f"{head}  {scores}" + (f"  {self.error}" if self.error else "")


def missing_tools() -> list[str]:
    """What this machine lacks to run Lighthouse (empty when it can)."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs)")
    if not LIGHTHOUSE.exists():
        missing.append("node_modules/.bin/lighthouse (npm ci)")
    if not Path(CHROME).exists():
        missing.append(f"Chromium at {CHROME} (apt-get install chromium)")
    return missing


class _Hidden(html.parser.HTMLParser):
    """The hidden inputs of a page's first form (the CSRF token of the sign-in form)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields.setdefault(str(values["name"]), values.get("value") or "")


def sign_in(base_url: str, email: str, password: str) -> str:
    """Sign in through the sign-in form as a browser does; the `Cookie` header to send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login", timeout=30) as response:
        form = _Hidden()
        form.feed(response.read().decode())
    data = urllib.parse.urlencode({**form.fields, "email": email, "password": password}).encode()
    with opener.open(f"{base_url}/login", data=data, timeout=30) as response:
        if response.url.rstrip("/").endswith("/login"):
            raise RuntimeError(f"could not sign in as {email} (a wrong password?)")
    # Show the "Signed in as …" message once here: the cookie Lighthouse sends never changes,
    # so a message left in it would be shown on every page audited.
    with opener.open(f"{base_url}/", timeout=30) as response:
        response.read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def open_meeting(base_url: str, cookie: str) -> str:
    """The newest meeting on the Board's list (the demo's open meeting)."""
    asked = urllib.request.Request(f"{base_url}/board/", headers={"Cookie": cookie})
    with urllib.request.urlopen(asked, timeout=30) as response:
        found = re.search(r'href="(/board/meetings/\d+)"', response.read().decode())
    if found is None:
        raise RuntimeError("the Board's list shows no meeting")
    return found.group(1)


def run_lighthouse(
    base_url: str, who: str, path: str, preset: str, cookie: str, out_dir: Path
) -> Result:
    result = Result(who, path, preset)
    name = f"{who.split('@')[0]}{path}".replace("/", "_").replace("?", "_").strip("_") or "root"
    report = out_dir / f"{name}.{preset}.json"
    command = [
        str(LIGHTHOUSE),
        base_url + path,
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--disable-full-page-screenshot",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")  # mobile is Lighthouse's default form factor
    with tempfile.TemporaryDirectory() as scratch:
        if cookie:
            headers = Path(scratch) / "headers.json"
            headers.write_text(json.dumps({"Cookie": cookie}))
            command.append(f"--extra-headers={headers}")
        try:
            done = subprocess.run(
                command,
                env={**os.environ, "CHROME_PATH": CHROME},
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            result.error = f"Lighthouse took over {RUN_TIMEOUT_SECONDS} s"
            return result
    if done.returncode != 0 or not report.exists():
        said = (done.stderr or done.stdout or "").strip().splitlines()
        result.error = said[-1] if said else f"Lighthouse exited with {done.returncode}"
        return result
    return read_report(result, json.loads(report.read_text()))


def read_report(result: Result, report: dict) -> Result:  # type: ignore[type-arg]
    """Scores per category and every audit that lost points, with the elements it names."""
    if report.get("runtimeError"):
        result.error = str(report["runtimeError"].get("message", report["runtimeError"]))
    final_url = report.get("finalDisplayedUrl") or report.get("finalUrl") or ""
    if (
        final_url
        and urllib.parse.urlsplit(final_url).path.rstrip("/").endswith("/login")
        and (not result.path.startswith("/login"))
    ):
        result.error = f"redirected to the sign-in page ({final_url})"
    audits = report.get("audits", {})
    for category in CATEGORIES:
        found = report.get("categories", {}).get(category, {})
        result.scores[category] = found.get("score")
        for ref in found.get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) == 0 or audit.get("score") in (None, 1):
                continue
            items = (audit.get("details") or {}).get("items") or []
            where = [describe(item) for item in items[:5]]
            result.failed.append(
                f"{ref['id']}: {audit.get('title', '')}"
                + "".join(f"\n        - {w}" for w in where if w)
            )
    return result


def describe(item: dict) -> str:  # type: ignore[type-arg]
    """One element or resource an audit names, short enough for a summary line."""
    node = item.get("node") or {}
    if node:
        return f"{node.get('selector', '')} {node.get('snippet', '')[:160]}".strip()
    said = []
    for key in ("source", "description", "issueType", "url", "value"):
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("value")
        if value and str(value) not in said:
            said.append(str(value))
    return (" ".join(said) or json.dumps(item))[:240]


@contextmanager
def demo_server(folder: Path) -> Iterator[str]:
    """PRB on a free localhost port: a fresh SQLite database built by the migrations, the demo
    loaded, CSRF on (as in production; the same way as tests/e2e)."""
    from flask_migrate import upgrade

    from prb.extensions import db
    from prb.services.signing import create_demo_certificate
    from tests.conftest import make_app
    from tests.e2e.conftest import LiveServer

    # The summary is the output: not a log line per request or per migration.
    for noisy in ("werkzeug", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = make_app(
        f"sqlite:///{folder / 'audit.sqlite3'}",
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        SIGNING_P12=str(create_demo_certificate(folder / "demo.p12")),
        PAGE_SIZE=25,
        FILES_DIRECTORY=str(folder / "files"),
        # Lighthouse sends the same cookie for the whole run: keep it from going idle.
        SESSION_IDLE_MINUTES=24 * 60,
    )
    with app.app_context():
        upgrade()
        loaded = app.test_cli_runner().invoke(args=["demo"])
        if loaded.exit_code != 0:
            raise RuntimeError(loaded.output)
        db.session.remove()
    server = LiveServer(app)
    try:
        yield server.url
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


def audit(
    base_url: str,
    pages: dict[str, list[str]],
    presets: Iterable[str],
    out_dir: Path,
    password: str = DEMO_PASSWORD,
    jobs: int = 1,
) -> list[Result]:
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for who, paths in pages.items():
        cookie = "" if who == "anonymous" else sign_in(base_url, who, password)
        if OPEN_MEETING in paths:
            paths = [open_meeting(base_url, cookie) if p == OPEN_MEETING else p for p in paths]
        runs += [(who, path, preset, cookie) for path in paths for preset in presets]

    def one(run: tuple[str, str, str, str]) -> Result:
        who, path, preset, cookie = run
        result = run_lighthouse(base_url, who, path, preset, cookie, out_dir)
        print(result.line(), flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, runs))


def summary(results: list[Result]) -> str:
    lines = [r.line() for r in results]
    failing = [r for r in results if not r.perfect]
    lines.append("")
    lines.append(f"{len(results) - len(failing)} of {len(results)} page runs scored 100/100.")
    for r in failing:
        lines.append(f"\n{r.preset} {r.who} {r.path}: {r.error or 'failed audits:'}")
        lines += [f"    {f}" for f in r.failed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="audit a running PRB (default: the demo on a new database)")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the accounts' password")
    parser.add_argument("--only", action="append", default=[], help="roles whose e-mail has this")
    parser.add_argument("--preset", choices=PRESETS, action="append", help="default: both")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lighthouse")
    parser.add_argument("--jobs", type=int, default=2, help="Lighthouse runs at once")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print("Lighthouse cannot run here; missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    pages = {w: p for w, p in PAGES.items() if not args.only or any(o in w for o in args.only)}
    presets = args.preset or list(PRESETS)
    started = time.monotonic()
    if args.url:
        results = audit(args.url.rstrip("/"), pages, presets, args.out, args.password, args.jobs)
    else:
        with tempfile.TemporaryDirectory() as folder, demo_server(Path(folder)) as url:
            results = audit(url, pages, presets, args.out, args.password, args.jobs)
    text = summary(results)
    (args.out / "summary.txt").write_text(text + "\n")
    print("\n" + text)
    print(f"\nReports in {args.out} ({time.monotonic() - started:.0f} s).")
    return 0 if all(r.perfect for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
