"""The dashboard and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from prb.models import utcnow
from prb.services import board, progress_reports
from prb.services import dashboard as dashboards

bp = Blueprint("main", __name__)

# Overdue reports listed on a dashboard (the panel's heading gives their number).
OVERDUE_SHOWN = 20


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness for load balancers and the benchmarks' baseline: touches no database."""
    return {"status": "ok"}


@bp.route("/")
def dashboard():  # type: ignore[no-untyped-def]
    return render_template(
        "dashboard.html",
        panels=dashboards.panels_for(current_user),
        awaiting=board.awaiting_list(current_user),
        meetings=board.open_meetings(current_user),
        minutes_due=dashboards.minutes_to_finalise(current_user),
        overdue_reports=progress_reports.dashboard_overdue(current_user, utcnow().date()),
        overdue_shown=OVERDUE_SHOWN,
        reports_to_review=progress_reports.awaiting_review(current_user),
    )
