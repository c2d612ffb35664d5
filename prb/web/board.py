"""Board pages: meetings and written procedures, agendas, votes, closing items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.models import utcnow
from prb.services import board as service
from prb.services import minutes
from prb.services.access import SET_UP_READERS
from prb.services.board.meetings import meeting_is_open
from prb.services.errors import Conflict, Invalid, NotAllowed
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import first_error, require_valid
from prb.web.forms import (
    AgendaForm,
    AttendanceForm,
    ChairForm,
    CloseItemForm,
    ConflictForm,
    CorrectMeetingForm,
    EndSeatForm,
    ExtensionAgendaForm,
    MarkPresentForm,
    MeetingForm,
    MinutesForm,
    ReasonForm,
    RecordConflictForm,
    RecordVoteForm,
    RulesForm,
    SeatForm,
    VoteForm,
    options,
    show_errors,
)
from prb.web.minutes_forms import minutes_form
from workflows import MeetingKind, Role, VoteChoice

bp = Blueprint("board", __name__, url_prefix="/board")

VIEWERS = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)


@bp.route("/")
@roles_required(*VIEWERS)
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "board/index.html",
        meetings=service.list_meetings(current_user),
        awaiting=service.awaiting_list(current_user),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@reads_form(MeetingForm)
@roles_required(Role.SECRETARIAT)
def new_meeting():  # type: ignore[no-untyped-def]
    form = MeetingForm()
    form.kind.choices = options((k.value, k.label) for k in MeetingKind)
    # The chair is one of the members of the meeting's date (today's until a date is given).
    form.chair_id.choices = options(
        [("", "— the Board chair of that date —")]
        + [(m.id, m.name) for m in service.board_members(on=form.held_on.data)]
    )
    form.deadline.description = (
        "Written procedure only: voting closes at this time (UTC). Leave it empty for the "
        f"rules' default period ({service.written_procedure_days()} days from the date); "
        "for one that already took place, give the time voting closed."
    )
    if request.method == "GET":
        form.number.data = service.suggested_number()
    status = 200
    if form.validate_on_submit():
        deadline = form.deadline.data.replace(tzinfo=UTC) if form.deadline.data else None
        try:
            meeting = service.schedule_meeting(
                current_user,
                service.MeetingInput(
                    number=form.number.data or "",
                    kind=form.kind.data or "",
                    held_on=form.held_on.data,
                    place=form.place.data or "",
                    chair_id=form.chair_id.data,
                    deadline=deadline,
                    recorded_after=bool(form.recorded_after.data),
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
            next_step = (
                "Now add its agenda, then enter its record."
                if meeting.recorded_after
                else "Now add its agenda."
            )
            flash(f"{meeting.kind_label} {meeting.number} scheduled. {next_step}", "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    elif request.method == "POST":
        flash("The meeting was not scheduled: please correct the fields marked.", "error")
        status = 422
    return render_template("board/meeting_form.html", form=form), status


@bp.route("/meetings/<int:meeting_id>")
@roles_required(*VIEWERS)
def meeting(  # type: ignore[no-untyped-def]
    meeting_id: int, status: int = 200, minutes_input: MinutesForm | None = None
):
    m, items = service.meeting_page(current_user, meeting_id)
    secretariat = current_user.has_role(Role.SECRETARIAT)
    members = service.board_members(on=m.held_on)
    present = service.attendance(m)
    counts = service.count_meeting(m, items=items, members=members, present=present)
    # Votes are cast by the members of the meeting's date; for a meeting entered after the
    # fact, the secretariat enters them instead.
    seated = current_user.id in {u.id for u in members}
    is_member = (
        current_user.has_role(Role.BOARD_MEMBER)
        and current_user.active
        and seated
        and not m.recorded_after
    )
    absence = service.absence_refusal(m, current_user) if is_member else None
    # A GET never writes: an item of a written procedure past its deadline stays open until
    # the worker or `prb board close-due` closes it; meanwhile the page says so and offers
    # no vote (the vote would be refused).
    voting_over = not meeting_is_open(m)
    # Final minutes or a cancellation freeze the record; a closed item freezes the facts.
    cancelled = service.cancellation(m)
    # The versions are read (as ORM rows) only for a meeting whose minutes are final.
    final = service.is_final(m)
    stored_minutes = minutes.versions(m) if final else []
    # `has_closed_item`, from the items read for the page.
    frozen = final or cancelled is not None
    minuted = any(item.status in minutes.MINUTED for item in items)
    facts_open = secretariat and not frozen and not minuted
    recording = secretariat and m.recorded_after and not frozen
    rows = []
    # One form of each kind serves every item: their labels, and the values formatted as
    # the fields format them. A WTForms form built and rendered per item was most of the
    # page's time; the template writes the same inputs as plain HTML, and the POST side
    # still validates them with VoteForm and CloseItemForm.
    close_form = CloseItemForm(formdata=None) if secretariat else None
    for item in items:
        counted = counts[item.id]
        mine = next((v for v in counted.votes if v.member_id == current_user.id), None)
        rows.append(
            {
                "item": item,
                "count": counted,
                # What the Board considered (and, once closed, the votes as recorded then).
                "considered": service.considered(item),
                # Members see others' votes only once the item is closed.
                "show_votes": secretariat or not item.is_open,
                "my_vote": mine,
                "my_recusal": counted.recused.get(current_user.id) if is_member else None,
                "awaiting_close": item.is_open and voting_over,
                "can_vote": is_member
                and item.is_open
                and not voting_over
                and current_user.id not in counted.recused
                and absence is None,
                "close": _close_values(close_form, item)
                if close_form is not None and item.is_open
                else None,
                "code_to_type": item.extension_id is None
                and secretariat
                and item.is_open
                and service.code_to_type(item.proposal),
                "record_forms": _record_forms(counted) if recording and item.is_open else None,
                # Only an item no one has voted on can be taken off the agenda.
                "can_withdraw": secretariat and not frozen and item.is_open and not counted.votes,
            }
        )
    # The vote form's label and the conflict form's one-time token: for a member who votes.
    voting = any(row["can_vote"] for row in rows)
    vote_form = VoteForm(formdata=None) if voting else None
    conflict_form = ConflictForm(formdata=None) if voting else None
    agenda_form = extension_form = None
    if secretariat and not frozen:
        agenda_form = AgendaForm(formdata=None)
        agenda_form.proposal_id.choices = options(service.agenda_choices())
        extension_form = ExtensionAgendaForm(formdata=None)
        extension_form.extension_id.choices = options(service.extension_choices())
    attendance_form = present_form = None
    if secretariat and not m.is_written_procedure and not frozen:
        attendance_form = AttendanceForm(formdata=None)
        attendance_form.present.choices = options((u.id, u.name) for u in members)
        attendance_form.present.data = [uid for uid, here in present.items() if here]
        joining = [(u.id, u.name) for u in members if not present.get(u.id)]
        if joining:
            present_form = MarkPresentForm(formdata=None)
            present_form.member_id.choices = options(joining)
    return (
        render_template(
            "board/meeting.html",
            meeting=m,
            rows=rows,
            secretariat=secretariat,
            vote_form=vote_form,
            vote_choices=VOTE_CHOICES,
            item_url=_ItemUrls(),
            close_form=close_form,
            agenda_form=agenda_form,
            extension_form=extension_form,
            attendance_form=attendance_form,
            present_form=present_form,
            correct_form=_correct_form(m, members) if facts_open else None,
            # Cancelling withdraws every item: none may have closed or have a vote.
            can_cancel=facts_open
            and not any(r["item"].is_open and not r["can_withdraw"] for r in rows),
            final=final,
            cancelled=cancelled,
            members=members,
            present=present,
            absence=absence,
            conflict_form=conflict_form,
            minutes_versions=stored_minutes,
            corrected=minutes.corrected_facts(stored_minutes),
            minutes_form=(minutes_input or minutes_form(m, stored=stored_minutes))
            if secretariat and not cancelled
            else None,
            all_closed=all(not item.is_open for item in items),
            minuted=minuted,
        ),
        status,
    )


# The correction's fields sit on the meeting page beside others: their own names and ids.
CORRECT = "correct"


def _correct_form(m, members) -> CorrectMeetingForm:  # type: ignore[no-untyped-def]
    form = CorrectMeetingForm(formdata=None, prefix=CORRECT)
    form.number.data, form.held_on.data, form.place.data = m.number, m.held_on, m.place
    form.chair_id.choices = options((u.id, u.name) for u in members)
    form.chair_id.data = m.chair_id
    return form


def _record_forms(counted) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The secretariat's forms to enter a past meeting's votes and conflicts on an item."""
    voters = [(u.id, u.name) for u in counted.members if u.id not in counted.recused]
    vote_form = RecordVoteForm(formdata=None)
    vote_form.member_id.choices = options(voters)
    vote_form.choice.choices = options((c.value, c.label) for c in VoteChoice)
    conflict_form = RecordConflictForm(formdata=None)
    conflict_form.member_id.choices = options(voters)
    return {"vote": vote_form, "conflict": conflict_form}


