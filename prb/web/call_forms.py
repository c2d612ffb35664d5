"""Forms of calls for proposals and of carrying a proposal over."""

from __future__ import annotations

from datetime import UTC, datetime

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from prb.services.calls import GUIDANCE_LIMIT, LABELS, TITLE_LIMIT
from prb.services.carry_over import REASON_LIMIT
from prb.web.fields import Form
from prb.web.forms import MultiCheckboxField, OnceField, UTCDateTimeField, _int_or_none, parse_id

# What a browser's datetime-local input sends, and what a person types without one.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class CallForm(Form):
    once = OnceField()
    programme_id = SelectField(LABELS["programme_id"], coerce=_int_or_none, validate_choice=False)
    title = StringField(
        LABELS["title"],
        validators=[Length(max=TITLE_LIMIT)],
        description="For example: Call for proposals 2019–2020.",
    )
    opens_at = UTCDateTimeField(
        LABELS["opens_at"],
        validators=[Optional()],
        format=DATETIME_FORMATS,
        description="In UTC, not your local time: submissions are accepted from this moment, "
        "for example 2019-03-01 00:00.",
    )
    closes_at = UTCDateTimeField(
        LABELS["closes_at"],
        validators=[Optional()],
        format=DATETIME_FORMATS,
        description="In UTC: submissions are refused from this moment on, "
        "for example 2019-04-30 23:59.",
    )
    working_group_ids = MultiCheckboxField(
        LABELS["working_group_ids"], coerce=parse_id, validate_choice=False
    )
    guidance = TextAreaField(
        LABELS["guidance"],
        validators=[Length(max=GUIDANCE_LIMIT)],
        description="Shown on the proposal form to the chairs writing for this call.",
    )
    submit = SubmitField("Save the call")


def as_utc(value: datetime | None) -> datetime | None:
    """The form's fields are labelled UTC: a time typed there is a UTC time."""
    return value.replace(tzinfo=UTC) if value is not None else None


class CarryOverForm(Form):
    once = OnceField()
    call_id = SelectField("To the call", coerce=_int_or_none, validate_choice=False)
    programme_id = SelectField(
        "Or to the programme",
        coerce=_int_or_none,
        validate_choice=False,
        description="Without a call: for a programme that has none open or to come yet.",
    )
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Length(max=REASON_LIMIT)],
        description="Kept in the proposal's history with the carry-over.",
    )
    submit = SubmitField("Carry the proposal over")
