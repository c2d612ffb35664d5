"""Administration: the landing page, and the office's reference data — entities, working
groups and their chairs, funding programmes with their envelope history and results
framework. The services decide who may change what; these views parse and render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from prb.models import CodeStyle
from prb.services import finance
from prb.services.errors import Conflict, Invalid
from prb.services.reference import entities, envelopes, groups, outputs, programmes
from prb.services.reference.common import READERS, today
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.filters import long_date
from prb.web.forms import options, require_valid, show_errors
from prb.web.reference_forms import (
    ChairForm,
    EndTermForm,
    EntityForm,
    EnvelopeForm,
    GroupForm,
    OutputForm,
    ProgrammeForm,
)
from workflows import Role

bp = Blueprint("reference", __name__, url_prefix="/admin")
ADMIN = Role.ADMINISTRATOR


def _saved(message: str, endpoint: str, **values: int) -> Response:
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


@bp.route("")
@roles_required(ADMIN)
def index():  # type: ignore[no-untyped-def]
    return render_template("admin/reference/index.html")


# -- entities -------------------------------------------------------------------------------


@bp.route("/entities")
@roles_required(*READERS)
def entity_list(status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "admin/reference/entities.html",
        entities=entities.list_entities(current_user),
        may_edit=current_user.has_role(ADMIN),
    ), status


def _entity_form(entity_id: int | None):  # type: ignore[no-untyped-def]
    entity = entities.get_entity(current_user, entity_id) if entity_id else None
    form = EntityForm(obj=entity if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        data = entities.EntityInput(code=form.code.data or "", name=form.name.data or "")
        try:
            if entity is None:
                saved = entities.create_entity(current_user, data, once=form.once.data)
            else:
                saved = entities.update_entity(current_user, entity.id, data)
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            return _saved(f"Entity {saved.code} saved.", ".entity_list")
    elif request.method == "POST":
        status = 422
    return render_template("admin/reference/entity_form.html", form=form, entity=entity), status


@bp.route("/entities/new", methods=["GET", "POST"])
@reads_form(EntityForm)
@roles_required(ADMIN)
def new_entity():  # type: ignore[no-untyped-def]
    return _entity_form(None)


@bp.route("/entities/<int:entity_id>", methods=["GET", "POST"])
@reads_form(EntityForm)
@roles_required(ADMIN)
def edit_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _entity_form(entity_id)


@bp.route("/entities/<int:entity_id>/retire", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def retire_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _retire_entity(entity_id, True)


@bp.route("/entities/<int:entity_id>/reinstate", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reinstate_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _retire_entity(entity_id, False)


def _retire_entity(entity_id: int, retired: bool):  # type: ignore[no-untyped-def]
    try:
        entity = entities.set_retired(current_user, entity_id, retired)
    except Conflict as exc:
        flash(exc.message, "error")
        return entity_list(status=exc.status_code)
    done = "retired: no longer offered for new records" if retired else "back in use"
    return _saved(f"Entity {entity.code} {done}.", ".entity_list")


# -- working groups -------------------------------------------------------------------------


@bp.route("/groups")
@roles_required(*READERS)
def group_list():  # type: ignore[no-untyped-def]
    return render_template(
        "admin/reference/groups.html",
        groups=groups.list_groups(current_user),
        may_edit=current_user.has_role(ADMIN),
    )


@bp.route("/groups/<int:group_id>")
@roles_required(*READERS)
def group(  # type: ignore[no-untyped-def]
    group_id: int,
    status: int = 200,
    chair_form: ChairForm | None = None,
    end_form: EndTermForm | None = None,
    ending_term_id: int | None = None,
):
    g = groups.get_group(current_user, group_id)
    may_edit = current_user.has_role(ADMIN)
    if may_edit:
        chair_form = chair_form or ChairForm(formdata=None, since=today())
        chair_form.user_id.choices = options(
            [("", "— choose —")]
            + [(u.id, f"{u.name} ({u.entity.code})") for u in groups.chair_candidates()]
        )
        end_form = end_form or EndTermForm(formdata=None, until=today())
    terms = groups.chair_terms(g.id)
    return render_template(
        "admin/reference/group.html",
        group=g,
        terms=terms,
        reopenable=groups.reopenable(terms) if may_edit else set(),
        may_edit=may_edit,
        chair_form=chair_form,
        end_form=end_form,
        ending_term_id=ending_term_id,
    ), status


@bp.route("/groups/new", methods=["GET", "POST"])
@reads_form(GroupForm)
@roles_required(ADMIN)
def new_group():  # type: ignore[no-untyped-def]
    return _group_form(None)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@reads_form(GroupForm)
@roles_required(ADMIN)
def edit_group(group_id: int):  # type: ignore[no-untyped-def]
    return _group_form(group_id)


def _group_form(group_id: int | None):  # type: ignore[no-untyped-def]
    g = groups.get_group(current_user, group_id) if group_id else None
    form = GroupForm(obj=g if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        data = groups.GroupInput(name=form.name.data or "", short_name=form.short_name.data or "")
        try:
            if g is None:
                saved = groups.create_group(current_user, data, once=form.once.data)
            else:
                saved = groups.update_group(current_user, g.id, data)
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            return _saved(f"Working group {saved.name} saved.", ".group", group_id=saved.id)
    elif request.method == "POST":
        status = 422
    return render_template("admin/reference/group_form.html", form=form, group=g), status


@bp.route("/groups/<int:group_id>/retire", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def retire_group(group_id: int):  # type: ignore[no-untyped-def]
    return _retire_group(group_id, True)


@bp.route("/groups/<int:group_id>/reinstate", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reinstate_group(group_id: int):  # type: ignore[no-untyped-def]
    return _retire_group(group_id, False)


def _retire_group(group_id: int, retired: bool):  # type: ignore[no-untyped-def]
    try:
        g = groups.set_retired(current_user, group_id, retired)
    except Conflict as exc:
        flash(exc.message, "error")
        return group(group_id, status=exc.status_code)
    done = "retired: no longer offered for new proposals" if retired else "back in use"
    return _saved(f"{g.name} {done}.", ".group", group_id=g.id)


@bp.route("/groups/<int:group_id>/chairs", methods=["POST"])
@reads_form(ChairForm)
@roles_required(ADMIN)
def appoint_chair(group_id: int):  # type: ignore[no-untyped-def]
    form = ChairForm()
    try:
        require_valid(form)
        term = groups.appoint_chair(
            current_user, group_id, form.user_id.data, form.since.data, once=form.once.data
        )
    except (Invalid, Conflict) as exc:
        if isinstance(exc, Invalid):
            show_errors(form, exc)
        else:
            flash(exc.message, "error")
            form.once.renew()
        return group(group_id, status=exc.status_code, chair_form=form)
    return _saved(
        f"{term.user.name} chairs {term.working_group.name} from {long_date(term.since)}.",
        ".group",
        group_id=group_id,
    )


@bp.route("/chair-terms/<int:term_id>/end", methods=["POST"])
@reads_form(EndTermForm)
@roles_required(ADMIN)
def end_chair_term(term_id: int):  # type: ignore[no-untyped-def]
    group_id = groups.group_id_of(term_id)
    form = EndTermForm()
    try:
        require_valid(form)
        term = groups.end_chair_term(current_user, term_id, form.until.data)
    except (Invalid, Conflict) as exc:
        if isinstance(exc, Invalid):
            show_errors(form, exc)
        else:
            flash(exc.message, "error")
        return group(group_id, status=exc.status_code, end_form=form, ending_term_id=term_id)
    return _saved(
        f"The term of {term.user.name} ended on {long_date(term.until)}.",
        ".group",
        group_id=group_id,
    )


@bp.route("/chair-terms/<int:term_id>/reopen", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reopen_chair_term(term_id: int):  # type: ignore[no-untyped-def]
    group_id = groups.group_id_of(term_id)
    try:
        term = groups.reopen_chair_term(current_user, term_id)
    except Conflict as exc:
        flash(exc.message, "error")
        return group(group_id, status=exc.status_code)
    return _saved(
        f"The end of {term.user.name}'s term was undone: she chairs the group again.",
        ".group",
        group_id=group_id,
    )


# -- funding programmes ---------------------------------------------------------------------


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
            return _saved(f"Programme {saved.code} saved.", ".programme", programme_id=saved.id)
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
    return _saved(f"{p.code} {done}.", ".programme", programme_id=p.id)


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
    return _saved(
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
    return _saved(f"“{output.label}” added.", ".programme", programme_id=programme_id)


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
    return _saved(f"“{output.label}” {done}.", ".programme", programme_id=output.programme_id)
