"""The dashboard and the health check."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_file
from flask_login import current_user

from prb.models import utcnow
from prb.services import board, progress_reports
from prb.services import dashboard as dashboards
from prb.web.kept import Kept, kept

bp = Blueprint("main", __name__)

# Overdue reports listed on a dashboard (the panel's heading gives their number).
OVERDUE_SHOWN = 20

FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"
# Browsers ask for /favicon.ico on every site by themselves, signed in or not; the icon
# rarely changes, so they may keep it a month (and then revalidate with its ETag).
FAVICON_MAX_AGE = 30 * 24 * 3600


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness for load balancers and the benchmarks' baseline: touches no database."""
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The site's icon, for anyone (a public endpoint): a 404 here is a console error on
    every page. Touches no database."""
    response = send_file(FAVICON, mimetype="image/x-icon", max_age=FAVICON_MAX_AGE)
    # Private, not public: for a signed-in user the answer may carry her refreshed session
    # cookie (prb.web.security), which no shared cache may keep and hand to others.
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.route("/")
def dashboard():  # type: ignore[no-untyped-def]
    # Kept while the records are unchanged (`prb.web.kept`): its panels count days from
    # today, which every kept page's key holds, and an item awaiting a vote leaves the list
    # when its written procedure's deadline passes (`Kept.until`).
    return render_template("dashboard.html", body=kept("dashboard", _panels).body)


def _panels() -> Kept:
    awaiting = board.awaiting_list(current_user)
    body = render_template(
        "_dashboard.html",
        panels=dashboards.panels_for(current_user),
        awaiting=awaiting,
        meetings=board.open_meetings(current_user),
        minutes_due=dashboards.minutes_to_finalise(current_user),
        overdue_reports=progress_reports.dashboard_overdue(current_user, utcnow().date()),
        overdue_shown=OVERDUE_SHOWN,
        reports_to_review=progress_reports.awaiting_review(current_user),
    )
    deadlines = [item.deadline for item in awaiting if item.deadline is not None]
    return Kept(body, until=min(deadlines, default=None))
