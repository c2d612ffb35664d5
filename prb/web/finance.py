"""Finance pages: the dashboard, each project's ledger, dates and extensions, CSV exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from prb.models import EntryKind
from prb.services import co_funding, extensions, finance
from prb.services import finance_dashboard as dashboard
from prb.services import proposals as proposal_service
from prb.services.access import get_visible_proposal
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.spreadsheet import csv_lines
from prb.web.access import roles_required
from prb.web.co_funding import PREFIX as CO_FUNDING_PREFIX
from prb.web.co_funding import CoFundingForm, WithdrawForm
from prb.web.declare import reads_form
from prb.web.filters import status_label
from prb.web.finance_rows import project_rows, totals_rows
from prb.web.forms import (
    DashboardFilterForm,
    EntryForm,
    ExtensionForm,
    ProjectDatesForm,
    ReviewForm,
    TransitionForm,
    first_error,
    options,
    require_valid,
    show_errors,
)
from prb.web.kept import Kept, kept
from prb.web.links import per_id
from prb.web.params import page_number
from workflows import EXTENSION, Role

bp = Blueprint("finance", __name__)


def _filter() -> tuple[DashboardFilterForm, dashboard.Filter]:
    form = DashboardFilterForm(request.args)
    form.programme_id.choices = options(
        [("", "All programmes"), *proposal_service.programme_codes()]
    )
    form.working_group_id.choices = options(
        [("", "All working groups"), *proposal_service.working_group_names()]
    )
    form.validate()
    return form, dashboard.Filter(
        programme_id=None if form.programme_id.errors else form.programme_id.data,
        working_group_id=None if form.working_group_id.errors else form.working_group_id.data,
    )


@bp.route("/finance/")
@roles_required(Role.FINANCE, Role.SECRETARIAT, Role.BOARD_MEMBER)
def index():  # type: ignore[no-untyped-def]
    # Kept while the records are unchanged (`prb.web.kept`): it counts days from today, which
    # every kept page's key holds, and reads nothing else of the time.
    return render_template("finance/index.html", body=kept("finance", _dashboard).body)


def _dashboard() -> Kept:
    form, flt = _filter()
    page = page_number()
    rows: list[dashboard.DashboardRow] = []
    per_page = 50
    by_programme, by_group, total = dashboard.both_totals(current_user, flt)
    if dashboard.may_see_project_rows(current_user):
        rows, total = dashboard.rows(current_user, flt, page=page, per_page=per_page, total=total)
    else:
        total = 0  # as before: the count is of the rows this person may see
    query = {k: v for k, v in request.args.items() if k != "page"}
    return Kept(
        render_template(
            "finance/_index.html",
            form=form,
            rows=rows,
            total=total,
            page=max(1, min(page, max(1, -(-total // per_page)))),
            pages=max(1, -(-total // per_page)),
            query=query,
            project_rows=project_rows(rows, per_id("finance.project", "proposal_id")),
            totals_rows=totals_rows,
            by_programme=by_programme,
            by_group=by_group,
            envelopes=dashboard.envelopes(current_user, flt),
            pending_reviews=extensions.pending_review()
            if current_user.has_role(Role.FINANCE)
            else [],
        )
    )


def csv_response(header: list[str], rows: Iterable[list[object]], filename: str) -> Response:
    return Response(
        stream_with_context(csv_lines(_chain(header, rows))),
        # The whole header, as is: with `mimetype=`, Werkzeug appends a second charset.
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _chain(header: list[str], rows: Iterable[list[object]]) -> Iterator[list[object]]:
    yield header
    yield from rows


DASHBOARD_COLUMNS = [
    "code",
    "title",
    "working_group",
    "status",
    "approved",
    "committed",
    "disbursed",
    "returned",
    "balance",
    "percent_disbursed",
    "start",
    "original_end",
    "current_end",
    "days_left",
    "flags",
]


@bp.route("/finance/dashboard.csv")
@roles_required(Role.FINANCE, Role.SECRETARIAT)
def dashboard_csv():  # type: ignore[no-untyped-def]
    _, flt = _filter()
    project_rows = dashboard.all_rows(current_user, flt)

    def lines() -> Iterator[list[object]]:
        for r in project_rows:
            p, b = r.proposal, r.balances
            yield [
                p.project_code,
                p.title,
                p.working_group.name,
                status_label(p.status),  # as the page and the portfolio's CSV print it
                b.approved,
                b.committed,
                b.disbursed,
                b.returned,
                b.balance,
                b.percent_disbursed,
                (p.actual_start or p.period_start or ""),
                p.original_end,
                p.current_end,
                r.days_left,
                "; ".join(r.flags),
            ]

    return csv_response(DASHBOARD_COLUMNS, lines(), "prb-finance-dashboard.csv")


def _project(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = get_visible_proposal(current_user, proposal_id)
    if not finance.can_see_ledger(current_user, proposal):
        raise NotFound(f"There is no project finance page number {proposal_id} that you can see.")
    return proposal


@bp.route("/proposals/<int:proposal_id>/finance")
def project(proposal_id: int, status: int = 200, forms: dict | None = None):  # type: ignore[no-untyped-def]
    proposal = _project(proposal_id)
    forms = forms or {}
    is_finance = current_user.has_role(Role.FINANCE)
    entry_form = forms.get("entry") or EntryForm(formdata=None)
    entry_form.kind.choices = options((k.value, k.label) for k in EntryKind)
    entry_form.reverses_id.choices = options(
        [("", "—")]
        + [
            (e.id, f"#{e.id} {e.kind_label} USD {e.amount:,.2f} of {e.value_date}")
            for e in finance.reversible_entries(proposal)
        ]
    )
    dates_form = forms.get("dates")
    if dates_form is None:
        dates_form = ProjectDatesForm(obj=proposal, formdata=None)
        dates_form.seen.data = finance.dates_seen(proposal)
    history = extensions.for_project(proposal)
    return (
        render_template(
            "finance/project.html",
            proposal=proposal,
            balances=finance.balances(proposal),
            entries=finance.ledger(proposal),
            is_finance=is_finance,
            entry_form=entry_form,
            dates_form=dates_form,
            extension_form=forms.get("extension") or ExtensionForm(formdata=None),
            review_form=ReviewForm(formdata=None),
            extensions=history,
            chair_actions={x.id: extensions.chair_actions(current_user, x) for x in history},
            can_request_extension=extensions.can_request(current_user, proposal),
            co_funding=co_funding.listing(current_user, proposal),
            co_funding_form=forms.get("co_funding")
            or CoFundingForm(formdata=None, prefix=CO_FUNDING_PREFIX),
            withdraw_form=forms.get("withdraw") or WithdrawForm(formdata=None),
        ),
        status,
    )


@bp.route("/proposals/<int:proposal_id>/finance/entries", methods=["POST"])
@reads_form(EntryForm)
@roles_required(Role.FINANCE)
def add_entry(proposal_id: int):  # type: ignore[no-untyped-def]
    form = EntryForm()
    form.kind.choices = options((k.value, k.label) for k in EntryKind)
    if not form.validate():
        flash("The entry was not recorded: please correct the fields marked.", "error")
        return project(proposal_id, 422, {"entry": form})
    try:
        entry = finance.record_entry(
            current_user,
            proposal_id,
            finance.EntryInput(
                kind=form.kind.data or "",
                amount=form.amount.data,
                value_date=form.value_date.data,
                reference=form.reference.data or "",
                note=form.note.data or "",
                reverses_id=form.reverses_id.data,
            ),
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        return project(proposal_id, 422, {"entry": form})
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return project(proposal_id, 409, {"entry": form})
    flash(f"{entry.kind_label} of USD {entry.amount:,.2f} recorded.", "success")
    return redirect(url_for(".project", proposal_id=proposal_id), 303)


@bp.route("/proposals/<int:proposal_id>/finance/dates", methods=["POST"])
@reads_form(ProjectDatesForm)
@roles_required(Role.FINANCE)
def save_dates(proposal_id: int):  # type: ignore[no-untyped-def]
    form = ProjectDatesForm()
    if not form.validate():
        flash("Nothing was saved: please correct the fields marked.", "error")
        return project(proposal_id, 422, {"dates": form})
    try:
        finance.record_project_dates(
            current_user,
            proposal_id,
            finance.ProjectDates(
                form.actual_start.data,
                form.final_report_on.data,
                form.spent_reported.data,
                seen=form.seen.data,
            ),
        )
    except Invalid as exc:
        show_errors(form, exc)
        return project(proposal_id, 422, {"dates": form})
    except Conflict as exc:
        flash(exc.message, "error")
        return project(proposal_id, 409)  # a fresh form: the dates as they are now
    flash("Project dates saved.", "success")
    return redirect(url_for(".project", proposal_id=proposal_id), 303)


@bp.route("/proposals/<int:proposal_id>/finance/ledger.csv")
def ledger_csv(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = _project(proposal_id)
    lines = [
        [
            e.id,
            proposal.project_code,
            e.kind,
            e.amount,
            e.value_date.isoformat(),
            e.reference,
            e.note,
            e.reverses_id,
            e.recorded_by.name,
            e.recorded_at.isoformat(),
        ]
        for e in finance.ledger(proposal)
    ]
    header = [
        "entry",
        "project_code",
        "kind",
        "amount",
        "date",
        "reference",
        "note",
        "reverses",
        "recorded_by",
        "recorded_at_utc",
    ]
    return csv_response(
        header, lines, f"prb-ledger-{proposal.project_code or proposal.reference}.csv"
    )


@bp.route("/proposals/<int:proposal_id>/extensions", methods=["POST"])
@reads_form(ExtensionForm)
@roles_required(Role.CHAIR)
def request_extension(proposal_id: int):  # type: ignore[no-untyped-def]
    form = ExtensionForm()
    if not form.validate():
        # The form is not on the page once a request is open: say what was wrong here too.
        flash(f"The request was not saved. {first_error(form)}", "error")
        return project(proposal_id, 422, {"extension": form})
    try:
        ext = extensions.request_extension(
            current_user,
            proposal_id,
            extensions.ExtensionInput(
                months=form.months.data,
                new_end=form.new_end.data,
                additional_funds=form.additional_funds.data,
                justification=form.justification.data or "",
            ),
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        return project(proposal_id, 422, {"extension": form})
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return project(proposal_id, 409, {"extension": form})
    flash(f"Extension requested: {ext.summary}. Finance reviews it next.", "success")
    return redirect(url_for(".project", proposal_id=proposal_id), 303)


@bp.route("/extensions/<int:extension_id>/review", methods=["POST"])
@reads_form(ReviewForm)
@roles_required(Role.FINANCE)
def review(extension_id: int):  # type: ignore[no-untyped-def]
    form = ReviewForm()
    try:
        require_valid(form)
        ext = extensions.review_extension(current_user, extension_id, form.review.data or "")
    except (Invalid, Conflict) as exc:
        flash(exc.message, "error")
        proposal_id = extensions.proposal_id_of(extension_id)
        return project(proposal_id, exc.status_code)
    flash("Review saved; the secretariat can now put the request on an agenda.", "success")
    return redirect(url_for(".project", proposal_id=ext.proposal_id), 303)


@bp.route("/extensions/<int:extension_id>/<trigger>", methods=["POST"])
@reads_form(TransitionForm)
@roles_required(Role.CHAIR)
def chair_action(extension_id: int, trigger: str):  # type: ignore[no-untyped-def]
    proposal_id = extensions.proposal_id_of(extension_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(f"{first_error(form)} Nothing was done.", "error")
        return project(proposal_id, 422)
    try:
        extensions.chair_action(current_user, extension_id, trigger, form.comment.data or "")
    except (Invalid, Conflict) as exc:
        flash(exc.message, "error")
        return project(proposal_id, exc.status_code)
    flash(f"Extension request: {EXTENSION.transition(trigger).label.lower()} done.", "success")
    return redirect(url_for(".project", proposal_id=proposal_id), 303)
