"""Search forms read from a page's query string: filters that change nothing."""

from __future__ import annotations

from flask import flash, request
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from prb.web.fields import Form, YearField, _int_or_none


class ProposalFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    # "" is "Any status": without the default an unfiltered list (the menu's link) would
    # fail the choice check and warn about a filter nobody typed.
    status = SelectField("Status", default="", validate_choice=True)
    working_group_id = SelectField("Working group", coerce=_int_or_none, validate_choice=True)
    year = YearField("Year", validators=[Optional()])
    mine = BooleanField("Only my working groups")


def read_filters(form: Form) -> None:
    """Check the filters (a field that was not understood is then ignored by the page) and
    warn only when the user gave such a field a value: an absent or blank filter is no
    filter, whatever the field thinks of it."""
    form.validate()
    if any(
        field.errors and any(value.strip() for value in request.args.getlist(field.name))
        for field in form
    ):
        flash("Some filters were not understood and were ignored.", "warning")
