"""The Board's pages: the meetings list, scheduling a meeting, and a meeting's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date
from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.models import utcnow
from prb.services import board as service
from prb.services import minutes
from prb.services.board.meetings import meeting_is_open
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid
from prb.services.signing import signing_configured
from prb.web.access import roles_required
from prb.web.board import VIEWERS, bp
from prb.web.board.forms import (
    AgendaForm,
    AttendanceForm,
    CloseItemForm,
    CorrectMeetingForm,
    ExtensionAgendaForm,
    MarkPresentForm,
    MeetingForm,
    RecordConflictForm,
    RecordVoteForm,
    VoteForm,
)
from prb.web.declare import reads_form
from prb.web.forms import MinutesForm, options, show_errors
from prb.web.kept import Kept, filled, kept, marks
from prb.web.minutes_forms import minutes_form
from workflows import MeetingKind, Role, VoteChoice


@bp.route("/")
@roles_required(*VIEWERS)
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "board/index.html",
        meetings=service.list_meetings(current_user),
        awaiting=service.awaiting_list(current_user),
    )


def _holder(name: str, until: date | None, today: date) -> str:
    return name if until is None or until >= today else f"{name} (seat ended {long_date(until)})"


@bp.route("/meetings/new", methods=["GET", "POST"])
@reads_form(MeetingForm)
@roles_required(Role.SECRETARIAT)
def new_meeting():  # type: ignore[no-untyped-def]
    form = MeetingForm()
    form.kind.choices = options((k.value, k.label) for k in MeetingKind)
    # Anyone who has sat on the Board: a meeting entered after the fact may have been chaired
    # by a member who has left since (the service checks her seat on the meeting's date).
    today = utcnow().date()
    form.chair_id.choices = options(
        [("", "— the Board chair of that date —")]
        + [(uid, _holder(name, until, today)) for uid, name, until in service.seat_holders()]
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
    meeting_id: int,
    status: int = 200,
    minutes_input: MinutesForm | None = None,
    typed: Typed | None = None,
):
    m = service.meeting_page(current_user, meeting_id)
    # A GET never writes: an item of a written procedure past its deadline stays open until
    # the worker or `prb board close-due` closes it; meanwhile the page says so and offers
    # no vote (the vote would be refused).
    voting_over = not meeting_is_open(m)
    if minutes_input is not None or typed is not None:
        # A refused form (a corrigendum, a closing, a correction) shown again as typed.
        body = filled(_body(m, voting_over, minutes_input, typed or Typed()))
    else:
        # Besides the records (the signed-in user's roles among them) and what every kept
        # page's key holds, the page depends on the time only through `voting_over`, and on
        # the server only through whether a signing certificate is in place.
        body = kept(
            "meeting",
            lambda: Kept(_body(m, voting_over, None, Typed())),
            voting_over,
            signing_configured(),
        ).body
    return render_template("board/meeting.html", meeting=m, body=body), status


class Typed(NamedTuple):
    """What the secretariat typed into a form the service refused: shown again in its
    panel, opened, rather than the record's values in a closed panel."""

    close_item_id: int | None = None
    close_values: dict[str, str] = {}
    correction: CorrectMeetingForm | None = None
    # A member's refused vote (another tab voted first): her choice and comment as typed.
    vote_item_id: int | None = None
    vote_choice: str = ""
    vote_comment: str = ""


def typed_close(item_id: int, form: CloseItemForm) -> Typed:
    """A refused closing's values as typed (a value that could not be read, too)."""
    names = ("budget", "duration_months", "start", "conditions", "project_code")
    return Typed(close_item_id=item_id, close_values={n: form[n]._value() for n in names})


