"""Reports: the portfolio overview (Exhibit V) and the minutes PDFs."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from prb.models import JobKind
from prb.services import board, jobs, minutes, portfolio
from prb.services import proposals as proposal_service
from prb.services.errors import Conflict, Invalid
from prb.services.jobs import reports as report_jobs
from prb.services.jobs.reports import Plan
from prb.web import portfolio_rows
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import CalendarDateField, Form, YearField, _int_or_none
from prb.web.finance import csv_response
from prb.web.forms import MinutesForm, PortfolioForm, options, require_valid
from prb.web.kept import Kept, kept
from prb.web.links import per_id
from prb.web.minutes_forms import minutes_form, wanted_facts
from prb.web.params import page_number
from workflows import Role

bp = Blueprint("reports", __name__)


def _asked():  # type: ignore[no-untyped-def]
    """The form and the selection it asks for: (form, programme id, year, as-at date), each
    None when unusable (the form carries the message)."""
    form = PortfolioForm(request.args)
    form.programme_id.choices = options(
        [("", "All programmes"), *proposal_service.programme_codes()]
    )
    form.validate()
    year = form.year.data if not form.year.errors and form.year.data else None
    if year is not None and not 1990 <= year <= 2100:
        form.year.errors = ["Enter a year between 1990 and 2100."]
        year = None
    programme_id = None if form.programme_id.errors else form.programme_id.data
    as_at = None if form.as_at.errors else form.as_at.data
    return form, programme_id, year, as_at


def _selection():  # type: ignore[no-untyped-def]
    """The form and the projects it selects; an unusable as-at date gives the selection as
    at the default date and the form carries the message (the caller decides the status)."""
    form, programme_id, year, as_at = _asked()
    try:
        chosen = portfolio.select_projects(current_user, programme_id, year, as_at)
    except Invalid as exc:
        form.as_at.errors = [exc.message]
        chosen = portfolio.select_projects(current_user, programme_id, year)
    if form.year.data is None or form.year.errors:
        form.year.data = chosen.year
    return form, chosen


def _query() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in ("programme_id", "year", "as_at")}


@bp.route("/reports/portfolio")
@roles_required(*portfolio.VIEWERS)
def portfolio_page():  # type: ignore[no-untyped-def]
    # Kept while the records are unchanged (`prb.web.kept`): as at today by default, which
    # every kept page's key holds, and nothing else of the time.
    page = kept("portfolio", _overview)
    return render_template("reports/portfolio.html", title=page.title, body=page.body), page.status


def _overview() -> Kept:
    form, chosen = _selection()
    # Each table pages on its own (`page`, `pending_page`); its pager keeps the other's.
    data = portfolio.build(chosen, page_number(), page_number("pending_page"))
    status = 422 if form.as_at.errors or form.year.errors else 200
    unused = {"as_at"} if form.as_at.errors else set()
    unused |= {"year"} if form.year.errors else set()
    query = {k: v for k, v in _query().items() if k not in unused}
    link = per_id("proposals.show", "proposal_id")
    body = render_template(
        "reports/_portfolio.html",
        form=form,
        o=data,
        query=query,
        listed_query=_also(query, pending_page=data.pending_page),
        listed_rows=portfolio_rows.overview_rows(data.rows, link),
        pending_rows=portfolio_rows.overview_rows(data.pending, link),
        pending_query=_also(query, page=data.listed_page),
    )
    return Kept(body, title=data.title, status=status)


def _also(query: dict[str, str], **pages: portfolio.Page | None) -> dict[str, object]:
    """The query with the other table's page, when past its first."""
    return {**query, **{name: p.page for name, p in pages.items() if p and p.page > 1}}


def _exported() -> portfolio.Selection:
    """The projects of a download; a bad as-at date is refused, not silently replaced. Only
    the selection: whether the report is made here, in the background or not at all
    depends on its size, known before any row is built."""
    form, chosen = _selection()
    if form.as_at.errors:
        raise Invalid(f"As at: {form.as_at.errors[0]}", {"as_at": list(form.as_at.errors)})
    return chosen


@bp.route("/reports/portfolio.csv")
@roles_required(*portfolio.VIEWERS)
def portfolio_csv():  # type: ignore[no-untyped-def]
    chosen = _exported()
    if _plan(JobKind.PORTFOLIO_CSV, chosen) != Plan.INLINE:
        return _prepare(JobKind.PORTFOLIO_CSV, chosen)
    data = portfolio.build(chosen)
    return csv_response(
        portfolio.CSV_COLUMNS,
        portfolio.csv_rows(data),
        report_jobs.filename(JobKind.PORTFOLIO_CSV, data),
    )


@bp.route("/reports/portfolio.pdf")
@roles_required(*portfolio.VIEWERS)
def portfolio_pdf():  # type: ignore[no-untyped-def]
    chosen = _exported()
    if _plan(JobKind.PORTFOLIO_PDF, chosen) != Plan.INLINE:
        return _prepare(JobKind.PORTFOLIO_PDF, chosen)
    data = portfolio.build(chosen)
    return _pdf(portfolio.pdf(data), report_jobs.filename(JobKind.PORTFOLIO_PDF, data))


def _plan(kind: JobKind, chosen: portfolio.Selection) -> Plan:
    return report_jobs.plan(kind, chosen.size, report_jobs.bounds())


