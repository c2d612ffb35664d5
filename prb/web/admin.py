"""The secretariat's user administration."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.services import proposals as proposal_service
from prb.services import users as service
from prb.services.errors import Invalid
from prb.web.access import roles_required
from prb.web.forms import UserForm, options, show_errors
from workflows import ASSIGNABLE_ROLES, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _fill_choices(form: UserForm) -> None:
    form.entity_id.choices = options(
        [("", "— choose —")] + [(e.id, f"{e.code} — {e.name}") for e in proposal_service.entities()]
    )
    form.roles.choices = options((str(r), r.label) for r in ASSIGNABLE_ROLES)
    form.chaired_group_ids.choices = options(
        (g.id, g.name) for g in proposal_service.working_groups()
    )


def _input(form: UserForm, *, new: bool) -> service.UserInput:
    roles = {Role(r) for r in form.roles.data or [] if r in {str(x) for x in ASSIGNABLE_ROLES}}
    password = form.password.data or None
    return service.UserInput(
        email=form.email.data or "",
        name=form.name.data or "",
        entity_id=form.entity_id.data,
        roles=roles,
        chaired_group_ids=set(form.chaired_group_ids.data or []),
        is_board_chair=bool(form.is_board_chair.data),
        active=bool(form.active.data),
        password=password if (new or password) else None,
    )


@bp.route("/users")
@roles_required(Role.SECRETARIAT)
def users():  # type: ignore[no-untyped-def]
    return render_template("admin/users.html", users=service.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def new_user():  # type: ignore[no-untyped-def]
    form = UserForm()
    _fill_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = service.create_user(current_user, _input(form, new=True))
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash(f"Account for {user.name} created.", "success")
            return redirect(url_for(".users"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    user = service.get_user(current_user, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        form.roles.data = sorted(str(r) for r in user.roles)
        form.chaired_group_ids.data = sorted(user.chaired_group_ids)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_user(current_user, user.id, _input(form, new=False))
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash(f"Account of {user.name} saved.", "success")
            return redirect(url_for(".users"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=user), status
