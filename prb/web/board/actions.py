"""What is posted from a meeting's page: agenda, attendance, corrections, cancelling, votes,
conflicts of interest, closing items; a refusal shows the page again."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, url_for
from flask_login import current_user

from prb.services import board as service
from prb.services.errors import Conflict, Invalid, NotAllowed
from prb.web.access import roles_required
from prb.web.board import bp, flash_refusal
from prb.web.board.forms import (
    AgendaForm,
    AttendanceForm,
    CloseItemForm,
    ConflictForm,
    CorrectMeetingForm,
    ExtensionAgendaForm,
    MarkPresentForm,
    ReasonForm,
    RecordConflictForm,
    RecordVoteForm,
    VoteForm,
)
from prb.web.board.pages import CORRECT, Typed, meeting, typed_close
from prb.web.declare import reads_form
from prb.web.fields import first_error, require_valid
from prb.web.forms import options, show_errors
from workflows import Role, VoteChoice


def _back(meeting_id: int, message: str, category: str = "success"):  # type: ignore[no-untyped-def]
    flash(message, category)
    return redirect(url_for(".meeting", meeting_id=meeting_id), 303)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@reads_form(AgendaForm)
@roles_required(Role.SECRETARIAT)
def add_item(meeting_id: int):  # type: ignore[no-untyped-def]
    form = AgendaForm()
    if not form.validate() or form.proposal_id.data is None:
        flash(first_error(form) if form.errors else "Choose a proposal to add.", "error")
        return meeting(meeting_id, status=422)
    try:
        item = service.add_to_agenda(
            current_user, meeting_id, form.proposal_id.data, once=form.once.data
        )
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, f"{item.proposal.display_code} added as item {item.position}.")


@bp.route("/meetings/<int:meeting_id>/agenda/extension", methods=["POST"])
@reads_form(ExtensionAgendaForm)
@roles_required(Role.SECRETARIAT)
def add_extension(meeting_id: int):  # type: ignore[no-untyped-def]
    form = ExtensionAgendaForm()
    if not form.validate() or form.extension_id.data is None:
        flash(first_error(form) if form.errors else "Choose an extension request to add.", "error")
        return meeting(meeting_id, status=422)
    try:
        item = service.add_extension_to_agenda(
            current_user, meeting_id, form.extension_id.data, once=form.once.data
        )
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        return meeting(meeting_id, status=exc.status_code)
    return _back(
        meeting_id,
        f"Extension of {item.proposal.display_code} added as item {item.position}.",
    )


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@reads_form(AttendanceForm)
@roles_required(Role.SECRETARIAT)
def attendance(meeting_id: int):  # type: ignore[no-untyped-def]
    form = AttendanceForm()
    try:
        require_valid(form)
        service.record_attendance(current_user, meeting_id, set(form.present.data or []))
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, "Attendance saved.")


@bp.route("/meetings/<int:meeting_id>/present", methods=["POST"])
@reads_form(MarkPresentForm)
@roles_required(Role.SECRETARIAT)
def mark_present(meeting_id: int):  # type: ignore[no-untyped-def]
    form = MarkPresentForm()
    try:
        require_valid(form)
        member = service.mark_present(current_user, meeting_id, form.member_id.data or 0)
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, f"{member.name} is marked present and may vote.")


@bp.route("/meetings/<int:meeting_id>/correct", methods=["POST"])
@reads_form(CorrectMeetingForm, prefix=CORRECT)
@roles_required(Role.SECRETARIAT)
def correct(meeting_id: int):  # type: ignore[no-untyped-def]
    form = CorrectMeetingForm(prefix=CORRECT)
    try:
        require_valid(form)
        corrected = service.correct_meeting(
            current_user,
            meeting_id,
            service.Correction(
                number=form.number.data or "",
                held_on=form.held_on.data,
                place=form.place.data or "",
                chair_id=form.chair_id.data,
                deadline=form.deadline.data.replace(tzinfo=UTC) if form.deadline.data else None,
            ),
        )
    except (Conflict, Invalid) as exc:
        if isinstance(exc, Invalid):
            show_errors(form, exc)  # the messages beside the fields, as typed
        else:
            flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code, typed=Typed(correction=form))
    return _back(meeting_id, f"{corrected.number} corrected.")


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@reads_form(ReasonForm)
@roles_required(Role.SECRETARIAT)
def cancel(meeting_id: int):  # type: ignore[no-untyped-def]
    form = ReasonForm()
    try:
        require_valid(form)
        cancelled = service.cancel_meeting(current_user, meeting_id, form.reason.data or "")
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, f"{cancelled.number} cancelled; its items are withdrawn.")


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@reads_form(ReasonForm)
@roles_required(Role.SECRETARIAT)
def withdraw(item_id: int):  # type: ignore[no-untyped-def]
    return _closed_undecided(
        item_id, service.withdraw_item, "withdrawn; {code} may go on another agenda."
    )


@bp.route("/items/<int:item_id>/defer", methods=["POST"])
@reads_form(ReasonForm)
@roles_required(Role.SECRETARIAT)
def defer(item_id: int):  # type: ignore[no-untyped-def]
    return _closed_undecided(
        item_id, service.defer_item, "deferred; {code} may go on a later agenda."
    )


def _closed_undecided(item_id: int, close, done: str):  # type: ignore[no-untyped-def]
    """An item withdrawn or deferred with the reason posted, or the page with the refusal."""
    meeting_id = service.meeting_id_of(item_id)
    form = ReasonForm()
    try:
        require_valid(form)
        item = close(current_user, item_id, form.reason.data or "")
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(
        meeting_id, f"Item {item.position} " + done.format(code=item.proposal.display_code)
    )


@bp.route("/items/<int:item_id>/vote", methods=["POST"])
@reads_form(VoteForm)
def vote(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    if not current_user.has_role(Role.BOARD_MEMBER):
        raise NotAllowed("Only board members vote.")
    form = VoteForm()
    form.choice.choices = options((c.value, c.label) for c in VoteChoice)
    if not form.validate() or not form.choice.data:
        flash(
            first_error(form)
            if form.errors
            else "Choose how you vote (approve, request revision, reject or abstain).",
            "error",
        )
        return meeting(meeting_id, status=422)
    try:
        cast = service.cast_vote(
            current_user,
            item_id,
            form.choice.data,
            form.comment.data or "",
            change=form.change.data == "1",
        )
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        typed = Typed(
            vote_item_id=item_id,
            vote_choice=form.choice.data,
            vote_comment=form.comment.data or "",
        )
        return meeting(meeting_id, status=exc.status_code, typed=typed)
    verb = "changed to" if cast.changed_at else "recorded:"
    return _back(meeting_id, f"Your vote is {verb} {cast.choice_label}.")


@bp.route("/items/<int:item_id>/conflict", methods=["POST"])
@reads_form(ConflictForm)
def conflict(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    form = ConflictForm()
    try:
        require_valid(form)
        service.declare_conflict(current_user, item_id, form.reason.data or "", once=form.once.data)
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, "Your conflict of interest is recorded; you will not vote on it.")


@bp.route("/items/<int:item_id>/close", methods=["POST"])
@reads_form(CloseItemForm)
@roles_required(Role.SECRETARIAT)
def close(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    form = CloseItemForm()
    if not form.validate():
        for field in (
            form.budget,
            form.duration_months,
            form.start,
            form.conditions,
            form.project_code,
        ):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return meeting(meeting_id, status=422, typed=typed_close(item_id, form))
    try:
        item = service.close_item(
            current_user,
            item_id,
            service.Terms(
                budget=form.budget.data,
                duration_months=form.duration_months.data,
                start=form.start.data,
                conditions=form.conditions.data or "",
                project_code=form.project_code.data or "",
            ),
        )
    except (Conflict, Invalid) as exc:
        flash(exc.message, "error")
        for messages in getattr(exc, "fields", {}).values():
            for message in messages:
                flash(message, "error")
        return meeting(meeting_id, status=exc.status_code, typed=typed_close(item_id, form))
    if item.decision is not None:
        d = item.decision
        message = (
            f"Decision recorded: {d.outcome_label} ({d.tally_text}). "
            f"{item.proposal.display_code} is now {item.proposal.status_label}."
        )
    else:
        message = f"Item {item.position} deferred: {item.outcome_note}"
    return _back(meeting_id, message)


@bp.route("/items/<int:item_id>/record-vote", methods=["POST"])
@reads_form(RecordVoteForm)
@roles_required(Role.SECRETARIAT)
def record_vote(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    form = RecordVoteForm()
    form.choice.choices = options((c.value, c.label) for c in VoteChoice)
    if not form.validate() or not form.choice.data:
        flash(
            first_error(form)
            if form.errors
            else "Choose the member and the vote recorded for her.",
            "error",
        )
        return meeting(meeting_id, status=422)
    try:
        vote = service.record_vote(
            current_user,
            item_id,
            form.member_id.data,
            form.choice.data,
            form.comment.data or "",
            once=form.once.data,
        )
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, f"Vote entered: {vote.member.name} — {vote.choice_label}.")


@bp.route("/items/<int:item_id>/record-conflict", methods=["POST"])
@reads_form(RecordConflictForm)
@roles_required(Role.SECRETARIAT)
def record_conflict(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    form = RecordConflictForm()
    try:
        require_valid(form)
        service.record_conflict(
            current_user,
            item_id,
            form.member_id.data,
            form.reason.data or "",
            once=form.once.data,
        )
    except (Conflict, Invalid) as exc:
        flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, "Conflict of interest entered; the member does not vote on it.")
