"""What is done to a proposal from its page: the lifecycle actions (submit, approve, cancel
…, some with the day they took effect) and the secretariat's carry-over to a later call.
The routes belong to the `proposals` blueprint, so their endpoints (`proposals.act`, …) are
those of the other proposal pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from prb.services import calls, lifecycle
from prb.services import carry_over as carrying
from prb.services.access import get_visible_proposal
from prb.services.errors import Conflict, Invalid
from prb.web.access import roles_required
from prb.web.call_forms import CarryOverForm
from prb.web.declare import reads_form
from prb.web.forms import first_error, options, show_errors
from prb.web.lifecycle_forms import ProposalActionForm
from prb.web.proposals import bp, render_show
from workflows import PROPOSAL, Role


@bp.route("/<int:proposal_id>/actions/<trigger>", methods=["POST"])
@reads_form(ProposalActionForm)
def act(proposal_id: int, trigger: str):  # type: ignore[no-untyped-def]
    form = ProposalActionForm()
    if not form.validate_on_submit():
        # Not hers: 403 (or 404), whatever she typed — as when the form reads.
        lifecycle.refuse_if_not_permitted(current_user, proposal_id, trigger)
        flash(f"{first_error(form)} Nothing was done.", "error")
        return render_show(proposal_id, 422, (trigger, form))
    try:
        proposal = lifecycle.fire(
            current_user,
            proposal_id,
            trigger,
            comment=form.comment.data or "",
            expected_status=form.expected_status.data or None,
            effective_on=form.effective_on.data,
        )
    except Invalid as exc:
        # The page again, with what was typed, and why nothing happened beside the field.
        show_errors(form, exc)
        return render_show(proposal_id, exc.status_code, (trigger, form))
    except Conflict as exc:
        # The page again, as it is now, with why nothing happened (409).
        flash(exc.message, "error")
        return render_show(proposal_id, exc.status_code)
    label = PROPOSAL.transition(trigger).label
    flash(f"{label}: proposal {proposal.display_code} is now {proposal.status_label}.", "success")
    return redirect(url_for(".show", proposal_id=proposal.id), 303)


@bp.route("/<int:proposal_id>/carry-over", methods=["GET", "POST"])
@reads_form(CarryOverForm)
@roles_required(Role.SECRETARIAT)
def carry_over(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = get_visible_proposal(current_user, proposal_id)
    if request.method == "GET" and not carrying.can_carry_over(current_user, proposal):
        flash(f"A proposal that is {proposal.status_label} cannot be carried over.", "warning")
        return redirect(url_for(".show", proposal_id=proposal.id))
    form = CarryOverForm()
    call_targets, programme_targets = carrying.targets(proposal)
    form.call_id.choices = options(
        [("", "— no call —")]
        + [(c.id, f"{c.title} ({c.programme.code}, {calls.window_text(c)})") for c in call_targets]
    )
    form.programme_id.choices = options(
        [("", "— the call's programme —")]
        + [(p.id, f"{p.code} — {p.title} ({p.period})") for p in programme_targets]
    )
    status = 200
    if form.validate_on_submit():
        try:
            carrying.carry_over(
                current_user,
                proposal.id,
                carrying.CarryOverInput(
                    call_id=form.call_id.data,
                    programme_id=form.programme_id.data,
                    reason=form.reason.data or "",
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
            flash(f"Proposal {proposal.display_code} was carried over.", "success")
            return redirect(url_for(".show", proposal_id=proposal.id), 303)
    elif request.method == "POST":
        flash("The proposal was not carried over: please correct the fields marked below.", "error")
        status = 422
    return render_template(
        "proposals/carry_over.html", form=form, proposal=proposal, call=calls.call_of(proposal)
    ), status