def _body(m, voting_over: bool, minutes_input: MinutesForm | None, typed: Typed) -> str:  # type: ignore[no-untyped-def]
    """The page below its heading, with `kept.marks` where the tokens go."""
    secretariat = current_user.has_role(Role.SECRETARIAT)
    members = service.board_members(on=m.held_on)
    present = service.attendance(m)
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
    # Final minutes or a cancellation freeze the record; a closed item freezes the facts.
    cancelled = service.cancellation(m)
    # The versions are read (as ORM rows) only for a meeting whose minutes are final.
    final = service.is_final(m)
    stored_minutes = minutes.versions(m) if final else []
    frozen = final or cancelled is not None
    items = service.agenda_items(m)
    counts = service.count_meeting(m, items=items, members=members, present=present)
    minuted = any(item.status in minutes.MINUTED for item in items)
    facts_open = secretariat and not frozen and not minuted
    viewer = _Viewer(
        user_id=current_user.id,
        secretariat=secretariat,
        member=is_member,
        absent=absence is not None,
        voting_over=voting_over,
        frozen=frozen,
        recording=secretariat and m.recorded_after and not frozen,
    )
    # One form of each kind serves every item: their labels, and the values formatted as
    # the fields format them. A WTForms form built and rendered per item was most of the
    # page's time; the template writes the same inputs as plain HTML, and the POST side
    # still validates them with VoteForm and CloseItemForm.
    close_form = CloseItemForm(formdata=None) if secretariat else None
    rows = [_row(viewer, item, counts[item.id], close_form, typed) for item in items]
    # The vote form's label: for a member who votes.
    voting = any(row["can_vote"] for row in rows)
    agenda_form = extension_form = None
    # A written procedure past its deadline takes no more items (the POST says 409).
    if secretariat and not frozen and not voting_over:
        agenda_form = AgendaForm(formdata=None)
        agenda_form.proposal_id.choices = options(service.agenda_choices(m.held_on))
        extension_form = ExtensionAgendaForm(formdata=None)
        extension_form.extension_id.choices = options(service.extension_choices(m.held_on))
    attendance_form = present_form = None
    if secretariat and not m.is_written_procedure and not frozen:
        attendance_form = AttendanceForm(formdata=None)
        attendance_form.present.choices = options((u.id, u.name) for u in members)
        joining = [(u.id, u.name) for u in members if not present.get(u.id)]
        if joining:
            present_form = MarkPresentForm(formdata=None)
            present_form.member_id.choices = options(joining)
    return render_template(
        "board/_meeting.html",
        meeting=m,
        rows=rows,
        secretariat=secretariat,
        vote_form=VoteForm(formdata=None) if voting else None,
        vote_choices=VOTE_CHOICES,
        item_url=_ItemUrls(),
        close_form=close_form,
        agenda_form=agenda_form,
        extension_form=extension_form,
        attendance_form=attendance_form,
        present_form=present_form,
        correct_form=_correct_form(m, members, typed.correction) if facts_open else None,
        correction_refused=typed.correction is not None,
        # Cancelling withdraws every item: none may have closed or have a vote.
        can_cancel=facts_open
        and not any(r["item"].is_open and not r["can_withdraw"] for r in rows),
        final=final,
        cancelled=cancelled,
        members=members,
        present=present,
        absence=absence,
        minutes_versions=stored_minutes,
        corrected=minutes.corrected_facts(stored_minutes),
        will_sign=signing_configured(),
        minutes_form=(minutes_input or minutes_form(m, stored=stored_minutes))
        if secretariat and not cancelled
        else None,
        all_closed=all(not item.is_open for item in items),
        minuted=minuted,
        **marks(),
    )


class _Viewer(NamedTuple):
    """Who views the page, and what she may do there."""

    user_id: int
    secretariat: bool
    member: bool  # a member of the meeting's date, who votes at it herself
    absent: bool  # …but is not recorded present, as the rules require
    voting_over: bool
    frozen: bool
    recording: bool  # the secretariat entering a past meeting's votes


def _row(viewer: _Viewer, item, counted, close_form, typed: Typed) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the agenda shows of an item, and offers the viewer to do with it."""
    me, secretariat = viewer.user_id, viewer.secretariat
    refused_close = typed.close_item_id == item.id
    mine = next((v for v in counted.votes if v.member_id == me), None)
    return {
        "item": item,
        "count": counted,
        # What the Board considered (and, once closed, the votes as recorded then).
        "considered": service.considered(item),
        # Members see others' votes only once the item is closed.
        "show_votes": secretariat or not item.is_open,
        "my_vote": mine,
        # What she typed in a refused vote, offered again over the vote on record.
        "typed_vote": (typed.vote_choice, typed.vote_comment)
        if typed.vote_item_id == item.id
        else None,
        "my_recusal": counted.recused.get(me) if viewer.member else None,
        "awaiting_close": item.is_open and viewer.voting_over,
        "can_vote": viewer.member
        and not viewer.absent
        and item.is_open
        and not viewer.voting_over
        and me not in counted.recused,
        "close": (typed.close_values if refused_close else _close_values(close_form, item))
        if close_form is not None and item.is_open
        else None,
        "close_refused": refused_close,
        "code_to_type": item.extension_id is None
        and secretariat
        and item.is_open
        and service.code_to_type(item.proposal),
        "record_forms": _record_forms(counted) if viewer.recording and item.is_open else None,
        # Only an item no one has voted on can be taken off the agenda.
        "can_withdraw": secretariat and not viewer.frozen and item.is_open and not counted.votes,
        # Deferring leaves the question to a later meeting, votes or none.
        "can_defer": secretariat and not viewer.frozen and item.is_open,
    }


# The correction's fields sit on the meeting page beside others: their own names and ids.
CORRECT = "correct"


def _correct_form(m, members, refused: CorrectMeetingForm | None) -> CorrectMeetingForm:  # type: ignore[no-untyped-def]
    """The meeting's facts in the correction's fields — or what was typed there, refused."""
    form = refused or CorrectMeetingForm(formdata=None, prefix=CORRECT)
    form.chair_id.choices = options((u.id, u.name) for u in members)
    if refused is not None:
        return form
    form.number.data, form.held_on.data, form.place.data = m.number, m.held_on, m.place
    form.chair_id.data = m.chair_id
    # Shown as the field shows times: UTC, to the minute, without the zone.
    form.deadline.data = m.deadline.replace(tzinfo=None) if m.deadline else None
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
        "defer": ("board.defer", "item_id"),
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
        "project_code": "",
    }
