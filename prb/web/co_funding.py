"""Co-funding on a project's finance page: finance staff or the secretariat record another
funder's contribution, or withdraw one recorded by mistake (never edited)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from prb.services import co_funding
from prb.services.errors import Conflict, Invalid
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import AmountField, CalendarDateField, Form
from prb.web.forms import OnceField, show_errors

bp = Blueprint("co_funding", __name__)
# The finance page has a ledger form with fields of the same names (amount, note).
PREFIX = "cf"


class CurrencyAmountField(AmountField):
    parse_message = "Enter the amount in the currency of the contribution, for example 100000.00."


class RateField(AmountField):
    parse_message = "Enter the rate as a number, for example 1.0526 (1 for USD)."


class CoFundingForm(Form):
    once = OnceField()
    funder = StringField(
        "Funder", validators=[Length(max=200)], description="For example Government of Switzerland."
    )
    amount = CurrencyAmountField("Amount", places=2, validators=[Optional()])
    currency = StringField(
        "Currency", validators=[Length(max=3)], description="ISO 4217 code: USD, EUR, CHF …"
    )
    rate_to_usd = RateField(
        "Rate to USD", places=8, validators=[Optional()], description="USD for one unit; 1 for USD."
    )
    contributed_on = CalendarDateField("Date of the contribution", validators=[Optional()])
    note = StringField("Note (optional)", validators=[Length(max=1000)])
    submit = SubmitField("Record contribution")


class WithdrawForm(Form):
    once = OnceField()
    reason = TextAreaField("Why it is withdrawn", validators=[Length(max=1000)])
    submit = SubmitField("Withdraw")


def _page(proposal_id: int, status: int, form: Form, name: str):  # type: ignore[no-untyped-def]
    from prb.web.finance import project

    return project(proposal_id, status, {name: form})


@bp.route("/proposals/<int:proposal_id>/co-funding", methods=["POST"])
@reads_form(CoFundingForm, prefix=PREFIX)
@roles_required(*co_funding.RECORDERS)
def record(proposal_id: int):  # type: ignore[no-untyped-def]
    form = CoFundingForm(prefix=PREFIX)
    if not form.validate():
        flash("The contribution was not recorded: please correct the fields marked.", "error")
        return _page(proposal_id, 422, form, "co_funding")
    try:
        row = co_funding.record_co_funding(
            current_user,
            proposal_id,
            co_funding.CoFundingInput(
                funder=form.funder.data or "",
                amount=form.amount.data,
                currency=form.currency.data or "",
                rate_to_usd=form.rate_to_usd.data,
                contributed_on=form.contributed_on.data,
                note=form.note.data or "",
            ),
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        return _page(proposal_id, 422, form, "co_funding")
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return _page(proposal_id, 409, form, "co_funding")
    flash(
        f"Contribution of {row.currency} {row.amount:,.2f} (USD {row.usd_amount:,.2f}) from "
        f"{row.funder} recorded.",
        "success",
    )
    return redirect(url_for("finance.project", proposal_id=proposal_id, _anchor="co-funding"), 303)


@bp.route(
    "/proposals/<int:proposal_id>/co-funding/<int:contribution_id>/withdraw", methods=["POST"]
)
@reads_form(WithdrawForm)
@roles_required(*co_funding.RECORDERS)
def withdraw(proposal_id: int, contribution_id: int):  # type: ignore[no-untyped-def]
    form = WithdrawForm()
    if not form.validate():
        flash("Nothing was withdrawn: please correct the fields marked.", "error")
        return _page(proposal_id, 422, form, "withdraw")
    try:
        co_funding.withdraw_co_funding(
            current_user, proposal_id, contribution_id, form.reason.data or "", once=form.once.data
        )
    except Invalid as exc:
        show_errors(form, exc)
        return _page(proposal_id, 422, form, "withdraw")
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return _page(proposal_id, 409, form, "withdraw")
    flash(f"Contribution {contribution_id} withdrawn.", "success")
    return redirect(url_for("finance.project", proposal_id=proposal_id, _anchor="co-funding"), 303)
