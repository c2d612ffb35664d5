"""Proposal pages: list, create, view and edit. What is done to a proposal from its page (its
lifecycle actions, carrying it over) is in `prb.web.proposal_actions`, on this blueprint."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from prb.models import Proposal, utcnow
from prb.services import calls, co_funding, finance, lifecycle, progress_reports, stamped
from prb.services import carry_over as carrying
from prb.services import proposal_choices as choices
from prb.services import proposal_history as history_rules
from prb.services import proposals as service
from prb.services.access import get_visible_proposal
from prb.services.board.decision_history import decision_history
from prb.services.errors import Conflict, Invalid, NotAllowed
from prb.services.proposal_history import HistoryEntry
from prb.services.proposal_rules import ProposalInput
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.filter_forms import ProposalFilterForm, read_filters
from prb.web.filters import long_date, timestamp
from prb.web.forms import ProposalForm, TransitionForm, options, show_errors
from prb.web.kept import Kept, filled, kept, marks
from prb.web.lifecycle_forms import ProposalActionForm
from prb.web.params import optional_id, page_number
from workflows import PROPOSAL, Role
from workflows.progress_report import SCHEDULED_PROJECT_STATES
from workflows.proposal import PROJECT_STATES

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


def _context(form: ProposalForm, proposal: Proposal | None = None) -> choices.FormContext:
    """What the form offers (programmes, the groups she chairs, entities — none retired but
    what the proposal already names —, calls, the results framework of the programme chosen)
    and the call it is for; fills the form's choices."""
    ctx = choices.form_context(
        current_user,
        programme_id=form.programme_id.data,
        working_group_id=form.working_group_id.data,
        call_id=form.call_id.data,
        proposal=proposal,
    )
    form.working_group_id.choices = options(
        [("", "— choose —")] + [(g.id, g.name) for g in ctx.groups]
    )
    form.programme_id.choices = options(
        (p.id, f"{p.code} — {p.title} ({p.period})") for p in ctx.programmes
    )
    form.call_id.choices = options(
        [("", "The call open when I submit")]
        + [(c.id, f"{c.title} ({c.programme.code}, {calls.window_text(c)})") for c in ctx.calls]
    )
    form.lead_entity_id.choices = options(
        [("", "— choose —")] + [(e.id, f"{e.code} — {e.name}") for e in ctx.entities]
    )
    form.implementing_entity_ids.choices = options((e.id, e.code) for e in ctx.entities)
    if ctx.outputs:
        form.results_alignment.offer(ctx.outputs, "From the programme's results framework.")
    return ctx


def _input_from(form: ProposalForm) -> ProposalInput:
    return ProposalInput(
        programme_id=form.programme_id.data,
        working_group_id=form.working_group_id.data,
        title=form.title.data or "",
        lead_entity_id=form.lead_entity_id.data,
        implementing_entity_ids=list(form.implementing_entity_ids.data or []),
        objective=form.objective.data or "",
        description=form.description.data or "",
        thematic_area=form.thematic_area.data or "",
        scope=form.scope.data or "",
        scope_detail=form.scope_detail.data or "",
        results_alignment=form.results_alignment.data or "",
        requested_budget=form.requested_budget.data,
        duration_months=form.duration_months.data,
        duration_note=form.duration_note.data or "",
        planned_start=form.planned_start.data,
        call_id=form.call_id.data,
    )


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    # Kept while the records are unchanged (`prb.web.kept`): nothing on it reads the time.
    return render_template("proposals/index.html", body=kept("proposals", _listed).body)


def _listed() -> Kept:
    form = ProposalFilterForm(request.args)
    form.status.choices = options(
        [("", "Any status")] + [(s.name, s.label) for s in PROPOSAL.states]
    )
    form.working_group_id.choices = options(
        [("", "Any working group"), *choices.working_group_names()]
    )
    read_filters(form)
    flt = service.ProposalFilter(
        status=form.status.data or None if not form.status.errors else None,
        working_group_id=form.working_group_id.data if not form.working_group_id.errors else None,
        year=form.year.data if not form.year.errors and form.year.data else None,
        mine=bool(form.mine.data),
    )
    page = service.list_proposals(current_user, flt, page_number())
    args = MultiDict(request.args)
    args.pop("page", None)
    return Kept(
        render_template(
            "proposals/_index.html",
            form=form,
            page=page,
            query=args,
            chair=current_user.has_role(Role.CHAIR),
        )
    )


