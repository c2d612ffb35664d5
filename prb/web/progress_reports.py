"""Progress and final reports' pages: the chair's form, the report, the secretariat's
accept / send back, and the chair's resubmission. The schedule is on the project's page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from prb.models import OwnerKind, ProgressReport, Proposal, ReportKind
from prb.services import attachments
from prb.services import progress_reports as service
from prb.services.errors import Conflict, Invalid
from prb.services.files.checks import MB
from prb.services.progress_reports import Slot
from prb.services.progress_reports.use_cases import MAX_PART
from prb.web.access import roles_required
from prb.web.attachments import FORM_OVERHEAD, files_store, upload_limit
from prb.web.declare import reads_form
from prb.web.fields import CalendarDateField
from prb.web.forms import AmountField, Form, OnceField, first_error, show_errors
from workflows import PROGRESS_REPORT, ReportState, ReportTrigger, Role

bp = Blueprint("progress_reports", __name__)

# The report's form carries its narrative beside an optional file.
REPORT_FORM_ENDPOINTS = ("progress_reports.new", "progress_reports.resubmit")
NARRATIVE_ROOM = 1024 * 1024


class ReportForm(Form):
    once = OnceField()
    expected_status = HiddenField()
    activities = TextAreaField(
        "Activities", validators=[Length(max=MAX_PART)], description="What was done."
    )
    results = TextAreaField(
        "Results against the outputs",
        validators=[Length(max=MAX_PART)],
        description="What was achieved, output by output.",
    )
    challenges = TextAreaField("Challenges", validators=[Length(max=MAX_PART)])
    next_steps = TextAreaField("Next steps", validators=[Length(max=MAX_PART)])
    spent_to_date = AmountField("Spent to date (USD)", places=2, validators=[Optional()])
    unspent_balance = AmountField(
        "Unspent balance (USD)",
        places=2,
        validators=[Optional()],
        description="What is left of the funds received; it is returned or released before "
        "the project is completed.",
    )
    file = FileField(
        "Supporting document (optional)",
        render_kw={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg"},
        description="A report, a product or a financial statement: PDF, DOCX, XLSX, ODT, ODS, "
        "PNG or JPEG. More files can be added on the report's page.",
    )
    submit = SubmitField("Submit the report")


class DecisionForm(Form):
    expected_status = HiddenField()
    reason = TextAreaField("Reason", validators=[Length(max=4000)])
    # Accepting only; blank: today. An earlier day when the acceptance is recorded after it.
    accepted_on = CalendarDateField("Accepted on", validators=[Optional()])


def _input(form: ReportForm) -> service.ReportInput:
    return service.ReportInput(
        activities=form.activities.data or "",
        results=form.results.data or "",
        challenges=form.challenges.data or "",
        next_steps=form.next_steps.data or "",
        spent_to_date=form.spent_to_date.data,
        unspent_balance=form.unspent_balance.data,
    )


@bp.url_value_preprocessor
def _allow_a_file(endpoint: str | None, values: dict | None) -> None:  # type: ignore[type-arg]
    """The report's form may carry a file larger than the app-wide request limit; a file a
    little over the file limit is still read, so the page keeps what was typed (422)."""
    if endpoint in REPORT_FORM_ENDPOINTS:
        request.max_content_length = upload_limit() + FORM_OVERHEAD + NARRATIVE_ROOM


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    message = (
        f"The file is far larger than {upload_limit() / MB:g} MB, so nothing was read or "
        "saved: go back, choose a smaller file and submit the report again."
    )
    return render_template("error.html", status=413, title="Too large", message=message), 413


def _files(form: ReportForm) -> service.Files | None:
    upload = form.file.data
    if upload is None or not upload.filename:
        return None
    return service.Files([(upload.filename, upload.read())], files_store(), upload_limit())


def _due(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


def _form_page(
    form: ReportForm,
    proposal: Proposal,
    slot: Slot,
    report: ProgressReport | None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    if slot.kind != ReportKind.FINAL:
        del form.unspent_balance
    return (
        render_template(
            "progress_reports/form.html", form=form, proposal=proposal, slot=slot, report=report
        ),
        status,
    )


@bp.route("/proposals/<int:proposal_id>/reports/<kind>/<due>", methods=["GET", "POST"])
@reads_form(ReportForm, without=("expected_status",))
@roles_required(Role.CHAIR)
def new(proposal_id: int, kind: str, due: str):  # type: ignore[no-untyped-def]
    proposal, slot = service.submission_slot(current_user, proposal_id, kind, _due(due))
    form = ReportForm()
    del form.expected_status  # a new report has no status yet
    if request.method == "GET":
        return _form_page(form, proposal, slot, None)
    if not form.validate():
        flash(f"The report was not saved. {first_error(form)}", "error")
        return _form_page(form, proposal, slot, None, 422)
    try:
        report = service.submit_report(
            current_user,
            proposal.id,
            slot.kind,
            slot.due_on,
            _input(form),
            once=form.once.data,
            files=_files(form),
        )
    except Invalid as exc:
        show_errors(form, exc)
        form.once.renew()
        return _form_page(form, proposal, slot, None, 422)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return _form_page(form, proposal, slot, None, 409)
    flash(f"{slot.label} submitted: the secretariat reviews it next.", "success")
    return redirect(url_for(".show", report_id=report.id), 303)


@bp.route("/progress-reports/<int:report_id>")
def show(report_id: int):  # type: ignore[no-untyped-def]
    return _show(service.get_report(current_user, report_id))


def _show(  # type: ignore[no-untyped-def]
    report: ProgressReport, status: int = 200, typed: tuple[str, DecisionForm] | None = None
):
    """The report's page; `typed`: a decision refused for what was typed in its form (the
    trigger and the form), shown again with why beside each field."""
    return (
        render_template(
            "progress_reports/show.html",
            report=report,
            proposal=report.proposal,
            actions=service.actions(current_user, report),
            page=attachments.attachments_page(current_user, OwnerKind.REPORT, report.id),
            form=DecisionForm(expected_status=report.status, formdata=None),
            typed_trigger=typed[0] if typed else None,
            typed_form=typed[1] if typed else None,
            ReportTrigger=ReportTrigger,
        ),
        status,
    )


@bp.route("/progress-reports/<int:report_id>/<trigger>", methods=["POST"])
@reads_form(DecisionForm)
@roles_required(Role.SECRETARIAT)
def decide(report_id: int, trigger: str):  # type: ignore[no-untyped-def]
    if trigger not in (ReportTrigger.ACCEPT, ReportTrigger.RETURN):
        abort(404)
    form = DecisionForm()
    if not form.validate():
        flash(f"{first_error(form)} Nothing was done.", "error")
        return _show(service.get_report(current_user, report_id), 422, (trigger, form))
    try:
        report = service.decide_report(
            current_user,
            report_id,
            trigger,
            form.reason.data or "",
            expected_status=form.expected_status.data or None,
            accepted_on=form.accepted_on.data,
        )
    except Invalid as exc:
        # The page again, with what was typed, and why nothing happened beside the field.
        show_errors(form, exc)
        return _show(service.get_report(current_user, report_id), 422, (trigger, form))
    except Conflict as exc:
        # The page again, as it is now, with why nothing happened (409).
        flash(exc.message, "error")
        return _show(service.get_report(current_user, report_id), exc.status_code)
    label = PROGRESS_REPORT.transition(trigger).label
    flash(f"{label}: the {report.summary} is now {report.status_label}.", "success")
    return redirect(url_for(".show", report_id=report.id), 303)


@bp.route("/progress-reports/<int:report_id>/resubmit", methods=["GET", "POST"])
@reads_form(ReportForm, without=("once",))
@roles_required(Role.CHAIR)
def resubmit(report_id: int):  # type: ignore[no-untyped-def]
    report = service.get_report(current_user, report_id)
    slot = Slot(report.due_on, ReportKind(report.kind))
    if request.method == "GET":
        form = ReportForm(obj=report, expected_status=report.status)
        del form.once  # the resubmission is guarded by the status the chair saw
        if report.status != ReportState.RETURNED:
            flash(f"The {report.summary} is {report.status_label}; it cannot be resubmitted.")
            return redirect(url_for(".show", report_id=report.id))
        return _form_page(form, report.proposal, slot, report)
    form = ReportForm()
    del form.once
    if not form.validate():
        flash(f"The report was not saved. {first_error(form)}", "error")
        return _form_page(form, report.proposal, slot, report, 422)
    try:
        service.resubmit_report(
            current_user,
            report_id,
            _input(form),
            expected_status=form.expected_status.data or None,
            files=_files(form),
        )
    except Invalid as exc:
        show_errors(form, exc)
        return _form_page(form, report.proposal, slot, report, 422)
    except Conflict as exc:
        flash(exc.message, "error")
        return _form_page(form, report.proposal, slot, report, 409)
    flash("The report was resubmitted: the secretariat reviews it next.", "success")
    return redirect(url_for(".show", report_id=report_id), 303)
