"""WTForms: they parse what the browser sent; the services decide what is allowed."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from decimal import Decimal

from flask import flash
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, Select, TextInput

from prb.models import Scope
from prb.services.errors import Invalid
from prb.services.proposal_rules import LABELS, LIMITS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _FriendlyParse:
    """Replaces WTForms' terse parse errors with a message that says what to type."""

    parse_message = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            self.data = None
            raise ValueError(self.parse_message) from None


class AmountField(_FriendlyParse, DecimalField):
    parse_message = "Enter an amount in US dollars, for example 150000.00."
    # Beyond any budget, and keeps NaN, Infinity and 1E+999999 out of the arithmetic.
    limit = Decimal("1000000000000")

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or abs(self.data) >= self.limit):
            self.data = None
            raise ValueError("Enter an amount in US dollars below USD 1,000,000,000,000.")


class MonthsField(_FriendlyParse, IntegerField):
    parse_message = "Enter a whole number of months, for example 12."

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not -10_000 < self.data < 10_000:
            self.data = None
            raise ValueError("Enter a number of months between 1 and 60.")


class YearField(_FriendlyParse, IntegerField):
    parse_message = "Enter a year, for example 2018."

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not 1990 <= self.data <= 2100:
            self.data = None
            raise ValueError("Enter a year between 1990 and 2100.")


class CalendarDateField(_FriendlyParse, DateField):
    parse_message = "Enter a real date as year-month-day, for example 2019-01-01."


class UTCDateTimeField(_FriendlyParse, DateTimeLocalField):
    parse_message = "Enter a date and time, for example 2018-12-14 17:00."


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a select or checkbox list, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


MAX_ID = 2**31 - 1  # database integer keys


def _int_or_none(value: object) -> int | None:
    """A key chosen in a select, or None for nothing (or nonsense) chosen."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


class PickListField(SelectField):
    """A select when there is a list to pick from, a text box when there is none; the
    service checks that a picked value is on the list."""

    widget = TextInput()

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

    def offer(self, values: list[str], note: str) -> None:
        """Turn the field into a select of `values`; a current value not on the list stays
        visible (marked), so that it is never dropped without the user seeing it."""
        pairs = [("", "— choose —")] + [(v, v) for v in values]
        if self.data and self.data not in values:
            pairs.append((self.data, f"{self.data} (not on the list)"))
        self.choices = options(pairs)
        self.widget = Select()
        self.description = note


class ProposalForm(FlaskForm):
    programme_id = SelectField(LABELS["programme_id"], coerce=_int_or_none, validate_choice=False)
    call_id = SelectField(
        LABELS["call_id"],
        coerce=_int_or_none,
        validate_choice=False,
        description="Leave it to PRB to take the call that is open when you submit, or choose "
        "a call open (or about to open) to your working group.",
    )
    working_group_id = SelectField(
        LABELS["working_group_id"], coerce=_int_or_none, validate_choice=False
    )
    title = StringField(LABELS["title"], validators=[Length(max=LIMITS["title"])])
    lead_entity_id = SelectField(
        LABELS["lead_entity_id"], coerce=_int_or_none, validate_choice=False
    )
    implementing_entity_ids = MultiCheckboxField(
        LABELS["implementing_entity_ids"], coerce=int, validate_choice=False
    )
    objective = TextAreaField(
        LABELS["objective"],
        description="One line: what the project will achieve (as in the portfolio overview).",
    )
    description = TextAreaField(LABELS["description"])
    thematic_area = StringField(LABELS["thematic_area"])
    scope = SelectField(LABELS["scope"], choices=options((s, s) for s in Scope.ALL))
    scope_detail = StringField(
        LABELS["scope_detail"], description="Required for a regional or national scope."
    )
    results_alignment = PickListField(
        LABELS["results_alignment"], description="For example: Outcome 4, Output 4.2"
    )
    requested_budget = AmountField(
        LABELS["requested_budget"] + " (USD)",
        places=2,
        validators=[Optional()],
        description="In US dollars, for example 150000.00",
    )
    duration_months = MonthsField(LABELS["duration_months"] + " (months)", validators=[Optional()])
    duration_note = StringField(
        LABELS["duration_note"] + " (optional)",
        description="As reports print it after the months, e.g. subject to extension.",
    )
    planned_start = CalendarDateField(
        LABELS["planned_start"],
        validators=[Optional()],
        description="The day the project is planned to start.",
    )
    version = HiddenField()
    once = HiddenField(default=_new_token)
    save = SubmitField("Save draft")
    submit_proposal = SubmitField("Save and submit to the Board")


class TransitionForm(FlaskForm):
    expected_status = HiddenField()
    comment = TextAreaField("Comment", validators=[Length(max=2000)])


class ProposalFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField("Status", validate_choice=True)
    working_group_id = SelectField("Working group", coerce=_int_or_none, validate_choice=True)
    year = YearField("Year", validators=[Optional()])
    mine = BooleanField("Only my working groups")


class UserForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[InputRequired("Enter the e-mail address."), Length(max=254)]
    )
    name = StringField("Name", validators=[Length(max=120)])
    entity_id = SelectField("Entity", coerce=_int_or_none, validate_choice=False)
    roles = MultiCheckboxField("Roles", validate_choice=False)
    active = BooleanField("Account active", default=True)
    submit = SubmitField("Save account")


def show_errors(form: FlaskForm, exc: Invalid) -> None:
    """Put a service's field messages next to the fields, and its summary at the top."""
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
    flash(exc.message, "error")


