"""The Board's forms: meetings, their agendas, attendance, votes and closings, seats and
rules of procedure. They parse what the browser sent; the services decide what is allowed."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from prb.web.fields import (
    AmountField,
    CalendarDateField,
    DaysField,
    Form,
    MonthsField,
    MultiCheckboxField,
    UTCDateTimeField,
    _int_or_none,
    parse_id,
)
from prb.web.forms import OnceField


def _deadline_field(label: str, description: str) -> UTCDateTimeField:
    """A written procedure's deadline, as the browser's date-time input sends it (or typed
    with a space), in UTC: scheduling and correcting read it alike."""
    return UTCDateTimeField(
        label,
        validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        description=description,
    )


class MeetingForm(Form):
    once = OnceField()
    number = StringField(
        "Number", validators=[Length(max=40)], description="For example PRB/2018/03"
    )
    kind = SelectField("Kind")
    held_on = CalendarDateField("Date", validators=[Optional()])
    place = StringField(
        "Place", validators=[Length(max=200)], description="A room, a city, or “virtual”."
    )
    chair_id = SelectField("Chair", coerce=_int_or_none, validate_choice=False)
    deadline = _deadline_field(
        "Deadline (UTC)", "Written procedure only: voting closes at this time (UTC)."
    )
    recorded_after = BooleanField("This meeting already took place")
    submit = SubmitField("Schedule")


class AgendaForm(Form):
    once = OnceField()
    proposal_id = SelectField("Proposal under review", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Add to the agenda")


class AttendanceForm(Form):
    present = MultiCheckboxField("Members present", coerce=parse_id, validate_choice=False)
    submit = SubmitField("Save attendance")


class VoteForm(Form):
    choice = RadioField("Your vote", validate_choice=False)
    comment = TextAreaField("Comment (optional)", validators=[Length(max=1000)])
    change = HiddenField()
    submit = SubmitField("Cast my vote")


class ConflictForm(Form):
    once = OnceField()
    reason = TextAreaField("Reason", validators=[Length(max=1000)])
    submit = SubmitField("Declare a conflict of interest")


class CloseItemForm(Form):
    budget = AmountField("Approved budget (USD)", places=2, validators=[Optional()])
    duration_months = MonthsField("Approved duration (months)", validators=[Optional()])
    start = CalendarDateField("Start of the approved period", validators=[Optional()])
    conditions = TextAreaField("Conditions", validators=[Length(max=5000)])
    project_code = StringField(
        "Project code",
        validators=[Length(max=40)],
        description="Typed-code programmes: required, e.g. UNCCT-2019-02-79-D. Others: leave "
        "empty for the next letter of the programme's pattern, or type a code in that pattern.",
    )
    submit = SubmitField("Close voting and record the decision")


class RecordVoteForm(Form):
    once = OnceField()
    member_id = SelectField("Member", coerce=_int_or_none, validate_choice=False)
    choice = RadioField("Vote as recorded", validate_choice=False)
    comment = TextAreaField("Comment (optional)", validators=[Length(max=1000)])
    submit = SubmitField("Enter the vote")


class RecordConflictForm(Form):
    once = OnceField()
    member_id = SelectField("Member", coerce=_int_or_none, validate_choice=False)
    reason = TextAreaField("Reason declared", validators=[Length(max=1000)])
    submit = SubmitField("Enter the conflict of interest")


class MarkPresentForm(Form):
    member_id = SelectField("Member joining", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Mark present")


class CorrectMeetingForm(Form):
    number = StringField("Number", validators=[Length(max=40)])
    held_on = CalendarDateField("Date", validators=[Optional()])
    place = StringField("Place", validators=[Length(max=200)])
    chair_id = SelectField("Chair", coerce=_int_or_none, validate_choice=False)
    deadline = _deadline_field(
        "Voting closes (UTC)", "Written procedure only; it can be moved until it passes."
    )
    submit = SubmitField("Correct the meeting")


class ReasonForm(Form):
    """Withdrawing an item, cancelling a meeting: the reason goes on record."""

    reason = TextAreaField("Reason", validators=[Length(max=1000)])


class SeatForm(Form):
    once = OnceField()
    user_id = SelectField("Board member", coerce=_int_or_none, validate_choice=False)
    since = CalendarDateField("First day", validators=[Optional()])
    until = CalendarDateField(
        "Last day", validators=[Optional()], description="Leave empty while the seat is held."
    )
    is_chair = BooleanField("Chairs the Board over this seat")
    submit = SubmitField("Add the seat")


class EndSeatForm(Form):
    until = CalendarDateField("Last day", validators=[Optional()])
    submit = SubmitField("End the seat")


class RulesForm(Form):
    once = OnceField()
    effective_from = CalendarDateField("In force from", validators=[Optional()])
    quorum = StringField(
        "Quorum",
        validators=[Length(max=12)],
        description="More than this share of the eligible members must vote, e.g. 1/2.",
    )
    casting_vote = BooleanField("The chair's vote decides a tie when she is present")
    written_procedure_days = DaysField(
        "Written procedure: default period (days)", validators=[Optional()]
    )
    absent_may_vote = BooleanField("A member recorded absent from a meeting may vote")
    note = TextAreaField("Note (optional)", validators=[Length(max=2000)])
    submit = SubmitField("Add the version")


class ExtensionAgendaForm(Form):
    once = OnceField()
    extension_id = SelectField("Extension request", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Add to the agenda")
