"""WTForms: they parse what the browser sent; the services decide what is allowed."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from decimal import Decimal

from flask import flash, has_request_context, request
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import Select, TextInput

from prb.models import Scope
from prb.services.errors import Invalid
from prb.services.proposal_rules import LABELS, LIMITS, ProposalInput, validate
from prb.web.fields import (  # noqa: F401 (the forms' modules take their fields from here)
    MAX_ID,
    AmountField,
    CalendarDateField,
    DaysField,
    Form,
    MonthsField,
    MultiCheckboxField,
    UTCDateTimeField,
    VersionField,
    YearField,
    _int_or_none,
    first_error,
    parse_id,
    require_valid,
)


def new_once_token() -> str:
    return secrets.token_urlsafe(24)


class OnceField(HiddenField):
    """A form's one-time token. A fresh one is drawn when the form is shown; a submission
    without the field gets "" (not a fresh default, which would let a replay through), and
    the service refuses it. Shown again after such a refusal, the form carries a new token."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, default=new_once_token, **kwargs)

    def process(self, formdata, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().process(formdata, *args, **kwargs)
        # Flask-WTF passes no form data at all for a POST with an empty body: that is a
        # submission without the token too, not a form being shown.
        if formdata is None and has_request_context() and request.method == "POST":
            self.data = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist else ""

    def _value(self) -> str:
        return self.data or new_once_token()

    def renew(self) -> None:
        """After a refusal the form is shown again: with a token not yet spent."""
        self.data = new_once_token()


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a select or checkbox list, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


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


# The fields a submission needs, as the submission rule itself says: what it refuses in an
# empty proposal (global scope, so the countries are not among them). The form marks these;
# no list is kept by hand beside the rule.
NEEDED_TO_SUBMIT = frozenset(
    validate(
        ProposalInput(programme_id=None, working_group_id=None),
        for_submission=True,
        max_budget=Decimal(1),
        envelope=None,
    )
)


class ProposalForm(Form):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # aria-required tells assistive technology what the "(required)" label text tells
        # everyone else (the `field` macro writes it from this attribute).
        for name in NEEDED_TO_SUBMIT:
            self[name].render_kw = {**(self[name].render_kw or {}), "aria-required": "true"}

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
        LABELS["implementing_entity_ids"], coerce=parse_id, validate_choice=False
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
    version = VersionField()
    once = OnceField()
    save = SubmitField("Save draft")
    submit_proposal = SubmitField("Save and submit to the Board")


class TransitionForm(Form):
    expected_status = HiddenField()
    comment = TextAreaField("Comment", validators=[Length(max=2000)])


class UserForm(Form):
    once = OnceField()
    email = EmailField(
        "E-mail", validators=[InputRequired("Enter the e-mail address."), Length(max=254)]
    )
    name = StringField("Name", validators=[Length(max=120)])
    entity_id = SelectField("Entity", coerce=_int_or_none, validate_choice=False)
    roles = MultiCheckboxField("Roles", validate_choice=False)
    active = BooleanField("Account active", default=True)
    submit = SubmitField("Save account")


def show_errors(form: Form, exc: Invalid) -> None:
    """Put a service's field messages next to the fields, and its summary at the top."""
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
    flash(exc.message, "error")


class ChairForm(Form):
    is_chair = HiddenField()
    submit = SubmitField("Change")


class EntryForm(Form):
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
    once = OnceField()
    submit = SubmitField("Record entry")


class ProjectDatesForm(Form):
    actual_start = CalendarDateField("Actual start", validators=[Optional()])
    final_report_on = CalendarDateField("Final report received", validators=[Optional()])
    spent_reported = AmountField(
        "Amount spent, per the final report (USD)", places=2, validators=[Optional()]
    )
    seen = HiddenField()
    submit = SubmitField("Save project dates")


class ExtensionForm(Form):
    once = OnceField()
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


class ReviewForm(Form):
    review = TextAreaField(
        "Finance review",
        validators=[Length(max=4000)],
        description="PRB adds the balance and burn rate as of today.",
    )
    submit = SubmitField("Save the review")


class DashboardFilterForm(Form):
    class Meta:
        csrf = False

    programme_id = SelectField("Programme", coerce=_int_or_none, validate_choice=True)
    working_group_id = SelectField("Working group", coerce=_int_or_none, validate_choice=True)


class PortfolioForm(Form):
    class Meta:
        csrf = False

    programme_id = SelectField("Programme", coerce=_int_or_none, validate_choice=True)
    year = YearField("Year", validators=[Optional()])
    as_at = CalendarDateField("As at (UTC date)", validators=[Optional()])


class MinutesForm(Form):
    note = TextAreaField("What this corrigendum corrects", validators=[Length(max=2000)])
    once = OnceField()
    submit = SubmitField("Finalise the minutes")
