"""Calls for proposals: the list, a call's page, and the administrator's create and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.models import Call
from prb.services import calls as service
from prb.services.errors import Conflict, Invalid
from prb.services.reference import offered_programmes, offered_working_groups
from prb.web.access import roles_required
from prb.web.call_forms import CallForm, as_utc
from prb.web.declare import reads_form
from prb.web.forms import options, show_errors
from workflows import Role

bp = Blueprint("calls", __name__, url_prefix="/calls")


def _fill_choices(form: CallForm, call: Call | None) -> None:
    # What is retired or closed is not offered, except what the call already names.
    form.programme_id.choices = options(
        [("", "— choose —")]
        + [
            (p.id, f"{p.code} — {p.title} ({p.period})")
            for p in offered_programmes([call.programme_id] if call else [])
        ]
    )
    named = [g.id for g in call.working_groups] if call else []
    form.working_group_ids.choices = options((g.id, g.name) for g in offered_working_groups(named))


def _input(form: CallForm) -> service.CallInput:
    return service.CallInput(
        programme_id=form.programme_id.data,
        title=form.title.data or "",
        opens_at=as_utc(form.opens_at.data),
        closes_at=as_utc(form.closes_at.data),
        working_group_ids=set(form.working_group_ids.data or []),
        guidance=form.guidance.data or "",
    )


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "calls/index.html",
        listing=service.list_calls(current_user),
        can_manage=service.can_manage(current_user),
    )


@bp.route("/<int:call_id>")
def show(call_id: int):  # type: ignore[no-untyped-def]
    call = service.get_call(current_user, call_id)
    phase = service.phase_of(call)
    eligible = {g.id for g in call.working_groups} & current_user.chaired_group_ids
    return render_template(
        "calls/show.html",
        call=call,
        phase=phase,
        opened=phase != service.CallPhase.UPCOMING,
        can_manage=service.can_manage(current_user),
        can_propose=bool(eligible)
        and current_user.has_role(Role.CHAIR)
        and phase != service.CallPhase.CLOSED,
        changes=service.changes(call) if current_user.has_role(*service.READERS) else [],
    )


@bp.route("/new", methods=["GET", "POST"])
@reads_form(CallForm)
@roles_required(Role.ADMINISTRATOR)
def new():  # type: ignore[no-untyped-def]
    form = CallForm()
    _fill_choices(form, None)
    status = 200
    if form.validate_on_submit():
        try:
            call = service.create_call(current_user, _input(form), once=form.once.data)
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            flash(f"The call “{call.title}” was saved.", "success")
            return redirect(url_for(".show", call_id=call.id), 303)
    elif request.method == "POST":
        flash("The call was not saved: please correct the fields marked below.", "error")
        status = 422
    return render_template("calls/form.html", form=form, call=None, opened=False), status


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@reads_form(CallForm)
@roles_required(Role.ADMINISTRATOR)
def edit(call_id: int):  # type: ignore[no-untyped-def]
    call = service.get_call(current_user, call_id)
    form = CallForm(obj=call if request.method == "GET" else None)
    _fill_choices(form, call)
    if request.method == "GET":
        form.working_group_ids.data = [g.id for g in call.working_groups]
    status = 200
    if form.validate_on_submit():
        try:
            service.update_call(current_user, call.id, _input(form))
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash(f"The call “{call.title}” was saved.", "success")
            return redirect(url_for(".show", call_id=call.id), 303)
    elif request.method == "POST":
        flash("The call was not saved: please correct the fields marked below.", "error")
        status = 422
    opened = service.phase_of(call) != service.CallPhase.UPCOMING
    return render_template("calls/form.html", form=form, call=call, opened=opened), status