class MeetingForm(FlaskForm):
    number = StringField(
        "Number", validators=[Length(max=40)], description="For example PRB/2018/03"
    )
    kind = SelectField("Kind")
    held_on = CalendarDateField("Date", validators=[Optional()])
    place = StringField(
        "Place", validators=[Length(max=200)], description="A room, a city, or “virtual”."
    )
    chair_id = SelectField("Chair", coerce=_int_or_none, validate_choice=False)
    deadline = UTCDateTimeField(
        "Deadline (UTC)",
        validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        description="Written procedure only: voting closes at this time (UTC).",
    )
    recorded_after = BooleanField("This meeting already took place")
    submit = SubmitField("Schedule")


class AgendaForm(FlaskForm):
    proposal_id = SelectField("Proposal under review", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Add to the agenda")


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField("Members present", coerce=int, validate_choice=False)
    submit = SubmitField("Save attendance")


class VoteForm(FlaskForm):
    choice = RadioField("Your vote", validate_choice=False)
    comment = TextAreaField("Comment (optional)", validators=[Length(max=1000)])
    change = HiddenField()
    submit = SubmitField("Cast my vote")


class ConflictForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Length(max=1000)])
    submit = SubmitField("Declare a conflict of interest")


class CloseItemForm(FlaskForm):
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


class RecordVoteForm(FlaskForm):
    member_id = SelectField("Member", coerce=_int_or_none, validate_choice=False)
    choice = RadioField("Vote as recorded", validate_choice=False)
    comment = TextAreaField("Comment (optional)", validators=[Length(max=1000)])
    submit = SubmitField("Enter the vote")


class RecordConflictForm(FlaskForm):
    member_id = SelectField("Member", coerce=_int_or_none, validate_choice=False)
    reason = TextAreaField("Reason declared", validators=[Length(max=1000)])
    submit = SubmitField("Enter the conflict of interest")


class MarkPresentForm(FlaskForm):
    member_id = SelectField("Member joining", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Mark present")


class CorrectMeetingForm(FlaskForm):
    number = StringField("Number", validators=[Length(max=40)])
    held_on = CalendarDateField("Date", validators=[Optional()])
    place = StringField("Place", validators=[Length(max=200)])
    chair_id = SelectField("Chair", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Correct the meeting")


class ReasonForm(FlaskForm):
    """Withdrawing an item, cancelling a meeting: the reason goes on record."""

    reason = TextAreaField("Reason", validators=[Length(max=1000)])


class SeatForm(FlaskForm):
    user_id = SelectField("Board member", coerce=_int_or_none, validate_choice=False)
    since = CalendarDateField("First day", validators=[Optional()])
    until = CalendarDateField(
        "Last day", validators=[Optional()], description="Leave empty while the seat is held."
    )
    is_chair = BooleanField("Chairs the Board over this seat")
    submit = SubmitField("Add the seat")


class EndSeatForm(FlaskForm):
    until = CalendarDateField("Last day", validators=[Optional()])
    submit = SubmitField("End the seat")


class ChairForm(FlaskForm):
    is_chair = HiddenField()
    submit = SubmitField("Change")


class DaysField(_FriendlyParse, IntegerField):
    parse_message = "Enter a whole number of days, for example 14."


class RulesForm(FlaskForm):
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


class EntryForm(FlaskForm):
    kind = SelectField("Kind of entry")
    amount = AmountField(
        "Amount (USD)",
        places=2,
        validators=[Optional()],
        description="",
    )
    value_date = CalendarDateField("Date", validators=[Optional()])
    reference = StringField(
        "Reference",
        validators=[Length(max=100)],
        description="For example the payment or obligation number.",
    )
    note = StringField("Note", validators=[Length(max=1000)])
    reverses_id = SelectField("Entry to reverse", coerce=_int_or_none, validate_choice=False)
    once = HiddenField(default=_new_token)
    submit = SubmitField("Record entry")


class ProjectDatesForm(FlaskForm):
    actual_start = CalendarDateField("Actual start", validators=[Optional()])
    final_report_on = CalendarDateField("Final report received", validators=[Optional()])
    spent_reported = AmountField(
        "Amount spent, per the final report (USD)", places=2, validators=[Optional()]
    )
    submit = SubmitField("Save project dates")


class ExtensionForm(FlaskForm):
    months = MonthsField(
        "Extension (months)", validators=[Optional()], description="Either a number of months…"
    )
    new_end = CalendarDateField("…or the new end date", validators=[Optional()])
    additional_funds = AmountField(
        "Additional funds (USD)",
        places=2,
        validators=[Optional()],
        description="Leave empty or 0 for a no-cost extension.",
    )
    justification = TextAreaField("Justification", validators=[Length(max=5000)])
    submit = SubmitField("Request the extension")


class ReviewForm(FlaskForm):
    review = TextAreaField(
        "Finance review",
        validators=[Length(max=4000)],
        description="PRB adds the balance and burn rate as of today.",
    )
    submit = SubmitField("Save the review")


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    programme_id = SelectField("Programme", coerce=_int_or_none, validate_choice=True)
    working_group_id = SelectField("Working group", coerce=_int_or_none, validate_choice=True)


class ExtensionAgendaForm(FlaskForm):
    extension_id = SelectField("Extension request", coerce=_int_or_none, validate_choice=False)
    submit = SubmitField("Add to the agenda")


class PortfolioForm(FlaskForm):
    class Meta:
        csrf = False

    programme_id = SelectField("Programme", coerce=_int_or_none, validate_choice=True)
    year = YearField("Year", validators=[Optional()])
    as_at = CalendarDateField("As at (UTC date)", validators=[Optional()])


class MinutesForm(FlaskForm):
    note = TextAreaField("What this corrigendum corrects", validators=[Length(max=2000)])
    once = HiddenField(default=_new_token)
    submit = SubmitField("Finalise the minutes")
