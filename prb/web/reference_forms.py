"""Forms of the administration pages: reference data and the audit trail's filters."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from prb.models import CodeStyle
from prb.web.fields import Form, MonthsField
from prb.web.forms import (
    AmountField,
    CalendarDateField,
    OnceField,
    YearField,
    _int_or_none,
    options,
)

# Generous bounds that keep absurd input out; the services hold the real limits.
SHORT, LONG = 300, 5000


class EntityForm(Form):
    once = OnceField()
    code = StringField(
        "Code", validators=[Length(max=SHORT)], description="As records show it, e.g. UNODC."
    )
    name = StringField("Name", validators=[Length(max=SHORT)])
    submit = SubmitField("Save the entity")


class GroupForm(Form):
    once = OnceField()
    name = StringField("Name", validators=[Length(max=SHORT)])
    short_name = StringField(
        "Short name",
        validators=[Length(max=SHORT)],
        description="Shown in lists and tables, e.g. Border management.",
    )
    submit = SubmitField("Save the working group")


class ChairForm(Form):
    once = OnceField()
    user_id = SelectField("Chair", coerce=_int_or_none, validate_choice=False)
    since = CalendarDateField("Chair from", validators=[Optional()])
    submit = SubmitField("Appoint")


class EndTermForm(Form):
    until = CalendarDateField("Term ends on", validators=[Optional()])
    submit = SubmitField("End the term")


class ProgrammeForm(Form):
    once = OnceField()
    code = StringField(
        "Code",
        validators=[Length(max=SHORT)],
        description="For example UNCCT-2019-02-79; projects' codes start with it.",
    )
    title = StringField("Title", validators=[Length(max=SHORT)])
    start_year = YearField("First year", validators=[Optional()])
    end_year = YearField("Last year", validators=[Optional()])
    envelope = AmountField(
        "Envelope (USD)",
        places=2,
        validators=[Optional()],
        description="The first row of the envelope's history, effective 1 January of the "
        "first year. Later changes are dated rows on the programme's page.",
    )
    code_style = SelectField(
        "Projects' codes",
        choices=options((str(s), s.label) for s in CodeStyle),
        validate_choice=False,
    )
    code_first_letter = StringField(
        "First letter",
        validators=[Length(max=10)],
        description="The letter of the first project, e.g. a, A or D (empty: the first "
        "letter of the alphabet). Not used for typed codes.",
    )
    open_for_proposals = BooleanField("Open for proposals", default=True)
    note = TextAreaField("Note", validators=[Length(max=LONG)])
    progress_report_months = MonthsField(
        "Progress report every (months)",
        default=6,
        validators=[Optional()],
        description="Counted from each project's actual start.",
    )
    final_report_months = MonthsField(
        "Final report due (months after the end)",
        default=3,
        validators=[Optional()],
        description="After the project's current end, extensions included.",
    )
    submit = SubmitField("Save the programme")


class EnvelopeForm(Form):
    once = OnceField()
    effective_on = CalendarDateField("Effective from", validators=[Optional()])
    amount = AmountField("New envelope (USD)", places=2, validators=[Optional()])
    reason = TextAreaField(
        "Reason",
        validators=[Length(max=LONG)],
        description="For example the donor agreement or decision that changes it.",
    )
    submit = SubmitField("Record the change")


class OutputForm(Form):
    once = OnceField()
    label = StringField(
        "Outcome and output",
        validators=[Length(max=SHORT)],
        description="As the results framework names it, e.g. Outcome 4, Output 4.2.",
    )
    submit = SubmitField("Add to the results framework")


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    event = SelectField("Event", default="", validate_choice=True)
    subject = SelectField("Changed record", default="", validate_choice=True)
    actor_id = SelectField("By", coerce=_int_or_none, validate_choice=True)
    since = CalendarDateField("From (UTC date)", validators=[Optional()])
    until = CalendarDateField("To (UTC date)", validators=[Optional()])
