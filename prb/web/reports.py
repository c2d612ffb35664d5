"""Reports: the portfolio overview (Exhibit V) and the minutes PDFs."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.services import board, minutes, portfolio
from prb.services import proposals as proposal_service
from prb.services.errors import Conflict, Invalid
from prb.web.access import roles_required
from prb.web.finance import csv_response
from prb.web.forms import PortfolioForm, options
from prb.web.minutes_forms import minutes_form, wanted_facts
from workflows import Role

bp = Blueprint("reports", __name__)


def _overview(paged: bool = False):  # type: ignore[no-untyped-def]
    """The form and the overview; an unusable as-at date gives the overview as at the
    default date and the form carries the message (the caller decides the status)."""
    form = PortfolioForm(request.args)
    form.programme_id.choices = options(
        [("", "All programmes")] + [(p.id, p.code) for p in proposal_service.programmes()]
    )
    form.validate()
    year = form.year.data if not form.year.errors and form.year.data else None
    if year is not None and not 1990 <= year <= 2100:
        year = None
    programme_id = None if form.programme_id.errors else form.programme_id.data
    as_at = None if form.as_at.errors else form.as_at.data
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdigit() and len(page_arg) < 9 else 1
    try:
        data = portfolio.overview(
            current_user, programme_id, year, page if paged else None, as_at=as_at
        )
    except Invalid as exc:
        form.as_at.errors = [exc.message]
        data = portfolio.overview(current_user, programme_id, year, page if paged else None)
    if form.year.data is None or form.year.errors:
        form.year.data = data.year
    return form, data


def _query() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in ("programme_id", "year", "as_at")}


@bp.route("/reports/portfolio")
@roles_required(*portfolio.VIEWERS)
def portfolio_page():  # type: ignore[no-untyped-def]
    form, data = _overview(paged=True)
    status = 422 if form.as_at.errors else 200
    query = _query() if status == 200 else {k: v for k, v in _query().items() if k != "as_at"}
    return render_template("reports/portfolio.html", form=form, o=data, query=query), status


def _exported():  # type: ignore[no-untyped-def]
    """The overview for a download; a bad as-at date is refused, not silently replaced."""
    form, data = _overview()
    if form.as_at.errors:
        raise Invalid(f"As at: {form.as_at.errors[0]}", {"as_at": list(form.as_at.errors)})
    return data


@bp.route("/reports/portfolio.csv")
@roles_required(*portfolio.VIEWERS)
def portfolio_csv():  # type: ignore[no-untyped-def]
    data = _exported()
    return csv_response(
        portfolio.CSV_COLUMNS,
        portfolio.csv_rows(data),
        f"prb-portfolio-{data.year}-as-at-{data.as_at.isoformat()}.csv",
    )


@bp.route("/reports/portfolio.pdf")
@roles_required(*portfolio.VIEWERS)
def portfolio_pdf():  # type: ignore[no-untyped-def]
    data = _exported()
    return _pdf(
        portfolio.pdf(data), f"prb-portfolio-{data.year}-as-at-{data.as_at.isoformat()}.pdf"
    )


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/board/meetings/<int:meeting_id>/minutes/draft.pdf")
@roles_required(*portfolio.VIEWERS)
def draft_minutes(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting, content = minutes.draft_pdf(current_user, meeting_id)
    return _pdf(content, f"{meeting.number.replace('/', '-')}-minutes-DRAFT.pdf")


@bp.route("/board/meetings/<int:meeting_id>/minutes/v<int:version>.pdf")
@roles_required(*portfolio.VIEWERS)
def final_minutes(meeting_id: int, version: int):  # type: ignore[no-untyped-def]
    record = minutes.stored(current_user, meeting_id, version)
    response = _pdf(record.pdf, record.filename)
    response.headers["X-Content-SHA256"] = record.sha256
    return response


@bp.route("/board/meetings/<int:meeting_id>/minutes", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def finalise(meeting_id: int):  # type: ignore[no-untyped-def]
    from prb.web.board import meeting as meeting_page

    meeting = board.get_meeting(current_user, meeting_id)
    form = minutes_form(meeting, request.form)
    form.validate()
    try:
        record = minutes.finalise(
            current_user,
            meeting_id,
            form.note.data or "",
            facts=wanted_facts(form),
            once=form.once.data,
        )
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        for name, messages in getattr(exc, "fields", {}).items():
            if name in form:
                form[name].errors = list(messages)
        return meeting_page(meeting_id, status=exc.status_code, minutes_input=form)
    flash(
        f"{record.label} of {record.meeting.number} finalised"
        f"{' and signed' if record.signed else ''}. SHA-256 {record.sha256}.",
        "success",
    )
    return redirect(url_for("board.meeting", meeting_id=meeting_id) + "#minutes", 303)
