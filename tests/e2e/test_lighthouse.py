"""The CI subset of `make audit` (tests/audit/lighthouse.py): Lighthouse on the sign-in page,
a dashboard and a proposal, desktop and mobile, scores 100 for accessibility and best
practices. Skipped on a machine without node, Lighthouse or Chromium — except in CI (`CI`
set), where a missing tool is a failure, not a silent skip."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from prb.extensions import db
from tests import factories
from tests.audit import lighthouse
from tests.conftest import make_app
from tests.e2e.conftest import LiveServer
from workflows import ProposalState


def require_tools() -> None:
    """Skip without the tools, but fail in CI: there a skip would hide a broken install."""
    missing = lighthouse.missing_tools()
    if missing:
        message = "Lighthouse cannot run: missing " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (make test-deps installs them)")
        pytest.skip(message)


def test_missing_tools_skip_here_and_fail_in_ci(monkeypatch, tmp_path) -> None:
    def outcome() -> type[BaseException] | None:
        # Caught here, or a skip escaping this test would pass as a skip, not go red.
        try:
            require_tools()
        except BaseException as exc:
            assert "lighthouse" in str(exc)
            return type(exc)
        return None

    monkeypatch.setattr(lighthouse, "LIGHTHOUSE", tmp_path / "no-lighthouse")
    monkeypatch.delenv("CI", raising=False)
    assert outcome() is pytest.skip.Exception
    monkeypatch.setenv("CI", "true")
    assert outcome() is pytest.fail.Exception


@pytest.fixture
def small_office(tmp_path: Path) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """The factories' small world (much quicker to build than the demo) on a live server."""
    require_tools()
    app = make_app(
        f"sqlite:///{tmp_path / 'lighthouse.sqlite3'}",
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        SESSION_IDLE_MINUTES=24 * 60,
        FILES_DIRECTORY=str(tmp_path / "files"),
    )
    with app.app_context():
        db.create_all()
        world = factories.build_world()
        proposal = factories.proposal(world, status=ProposalState.UNDER_REVIEW)
        board_member = world.board_undp.email
        pages = {"anonymous": ["/login"], board_member: ["/", f"/proposals/{proposal.id}"]}
        db.session.remove()
    server = LiveServer(app)
    yield server.url, pages
    server.stop()
    with app.app_context():
        db.engine.dispose()


def test_lighthouse_scores_100_on_the_sign_in_page_a_dashboard_and_a_proposal(
    small_office, tmp_path
) -> None:
    url, pages = small_office
    results = lighthouse.audit(
        url, pages, lighthouse.PRESETS, tmp_path / "reports", factories.PASSWORD, jobs=2
    )
    assert len(results) == 6
    assert all(r.perfect for r in results), lighthouse.summary(results)
