"""The form of a proposal's action buttons (submit, cancel, complete …)."""

from __future__ import annotations

from wtforms.validators import Optional

from prb.web.fields import CalendarDateField
from prb.web.forms import TransitionForm


class ProposalActionForm(TransitionForm):
    # Only the actions the workflow marks `effective_date` show it; blank: today.
    effective_on = CalendarDateField("Effective date", validators=[Optional()])
