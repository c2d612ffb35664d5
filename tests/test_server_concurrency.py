"""gunicorn with 4 workers on PostgreSQL: 20 board members voting, the secretariat closing
items and finance officers disbursing, all at once. Afterwards every vote is counted once,
each item has one decision, no ledger is overdrawn, and the server logged no error."""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AgendaItem, Decision, LedgerEntry, Vote
from prb.services import board, finance
from tests import factories
from tests.board_helpers import meeting
from tests.factories import PASSWORD
from workflows import ProposalState, Role

MEMBERS, OFFICERS, ITEMS = 20, 4, 3
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A signed-in user speaking HTTP to the server, CSRF token and all."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect(),
        )
        page = self.get("/login")[1]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, page[:500]
        status, _ = self.post(
            "/login", {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert status == 302, (email, status)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/")[1]).group(1)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, object]) -> tuple[int, str]:
        # As a rendered form: the CSRF token, and a fresh one-time token for forms that create.
        data = {"once": secrets.token_hex(8), **data}
        body = urllib.parse.urlencode(
            {**data, "csrf_token": getattr(self, "token", "")} if "csrf_token" not in data else data
        ).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.mark.slow
def test_gunicorn_under_concurrent_votes_closes_and_disbursements(
    app, backend, world, database_url, tmp_path
):
    ent = factories.entity("UNESCO")
    members = [
        factories.user(f"member.{i}@prb.example", ent, Role.BOARD_MEMBER) for i in range(MEMBERS)
    ]
    officers = [
        factories.user(f"officer.{i}@prb.example", world.unoct, Role.FINANCE)
        for i in range(OFFICERS)
    ]
    db.session.commit()
    m = meeting(world)
    items = [
        board.add_to_agenda(
            world.secretariat,
            m.id,
            factories.proposal(
                world,
                status=ProposalState.UNDER_REVIEW,
                title=f"Item {i}",
                requested_budget=Decimal("10000.00"),
            ).id,
        )
        for i in range(ITEMS)
    ]
    project = factories.project(
        world, status=ProposalState.ONGOING, budget=Decimal("100000.00"), code="UNCCT-2017-73-z"
    )
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("100000.00"), date(2018, 1, 1)),
    )
    item_ids, project_id = [i.id for i in items], project.id
    member_emails = [u.email for u in members]
    officer_emails = [u.email for u in officers]
    db.session.remove()

    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "PRB_DATABASE_URL": database_url,
        "PRB_SECRET_KEY": "concurrency",
        "PRB_SESSION_COOKIE_SECURE": "false",
        "PRB_SIGNING_P12": "",
        # The officers sign in with a password alone; two-step sign-in has its own tests.
        "PRB_TWO_STEP_ROLES": "",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(log),
            "--access-logfile",
            str(log),
            "prb.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        statuses: list[tuple[str, int, int]] = []  # (what, item or 0, status)
        lock = threading.Lock()

        def note(what: str, key: int, status: int) -> None:
            with lock:
                statuses.append((what, key, status))

        def voter(email: str) -> None:
            browser = Browser(base, email)
            for item_id in random.sample(item_ids, len(item_ids)):
                status, _ = browser.post(f"/board/items/{item_id}/vote", {"choice": "approve"})
                note("vote", item_id, status)

        def votes_on(item_id: int) -> int:
            with lock:
                return sum(1 for w, k, s in statuses if w == "vote" and k == item_id and s == 303)

        def secretariat() -> None:
            browser = Browser(base, "secretariat@prb.example")
            for item_id in item_ids:
                # Close once a quorum (12 of 22 eligible) has voted, while votes still arrive.
                deadline = time.monotonic() + 60
                while votes_on(item_id) < 14 and time.monotonic() < deadline:
                    time.sleep(0.01)
                status, _ = browser.post(
                    f"/board/items/{item_id}/close",
                    {"budget": "10000.00", "duration_months": "12", "start": "2019-01-01"},
                )
                note("close", item_id, status)
                status, _ = browser.post(f"/board/items/{item_id}/close", {})
                note("close again", item_id, status)

        def officer(email: str) -> None:
            browser = Browser(base, email)
            for _ in range(5):
                status, _ = browser.post(
                    f"/proposals/{project_id}/finance/entries",
                    {"kind": "disbursement", "amount": "10000.00", "value_date": "2018-06-01"},
                )
                note("disburse", 0, status)

        threads = (
            [threading.Thread(target=voter, args=(e,)) for e in member_emails]
            + [threading.Thread(target=secretariat)]
            + [threading.Thread(target=officer, args=(e,)) for e in officer_emails]
        )
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert all(status < 500 for _, _, status in statuses), statuses
    assert {s for w, _, s in statuses if w == "vote"} <= {303, 409}
    assert [s for w, _, s in statuses if w == "close"] == [303] * ITEMS
    assert [s for w, _, s in statuses if w == "close again"] == [409] * ITEMS
    for item_id in item_ids:
        accepted = sum(1 for w, k, s in statuses if w == "vote" and k == item_id and s == 303)
        stored = db.session.scalar(select(func.count(Vote.id)).where(Vote.item_id == item_id))
        decisions = db.session.scalars(
            select(Decision).join(AgendaItem).where(AgendaItem.id == item_id)
        ).all()
        assert stored == accepted, "every accepted vote is stored once"
        assert len(decisions) == 1, "each item has exactly one decision"
        d = decisions[0]
        assert d.votes_for + d.votes_against + d.votes_revision + d.votes_abstain == stored
    disbursed = db.session.scalar(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "disbursement")
    )
    assert disbursed == Decimal("100000.00")
    assert sum(1 for w, _, s in statuses if w == "disburse" and s == 303) == 10
    server_log = log.read_text()
    assert "Traceback" not in server_log and '" 500 ' not in server_log, server_log[-3000:]