# An id no record has (the database's integer keys stop below it), built into an address to
# stand for the id of each item in turn.
PLACEHOLDER = 2**31 - 1


def _address(endpoint: str, key: str) -> Callable[[int], str]:
    """`url_for(endpoint, key=id)` for many ids: the address built once, around a placeholder
    id. Building each address anew (twenty items, four to seven links each) was a third of
    the page's rendering."""
    head, _, tail = url_for(endpoint, **{key: PLACEHOLDER}).partition(str(PLACEHOLDER))
    return lambda record_id: f"{head}{int(record_id)}{tail}"


class _ItemUrls:
    """The addresses of each item's links and forms, built when first asked for."""

    ENDPOINTS = {
        "proposal": ("proposals.show", "proposal_id"),
        "vote": ("board.vote", "item_id"),
        "conflict": ("board.conflict", "item_id"),
        "withdraw": ("board.withdraw", "item_id"),
        "close": ("board.close", "item_id"),
        "record_vote": ("board.record_vote", "item_id"),
        "record_conflict": ("board.record_conflict", "item_id"),
    }

    def __getattr__(self, name: str) -> Callable[[int], str]:
        if name not in self.ENDPOINTS:
            raise AttributeError(name)
        build = _address(*self.ENDPOINTS[name])
        setattr(self, name, build)
        return build


