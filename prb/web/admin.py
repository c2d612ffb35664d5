"""The administrator's user accounts: add, change, give a set-password link, reset two-step
sign-in, import from a file. The services check again who may do what."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import SubmitField

from prb.services.accounts import password_links, people, two_step, user_import
from prb.services.errors import Conflict, Invalid
from prb.services.reference import offered_entities
from prb.services.spreadsheet import safe_cell
from prb.web.access import roles_required
from prb.web.auth import link_lifetime, set_password_base, set_password_url
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import OnceField, UserForm, options, show_errors
from workflows import ASSIGNABLE_ROLES, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


class ImportForm(Form):
    once = OnceField()
    file = FileField(
        "Users file (CSV)",
        description="Columns email,name,entity,roles — roles separated by “;”, "
        "the entity by its code.",
        render_kw={"accept": ".csv,text/csv"},
    )
    check = SubmitField("Check the file (dry run)")
    submit = SubmitField("Import")


class ConfirmForm(Form):
    """A button that only carries the CSRF token."""


def _fill_choices(form: UserForm, user=None) -> None:  # type: ignore[no-untyped-def]
    # Retired entities are not offered, except the one the account already belongs to.
    entities = offered_entities([user.entity_id] if user else [])
    form.entity_id.choices = options(
        [("", "— choose —")] + [(e.id, f"{e.code} — {e.name}") for e in entities]
    )
    form.roles.choices = options((str(r), r.label) for r in ASSIGNABLE_ROLES)


def _input(form: UserForm) -> people.UserInput:
    known = {str(x) for x in ASSIGNABLE_ROLES}
    return people.UserInput(
        email=form.email.data or "",
        name=form.name.data or "",
        entity_id=form.entity_id.data,
        roles={Role(r) for r in form.roles.data or [] if r in known},
        active=bool(form.active.data),
    )


def _show_link(link: password_links.IssuedLink, *, new: bool):  # type: ignore[no-untyped-def]
    url = set_password_url(link.token)
    response = current_app.make_response(
        render_template("admin/user_link.html", link=link, url=url, new=new)
    )
    response.headers["Cache-Control"] = "no-store"  # the link is shown once, never cached
    return response


@bp.route("/users")
@roles_required(Role.ADMINISTRATOR)
def users():  # type: ignore[no-untyped-def]
    return render_template("admin/users.html", users=people.list_users(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
@reads_form(UserForm)
@roles_required(Role.ADMINISTRATOR)
def new_user():  # type: ignore[no-untyped-def]
    form = UserForm()
    _fill_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            link = password_links.invite_user(
                current_user,
                _input(form),
                valid_for=link_lifetime(),
                once=form.once.data,
                link_base=set_password_base(),
            )
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            flash(f"Account for {link.user.name} created.", "success")
            return _show_link(link, new=True)
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@reads_form(UserForm)
@roles_required(Role.ADMINISTRATOR)
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    user = people.get_user(current_user, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _fill_choices(form, user)
    if request.method == "GET":
        form.roles.data = sorted(str(r) for r in user.roles)
    status = 200
    if form.validate_on_submit():
        try:
            saved = people.update_user(current_user, user.id, _input(form))
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash(f"Account of {user.name} saved.", "success")
            if (followed := saved.seat_followed) is not None:
                flash(
                    f"{user.name} sits on the Board for {followed.seat.entity.code} from today "
                    f"(her seat followed the move); past meetings still count her for the "
                    f"entity of her seat then, {followed.left.code} before today.",
                    "success",
                )
            return redirect(url_for(".users"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        two_step_on=two_step.enrolled(user),
    ), status


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
@reads_form(ConfirmForm)
@roles_required(Role.ADMINISTRATOR)
def password_link(user_id: int):  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired; nothing was done.", "error")
        return redirect(url_for(".edit_user", user_id=user_id))
    link = password_links.issue_password_link(current_user, user_id, valid_for=link_lifetime())
    flash(f"New set-password link for {link.user.name}; her older links no longer work.", "success")
    return _show_link(link, new=False)


@bp.route("/users/<int:user_id>/two-step/reset", methods=["POST"])
@reads_form(ConfirmForm)
@roles_required(Role.ADMINISTRATOR)
def reset_two_step(user_id: int):  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired; nothing was done.", "error")
        return redirect(url_for(".edit_user", user_id=user_id))
    user = two_step.reset_two_step(current_user, user_id)
    flash(f"Two-step sign-in of {user.name} is reset: she sets it up again.", "success")
    return redirect(url_for(".edit_user", user_id=user_id))


@bp.route("/users/import", methods=["GET", "POST"])
@reads_form(ImportForm)
@roles_required(Role.ADMINISTRATOR)
def import_users():  # type: ignore[no-untyped-def]
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append("Choose a CSV file.")
            status = 422
        else:
            try:
                result = user_import.import_users(
                    current_user,
                    upload.filename,
                    upload.read(),
                    dry_run=bool(form.check.data),
                    valid_for=link_lifetime(),
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
                status = 422 if result.errors else 200
    elif request.method == "POST":
        status = 422
    response = current_app.make_response(
        (
            render_template(
                "admin/user_import.html",
                form=form,
                result=result,
                roles=ASSIGNABLE_ROLES,
                link_url=set_password_url,
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# A cell a spreadsheet will not run as a formula when the table is pasted into one.
bp.add_app_template_filter(safe_cell, "spreadsheet_safe")
