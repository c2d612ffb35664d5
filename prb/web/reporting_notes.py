"""The secretariat's page where it sets how a project's duration reads in reports."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from prb.models import utcnow
from prb.services import reporting_notes as notes
from prb.services.access import get_visible_proposal
from prb.services.errors import Conflict, Invalid
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import CalendarDateField, OnceField, show_errors
from workflows import Role
from workflows.proposal import PROJECT_STATES

bp = Blueprint("reporting_notes", __name__)


class ReportingNoteForm(Form):
    once = OnceField()
    effective_on = CalendarDateField(
        "From", validators=[Optional()], description="Reports as at this date or later read it."
    )
    duration_note = StringField(
        "Duration note",
        validators=[Length(max=notes.MAX_LENGTH)],
        description="For example “subject to extension”.",
    )
    period_text = StringField(
        "Period text",
        validators=[Length(max=notes.MAX_LENGTH)],
        description="For example “March/April 2019–May/June 2020”.",
    )
    submit = SubmitField("Set the reporting note")


@bp.route("/proposals/<int:proposal_id>/reporting-notes", methods=["GET", "POST"])
@reads_form(ReportingNoteForm)
@roles_required(Role.SECRETARIAT)
def page(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = get_visible_proposal(current_user, proposal_id)
    form = ReportingNoteForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                notes.set_note(
                    current_user,
                    proposal.id,
                    notes.NoteInput(
                        form.effective_on.data,
                        form.duration_note.data or "",
                        form.period_text.data or "",
                    ),
                    once=form.once.data,
                )
            except Invalid as exc:
                show_errors(form, exc)
                status = 422
            except Conflict as exc:
                flash(exc.message, "error")
                form.once.renew()
                status = 409
            else:
                flash("Reporting note set.", "success")
                return redirect(url_for(".page", proposal_id=proposal.id), 303)
        else:
            flash("Nothing was saved: please correct the fields marked.", "error")
            status = 422
    history = notes.notes_for(proposal)
    today = utcnow().date()
    return render_template(
        "proposals/reporting_notes.html",
        proposal=proposal,
        form=form,
        notes=history,
        current=notes.in_force(history, today),
        today=today,
        is_project=proposal.status in PROJECT_STATES,
        reads=notes.duration_text,
    ), status