# The choices of a vote, in the order the vote forms list them.
VOTE_CHOICES = [(c.value, c.label) for c in VoteChoice]


def _close_values(form: CloseItemForm, item) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The terms put to the vote on `item`, as the close form's fields write them."""
    form.budget.data = item.proposed_budget
    form.duration_months.data = item.proposed_duration_months
    form.start.data = item.proposed_start
    form.conditions.data = item.conditions
    return {
        "budget": form.budget._value(),
        "duration_months": form.duration_months._value(),
        "start": form.start._value(),
        "conditions": form.conditions._value(),
    }


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
        _flash_refusal(exc)
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
            ),
        )
    except (Conflict, Invalid) as exc:
        _flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
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
        _flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, f"{cancelled.number} cancelled; its items are withdrawn.")


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@reads_form(ReasonForm)
@roles_required(Role.SECRETARIAT)
def withdraw(item_id: int):  # type: ignore[no-untyped-def]
    meeting_id = service.meeting_id_of(item_id)
    form = ReasonForm()
    try:
        require_valid(form)
        item = service.withdraw_item(current_user, item_id, form.reason.data or "")
    except (Conflict, Invalid) as exc:
        _flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(
        meeting_id,
        f"Item {item.position} withdrawn; {item.proposal.display_code} may go on another agenda.",
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
        return meeting(meeting_id, status=exc.status_code)
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
        return meeting(meeting_id, status=422)
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
        return meeting(meeting_id, status=exc.status_code)
    if item.decision is not None:
        d = item.decision
        message = (
            f"Decision recorded: {d.outcome_label} ({d.tally_text}). "
            f"{item.proposal.display_code} is now {item.proposal.status_label}."
        )
    else:
        message = f"Item {item.position} deferred: {item.outcome_note}"
    return _back(meeting_id, message)


def _flash_refusal(exc: Conflict | Invalid) -> None:
    flash(exc.message, "error")
    for messages in getattr(exc, "fields", {}).values():
        for message in messages:
            if message != exc.message:
                flash(message, "error")


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
        _flash_refusal(exc)
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
        _flash_refusal(exc)
        return meeting(meeting_id, status=exc.status_code)
    return _back(meeting_id, "Conflict of interest entered; the member does not vote on it.")


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
        _flash_refusal(exc)
        return members(status=exc.status_code)
    flash(f"{seat.user.name}'s seat ends on {seat.until:%d %B %Y}.", "success")
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
        _flash_refusal(exc)
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
    flash(f"Rules of procedure in force from {version.effective_from:%d %B %Y} added.", "success")
    return redirect(url_for(".rules"), 303)
