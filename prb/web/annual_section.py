"""The annual report's seed-funding section: choose a programme and a year, download the PDF
or the editable DOCX. For whoever may see the portfolio overview."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import InputRequired

from prb.models import utcnow
from prb.services import annual_section
from prb.services import proposals as proposal_service
from prb.services.errors import Invalid
from prb.services.jobs import reports as report_jobs
from prb.web.access import roles_required
from prb.web.fields import Form, YearField, _int_or_none
from prb.web.forms import options

bp = Blueprint("annual_section", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCOPES = [
    ("board", "Every programme the Board decided on in the year (as the 2018 report)"),
    ("programme", "This programme's projects only"),
]


class AnnualSectionForm(Form):
    class Meta:
        csrf = False  # a GET: reads only

    programme_id = SelectField(
        "Programme", coerce=_int_or_none, validators=[InputRequired()], validate_choice=True
    )
    year = YearField("Year", validators=[InputRequired()])
    scope = SelectField("Figures and overview", choices=options(SCOPES), default="board")


def _form(asked: bool) -> AnnualSectionForm:
    form = AnnualSectionForm(request.args if asked else None)
    form.programme_id.choices = options(
        [(p.id, f"{p.code} — {p.title}") for p in proposal_service.programmes()]
    )
    if not asked and form.year.data is None:
        form.year.data = utcnow().year - 1
    return form


@bp.route("/reports/annual-section")
@roles_required(*annual_section.VIEWERS)
def page():  # type: ignore[no-untyped-def]
    return render_template("reports/annual_section.html", form=_form(False))


def _section():  # type: ignore[no-untyped-def]
    """(the form, the section): the section None when the form or the service refused
    the choice; the form then carries the messages."""
    form = _form(True)
    if not form.validate():
        return form, None
    programme_id, year = form.programme_id.data, form.year.data
    whole_board = form.scope.data != "programme"
    try:
        data = annual_section.section_of_year(
            current_user,
            programme_id,
            year,
            whole_board=whole_board,
            # made while the user waits: no larger than an overview PDF made inline
            max_projects=report_jobs.bounds().inline_pdf,
        )
    except Invalid as exc:
        for name, messages in exc.fields.items():
            if name in form:
                form[name].errors = list(messages)
        if not exc.fields:
            form.year.errors = [exc.message]
        return form, None
    return form, data


def _refused(form: AnnualSectionForm):  # type: ignore[no-untyped-def]
    return render_template("reports/annual_section.html", form=form), 422


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/reports/annual-section.pdf")
@roles_required(*annual_section.VIEWERS)
def pdf():  # type: ignore[no-untyped-def]
    form, data = _section()
    if data is None:
        return _refused(form)
    return _download(
        annual_section.pdf(data), "application/pdf", annual_section.filename(data, "pdf")
    )


@bp.route("/reports/annual-section.docx")
@roles_required(*annual_section.VIEWERS)
def docx():  # type: ignore[no-untyped-def]
    from prb.services.annual_section.word import docx_bytes

    form, data = _section()
    if data is None:
        return _refused(form)
    return _download(docx_bytes(data), DOCX, annual_section.filename(data, "docx"))
