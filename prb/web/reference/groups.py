"""Working groups and their chairs' terms: the list, a group's page with its chairs, adding
and renaming a group, retiring it, appointing a chair, ending a term and undoing that end."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from prb.services.errors import Conflict, Invalid
from prb.services.reference import groups
from prb.services.reference.common import READERS, today
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.filters import long_date
from prb.web.forms import options, require_valid, show_errors
from prb.web.reference import ADMIN, bp, redirect_saved
from prb.web.reference_forms import ChairForm, EndTermForm, GroupForm


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
            return redirect_saved(f"Working group {saved.name} saved.", ".group", group_id=saved.id)
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
    return redirect_saved(f"{g.name} {done}.", ".group", group_id=g.id)


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
    return redirect_saved(
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
    return redirect_saved(
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
    return redirect_saved(
        f"The end of {term.user.name}'s term was undone: she chairs the group again.",
        ".group",
        group_id=group_id,
    )
