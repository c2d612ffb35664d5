"""The Board as data: its seats and its rules of procedure."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from prb.models import utcnow
from prb.services import board as service
from prb.services.access import SET_UP_READERS
from prb.services.errors import Conflict, Invalid
from prb.web.access import roles_required
from prb.web.board import VIEWERS, bp, flash_refusal
from prb.web.board.forms import (
    EndSeatForm,
    RulesForm,
    SeatForm,
)
from prb.web.declare import reads_form
from prb.web.fields import require_valid
from prb.web.filters import long_date
from prb.web.forms import ChairForm, options, show_errors
from workflows import Role

# -- the Board as data: seats and rules of procedure ---------------------------------------

READERS = SET_UP_READERS


@bp.route("/members")
@roles_required(*READERS)
def members(form: SeatForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    seats = service.seats(current_user)
    admin = current_user.has_role(Role.ADMINISTRATOR)
    if admin and form is None:
        form = SeatForm(formdata=None)
    if form is not None:
        form.user_id.choices = options(
            [("", "— choose —")]
            + [(u.id, f"{u.name} ({u.entity.code})") for u in service.seat_candidates()]
        )
    return (
        render_template(
            "board/members.html",
            seats=seats,
            form=form if admin else None,
            can_edit=admin,
            chair=service.board_chair(),
            today=utcnow().date(),
            board_viewer=current_user.has_role(*VIEWERS),
        ),
        status,
    )


@bp.route("/members", methods=["POST"])
@reads_form(SeatForm)
@roles_required(Role.ADMINISTRATOR)
def add_seat():  # type: ignore[no-untyped-def]
    form = SeatForm()
    try:
        require_valid(form)
        seat = service.add_seat(
            current_user,
            service.SeatInput(
                user_id=form.user_id.data,
                since=form.since.data,
                until=form.until.data,
                is_chair=bool(form.is_chair.data),
            ),
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        return members(form=form, status=exc.status_code)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return members(form=form, status=exc.status_code)
    flash(f"Seat added for {seat.user.name}.", "success")
    return redirect(url_for(".members"), 303)


@bp.route("/members/<int:seat_id>/end", methods=["POST"])
@reads_form(EndSeatForm)
@roles_required(Role.ADMINISTRATOR)
def end_seat(seat_id: int):  # type: ignore[no-untyped-def]
    form = EndSeatForm()
    try:
        require_valid(form)
        seat = service.end_seat(current_user, seat_id, form.until.data)
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return members(status=exc.status_code)
    flash(f"{seat.user.name}'s seat ends on {long_date(seat.until)}.", "success")
    return redirect(url_for(".members"), 303)


@bp.route("/members/<int:seat_id>/chair", methods=["POST"])
@reads_form(ChairForm)
@roles_required(Role.ADMINISTRATOR)
def mark_chair(seat_id: int):  # type: ignore[no-untyped-def]
    form = ChairForm()
    try:
        require_valid(form)
        seat = service.mark_chair(current_user, seat_id, form.is_chair.data == "1")
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return members(status=exc.status_code)
    verb = "chairs" if seat.is_chair else "no longer chairs"
    flash(f"{seat.user.name} {verb} the Board over this seat.", "success")
    return redirect(url_for(".members"), 303)


@bp.route("/rules")
@roles_required(*READERS)
def rules(form: RulesForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    versions = service.versions(current_user)
    admin = current_user.has_role(Role.ADMINISTRATOR)
    if admin and form is None:
        form = RulesForm(formdata=None)
        start = service.proposed_rules()
        form.quorum.data = start.quorum
        form.casting_vote.data = start.casting_vote
        form.written_procedure_days.data = start.written_procedure_days
        form.absent_may_vote.data = start.absent_may_vote
    return (
        render_template(
            "board/rules.html",
            versions=[(v, service.summary(v)) for v in versions],
            form=form if admin else None,
            board_viewer=current_user.has_role(*VIEWERS),
        ),
        status,
    )


@bp.route("/rules", methods=["POST"])
@reads_form(RulesForm)
@roles_required(Role.ADMINISTRATOR)
def add_rules():  # type: ignore[no-untyped-def]
    form = RulesForm()
    try:
        require_valid(form)
        version = service.add_rules(
            current_user,
            service.RulesInput(
                effective_from=form.effective_from.data,
                quorum=form.quorum.data or "",
                casting_vote=bool(form.casting_vote.data),
                written_procedure_days=form.written_procedure_days.data,
                absent_may_vote=bool(form.absent_may_vote.data),
                note=form.note.data or "",
            ),
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        return rules(form=form, status=exc.status_code)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return rules(form=form, status=exc.status_code)
    flash(f"Rules of procedure in force from {long_date(version.effective_from)} added.", "success")
    return redirect(url_for(".rules"), 303)