@bp.route("/new", methods=["GET", "POST"])
@reads_form(ProposalForm)
@roles_required(Role.CHAIR)
def new():  # type: ignore[no-untyped-def]
    if not current_user.chaired_group_ids:
        raise NotAllowed("You chair no working group, so you cannot create a proposal.")
    form = ProposalForm()
    if request.method == "GET":
        # Opened from a call's page ("Write a proposal for this call"), or from scratch.
        form.call_id.data = optional_id("call_id")
    ctx = _context(form)
    if request.method == "GET":
        form.programme_id.data = ctx.programme_id
        form.working_group_id.data = ctx.working_group_id
        if ctx.call is None or ctx.call.id != form.call_id.data:
            form.call_id.data = None  # not a call offered to her groups
        elif form.working_group_id.data is None:
            mine = [g.id for g in ctx.call.working_groups if g in ctx.groups]
            form.working_group_id.data = mine[0] if len(mine) == 1 else None
    status = 200
    if form.validate_on_submit():
        try:
            proposal = service.create_proposal(
                current_user,
                _input_from(form),
                submit=bool(form.submit_proposal.data),
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
            flash(_saved_message(proposal, bool(form.submit_proposal.data)), "success")
            return redirect(url_for(".show", proposal_id=proposal.id))
    elif request.method == "POST":
        _show_all_errors(form)
        status = 422
    return render_template("proposals/form.html", form=form, proposal=None, ctx=ctx), status


def _show_all_errors(form: ProposalForm, proposal: Proposal | None = None) -> None:
    """Some fields did not parse: add the rule messages for the rest, so that the user sees
    every problem at once rather than one round at a time."""
    data = _input_from(form)
    for name, messages in service.field_errors(
        current_user, data, submit=bool(form.submit_proposal.data), current=proposal
    ).items():
        field = getattr(form, name)
        if not field.errors:
            field.errors = [*field.errors, *messages]
    flash("The proposal was not saved: please correct the fields marked below.", "error")
    for message in form.version.errors:  # a hidden field: its message goes at the top
        flash(message, "error")


def _saved_message(proposal, submitted: bool) -> str:  # type: ignore[no-untyped-def]
    if submitted:
        return f"Proposal {proposal.reference} was submitted to the Board secretariat."
    return f"Draft {proposal.reference} was saved. Submit it when it is ready."


@bp.route("/<int:proposal_id>")
def show(proposal_id: int):  # type: ignore[no-untyped-def]
    return render_show(proposal_id)


class _HistoryLine(NamedTuple):
    """A history entry as the timeline prints it, formatted once here: a long history cost
    the page more in per-entry filter calls, properties and conditionals than in SQL."""

    iso: str
    at: str
    summary: str
    who: str  # "Name (role)", "Name then (role; now Name today)", or "the system"
    comment: str
    # A transition recorded after the fact: the day it took effect ("" when it is the day
    # it was recorded), printed before the time PRB recorded it.
    effective_iso: str = ""
    effective: str = ""

    @classmethod
    def of(cls, h: HistoryEntry) -> _HistoryLine:
        who = h.actor.recorded_name if h.actor else "the system"
        notes = [h.actor_role.replace("_", " ")] if h.actor_role else []
        if h.actor and h.actor.renamed:
            notes.append(f"now {h.actor.name}")
        if notes:
            who = f"{who} ({'; '.join(notes)})"
        line = cls(h.at.isoformat(), timestamp(h.at), h.summary, who, h.comment)
        if h.effective_on is not None and h.effective_on != h.at.date():
            return line._replace(
                effective_iso=h.effective_on.isoformat(), effective=long_date(h.effective_on)
            )
        return line


def _record(proposal: Proposal) -> Markup:
    """The decisions and history sections, kept while the records are unchanged: a long
    history cost the page more to read and render than everything else on it."""
    sees_open_ballots = history_rules.sees_open_ballots(current_user)

    def render() -> Markup:
        return Markup(
            render_template(
                "proposals/_record.html",
                history=[_HistoryLine.of(h) for h in service.history(proposal, current_user)],
                decisions=decision_history(proposal.id),
            )
        )

    return stamped.cache("proposal_records").get_or_make((proposal.id, sees_open_ballots), render)


def render_show(  # type: ignore[no-untyped-def]
    proposal_id: int, status: int = 200, typed: tuple[str, ProposalActionForm] | None = None
):
    # Kept while the records are unchanged (`prb.web.kept`): its report schedule counts from
    # today, which every kept page's key holds, and the actions it offers may change when a
    # call opens or closes (`Kept.until`). An action refused for what was typed in its form
    # (`typed`: the trigger and the form) is shown afresh, with what was typed and why.
    if typed is not None:
        made = _shown(proposal_id, typed)
        page = made._replace(body=filled(made.body))
    else:
        page = kept("proposal", lambda: _shown(proposal_id))
    return render_template("proposals/show.html", page=page), status


def _shown(proposal_id: int, typed: tuple[str, ProposalActionForm] | None = None) -> Kept:
    proposal = get_visible_proposal(current_user, proposal_id)
    offered, refused = lifecycle.actions(current_user, proposal)
    now = utcnow()
    body = render_template(
        "proposals/_show.html",
        proposal=proposal,
        actions=offered,
        blocked=refused,
        can_edit=service.can_edit(current_user, proposal),
        record=_record(proposal),
        show_finance=proposal.status in PROJECT_STATES
        and finance.can_see_ledger(current_user, proposal),
        call=calls.call_of(proposal),
        can_carry_over=carrying.can_carry_over(current_user, proposal),
        can_set_reporting_notes=proposal.status in PROJECT_STATES
        and current_user.has_role(Role.SECRETARIAT),
        form=TransitionForm(expected_status=proposal.status, formdata=None),
        typed_trigger=typed[0] if typed else None,
        typed_form=typed[1] if typed else None,
        report_lines=progress_reports.schedule(proposal, now.date())
        if proposal.status in SCHEDULED_PROJECT_STATES
        else None,
        may_submit_reports=progress_reports.may_submit(current_user, proposal),
        co_funding=co_funding.listing(current_user, proposal)
        if proposal.status in PROJECT_STATES
        else None,
        **marks(),
    )
    return Kept(
        body,
        title=f"{proposal.display_code} {proposal.title}",
        crumb=proposal.display_code,
        until=lifecycle.actions_change_at(proposal, now),
    )


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@reads_form(ProposalForm)
@roles_required(Role.CHAIR)
def edit(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = get_visible_proposal(current_user, proposal_id)
    if not service.can_edit(current_user, proposal):
        if proposal.working_group_id not in current_user.chaired_group_ids:
            raise NotAllowed("Only a chair of this proposal's working group may edit it.")
        flash(f"This proposal is {proposal.status_label} and can no longer be edited.", "warning")
        return redirect(url_for(".show", proposal_id=proposal.id))
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "GET":
        form.implementing_entity_ids.data = [e.id for e in proposal.implementing_entities]
        form.version.data = proposal.version
    ctx = _context(form, proposal)
    status = 200
    if form.validate_on_submit():
        submit = bool(form.submit_proposal.data)
        seen = form.version.data
        try:
            service.update_proposal(
                current_user, proposal.id, _input_from(form), seen_version=seen, submit=submit
            )
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            status = 409
        else:
            flash(
                _saved_message(proposal, submit) if submit else "Your changes were saved.",
                "success",
            )
            return redirect(url_for(".show", proposal_id=proposal.id))
    elif request.method == "POST":
        _show_all_errors(form, proposal)
        status = 422
    return render_template("proposals/form.html", form=form, proposal=proposal, ctx=ctx), status