def _prepare(kind: JobKind, data: portfolio.Selection):  # type: ignore[no-untyped-def]
    """A report too large to make within the request: the page offering to prepare it in
    the background (a POST), or saying it was asked for already; a PDF above the cap is
    refused with the way round it. Nothing is written here: this is a GET."""
    rows = data.size
    limits = report_jobs.bounds()
    params = report_jobs.parameters(data)
    refused = report_jobs.plan(kind, rows, limits) == Plan.REFUSE
    form = ReportJobForm(
        formdata=None,
        kind=str(kind),
        programme_id=params["programme_id"],
        year=data.year,
        as_at=data.as_at,
    )
    return render_template(
        "reports/prepare.html",
        o=data,
        kind=kind,
        rows=rows,
        refused=report_jobs.too_large(rows, limits) if refused else None,
        job=None if refused else jobs.find(current_user, kind, params),
        form=form,
        query=_query(),
    ), (422 if refused else 200)


class ReportJobForm(Form):
    """Asking for a report to be prepared: the selection as shown, the as-at date resolved."""

    kind = SelectField(
        "Report", choices=options([(str(k), str(k)) for k in JobKind]), widget=HiddenInput()
    )
    programme_id = SelectField(
        "Programme", coerce=_int_or_none, validate_choice=False, widget=HiddenInput()
    )
    year = YearField("Year", validators=[InputRequired()], widget=HiddenInput())
    as_at = CalendarDateField("As at", validators=[InputRequired()], widget=HiddenInput())


@bp.route("/reports/jobs", methods=["POST"])
@reads_form(ReportJobForm)
@roles_required(*portfolio.VIEWERS)
def request_job():  # type: ignore[no-untyped-def]
    form = ReportJobForm(request.form)
    if not form.validate():
        # Every field's message: the form is hidden, so the page is the only place to say.
        problems = [f"{f.label.text}: {' '.join(f.errors)}" for f in form if f.errors]
        raise Invalid(" ".join(problems))
    params = report_jobs.asked(form.programme_id.data, form.year.data, form.as_at.data)
    try:
        job = jobs.request(current_user, JobKind(form.kind.data), params)
    except jobs.TooMany as exc:
        page = render_template(
            "error.html", status=exc.status_code, title=exc.title, message=exc.message
        )
        return page, exc.status_code, {"Retry-After": str(exc.retry_after)}
    return redirect(url_for("reports.job", job_id=job.id), 303)


@bp.route("/reports/jobs/<int:job_id>")
@roles_required(*portfolio.VIEWERS)
def job(job_id: int):  # type: ignore[no-untyped-def]
    found = jobs.get(current_user, job_id)
    form = ReportJobForm(
        formdata=None,
        kind=found.kind,
        programme_id=found.parameters.get("programme_id"),
        year=found.parameters.get("year"),
        as_at=found.as_at,
    )
    return render_template("reports/job.html", job=found, form=form)


@bp.route("/reports/jobs/<int:job_id>/download")
@roles_required(*portfolio.VIEWERS)
def download(job_id: int):  # type: ignore[no-untyped-def]
    """The prepared file; the same content always has the same ETag (its SHA-256), so a
    browser that has it gets a 304 and no body."""
    found = jobs.get(current_user, job_id)
    if not found.ready:
        raise Conflict("This report is not ready yet.")
    if found.sha256 in request.if_none_match:
        response = Response(status=304)
    else:
        found = jobs.download(current_user, job_id)
        response = Response(
            found.result,
            # Stored whole ("text/csv; charset=utf-8"): `mimetype=` would add a second charset.
            content_type=found.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
        )
    response.set_etag(found.sha256 or "")
    response.headers["X-Content-SHA256"] = found.sha256 or ""
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/board/meetings/<int:meeting_id>/minutes/draft.pdf")
@roles_required(*portfolio.VIEWERS)
def draft_minutes(meeting_id: int):  # type: ignore[no-untyped-def]
    """The draft, rendered only when its record changed since the browser's copy: its ETag
    is the SHA-256 of what it says, so an unchanged draft is a 304 without WeasyPrint."""
    meeting, tag, content = minutes.draft_pdf(
        current_user, meeting_id, unless=request.if_none_match
    )
    if content is None:
        response = Response(status=304)
    else:
        response = _pdf(content, f"{meeting.number.replace('/', '-')}-minutes-DRAFT.pdf")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/board/meetings/<int:meeting_id>/minutes/v<int:version>.pdf")
@roles_required(*portfolio.VIEWERS)
def final_minutes(meeting_id: int, version: int):  # type: ignore[no-untyped-def]
    record = minutes.stored(current_user, meeting_id, version)
    # A final version never changes (the database refuses it): cached for good, and a
    # browser that has it gets a 304.
    if record.sha256 in request.if_none_match:
        response = Response(status=304)
    else:
        response = _pdf(record.pdf, record.filename)
    response.set_etag(record.sha256)
    response.headers["X-Content-SHA256"] = record.sha256
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@bp.route("/board/meetings/<int:meeting_id>/minutes", methods=["POST"])
@reads_form(MinutesForm)
@roles_required(Role.SECRETARIAT)
def finalise(meeting_id: int):  # type: ignore[no-untyped-def]
    from prb.web.board import meeting as meeting_page

    meeting = board.get_meeting(current_user, meeting_id)
    form = minutes_form(meeting, request.form)
    try:
        require_valid(form)
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
