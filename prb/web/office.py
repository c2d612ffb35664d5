"""Administration → Office: the name that heads the minutes and every report PDF, and the
line under it. The service decides who may change it; this view parses and renders."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from prb.services.errors import Invalid
from prb.services.reference.office import LIMIT, OfficeName, change_office, current_office
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import show_errors
from workflows import Role

bp = Blueprint("office", __name__, url_prefix="/admin")


class OfficeForm(Form):
    name = StringField(
        "Name of the office",
        validators=[Length(max=LIMIT)],
        description="Heads the minutes and every report, e.g. United Nations Office of "
        "Counter-Terrorism.",
    )
    unit = StringField(
        "Line under it (optional)",
        validators=[Length(max=LIMIT)],
        description="On the minutes, under the office's name: e.g. the centre whose Board this is.",
    )
    submit = SubmitField("Save")


@bp.route("/office", methods=["GET", "POST"])
@reads_form(OfficeForm)
@roles_required(Role.ADMINISTRATOR)
def edit():  # type: ignore[no-untyped-def]
    form = OfficeForm(obj=current_office() if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            change_office(
                current_user, OfficeName.typed(form.name.data or "", form.unit.data or "")
            )
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash(
                "Office saved: new minutes and reports carry it (final ones stay as they were).",
                "success",
            )
            return redirect(url_for(".edit"), 303)
    elif request.method == "POST":
        status = 422
    return render_template("admin/office.html", form=form), status
