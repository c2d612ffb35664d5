"""Funding programmes: the list, a programme's page with its envelope history and results
framework, adding and editing one, retiring it, a dated envelope change, and the outputs
proposals align with."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from prb.models import CodeStyle
from prb.services import finance
from prb.services.errors import Conflict, Invalid
from prb.services.reference import envelopes, outputs, programmes
from prb.services.reference.common import READERS, today
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.filters import long_date
from prb.web.forms import require_valid, show_errors
from prb.web.reference import ADMIN, bp, redirect_saved
from prb.web.reference_forms import EnvelopeForm, OutputForm, ProgrammeForm


@bp.route("/programmes")
@roles_required(*READERS)
def programme_list():  # type: ignore[no-untyped-def]
    items = programmes.list_programmes(current_user)
    return render_template(
        "admin/reference/programmes.html",
        envelopes=finance.envelopes(items) if items else [],
        may_edit=current_user.has_role(ADMIN),
    )


@bp.route("/programmes/<int:programme_id>")
@roles_required(*READERS)
def programme(  # type: ignore[no-untyped-def]
    programme_id: int,
    status: int = 200,
    envelope_form: EnvelopeForm | None = None,
    output_form: OutputForm | None = None,
):
    p = programmes.get_programme(current_user, programme_id)
    may_edit = current_user.has_role(ADMIN)
    return render_template(
        "admin/reference/programme.html",
        programme=p,
        envelope=finance.envelope(p),
        history=envelopes.history(p.id),
        outputs=outputs.all_outputs(p.id),
        may_edit=may_edit,
        envelope_form=(envelope_form or EnvelopeForm(formdata=None, effective_on=today()))
        if may_edit
        else None,
        output_form=(output_form or OutputForm(formdata=None)) if may_edit else None,
    ), status


def _programme_input(form: ProgrammeForm) -> programmes.ProgrammeInput:
    envelope = getattr(form, "envelope", None)  # only the creation form has it
    return programmes.ProgrammeInput(
        code=form.code.data or "",
        title=form.title.data or "",
        start_year=form.start_year.data,
        end_year=form.end_year.data,
        code_style=form.code_style.data or "",
        code_first_letter=form.code_first_letter.data or "",
        open_for_proposals=bool(form.open_for_proposals.data),
        note=form.note.data or "",
        envelope=envelope.data if envelope is not None else None,
        progress_report_months=form.progress_report_months.data,
        final_report_months=form.final_report_months.data,
    )


def _programme_form(programme_id: int | None):  # type: ignore[no-untyped-def]
    p = programmes.get_programme(current_user, programme_id) if programme_id else None
    form = ProgrammeForm(obj=p if request.method == "GET" else None)
    if p is not None:
        del form.envelope  # changed only by a dated row, on the programme's page
    elif request.method == "GET":
        form.code_style.data = str(CodeStyle.LOWER)
    status = 200
    if form.validate_on_submit():
        try:
            if p is None:
                saved = programmes.create_programme(
                    current_user, _programme_input(form), once=form.once.data
                )
            else:
                saved = programmes.update_programme(current_user, p.id, _programme_input(form))
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            return redirect_saved(
                f"Programme {saved.code} saved.", ".programme", programme_id=saved.id
            )
    elif request.method == "POST":
        status = 422
    return render_template("admin/reference/programme_form.html", form=form, programme=p), status


@bp.route("/programmes/new", methods=["GET", "POST"])
@reads_form(ProgrammeForm)
@roles_required(ADMIN)
def new_programme():  # type: ignore[no-untyped-def]
    return _programme_form(None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@reads_form(ProgrammeForm, without=("envelope",))
@roles_required(ADMIN)
def edit_programme(programme_id: int):  # type: ignore[no-untyped-def]
    return _programme_form(programme_id)


@bp.route("/programmes/<int:programme_id>/retire", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def retire_programme(programme_id: int):  # type: ignore[no-untyped-def]
    return _retire_programme(programme_id, True)


@bp.route("/programmes/<int:programme_id>/reinstate", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reinstate_programme(programme_id: int):  # type: ignore[no-untyped-def]
    return _retire_programme(programme_id, False)


def _retire_programme(programme_id: int, retired: bool):  # type: ignore[no-untyped-def]
    try:
        p = programmes.set_retired(current_user, programme_id, retired)
    except Conflict as exc:
        flash(exc.message, "error")
        return programme(programme_id, status=exc.status_code)
    done = "retired: no longer offered for new proposals" if retired else "back in use"
    return redirect_saved(f"{p.code} {done}.", ".programme", programme_id=p.id)


@bp.route("/programmes/<int:programme_id>/envelope", methods=["POST"])
@reads_form(EnvelopeForm)
@roles_required(ADMIN)
def change_envelope(programme_id: int):  # type: ignore[no-untyped-def]
    form = EnvelopeForm()
    data = envelopes.EnvelopeChangeInput(
        effective_on=form.effective_on.data,
        amount=form.amount.data,
        reason=form.reason.data or "",
    )
    try:
        require_valid(form)
        change = envelopes.change_envelope(current_user, programme_id, data, once=form.once.data)
    except Invalid as exc:
        show_errors(form, exc)
        return programme(programme_id, status=exc.status_code, envelope_form=form)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return programme(programme_id, status=exc.status_code, envelope_form=form)
    return redirect_saved(
        f"Envelope of USD {change.amount:,.2f} from {long_date(change.effective_on)} recorded.",
        ".programme",
        programme_id=programme_id,
    )


@bp.route("/programmes/<int:programme_id>/outputs", methods=["POST"])
@reads_form(OutputForm)
@roles_required(ADMIN)
def add_output(programme_id: int):  # type: ignore[no-untyped-def]
    form = OutputForm()
    try:
        require_valid(form)
        output = outputs.add_output(
            current_user, programme_id, form.label.data or "", once=form.once.data
        )
    except Invalid as exc:
        show_errors(form, exc)
        return programme(programme_id, status=exc.status_code, output_form=form)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return programme(programme_id, status=exc.status_code, output_form=form)
    return redirect_saved(f"“{output.label}” added.", ".programme", programme_id=programme_id)


@bp.route("/outputs/<int:output_id>/retire", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def retire_output(output_id: int):  # type: ignore[no-untyped-def]
    return _retire_output(output_id, True)


@bp.route("/outputs/<int:output_id>/reinstate", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reinstate_output(output_id: int):  # type: ignore[no-untyped-def]
    return _retire_output(output_id, False)


def _retire_output(output_id: int, retired: bool):  # type: ignore[no-untyped-def]
    programme_id = outputs.programme_id_of(output_id)
    try:
        output = outputs.set_retired(current_user, output_id, retired)
    except Conflict as exc:
        flash(exc.message, "error")
        return programme(programme_id, status=exc.status_code)
    done = "retired: no longer offered to proposals" if retired else "back in use"
    return redirect_saved(
        f"“{output.label}” {done}.", ".programme", programme_id=output.programme_id
    )
