"""The audit trail for administrators and the secretariat: filtered, paged, and as CSV for
auditors."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request
from flask_login import current_user

from prb.services import audit_trail as service
from prb.web.access import roles_required
from prb.web.filter_forms import read_filters
from prb.web.finance import csv_response
from prb.web.forms import options
from prb.web.params import page_number
from prb.web.reference_forms import AuditFilterForm

bp = Blueprint("audit", __name__)
FILTERS = ("event", "subject", "actor_id", "since", "until")


def _filter() -> tuple[AuditFilterForm, service.AuditFilter]:
    choices = service.filter_choices(current_user)
    form = AuditFilterForm(request.args)
    form.event.choices = options(
        [("", "Any event")] + [(e, e.replace("_", " ")) for e in choices.events]
    )
    form.subject.choices = options(
        [("", "Any record")] + [(s, s.replace("_", " ")) for s in choices.subjects]
    )
    form.actor_id.choices = options([("", "Anyone"), *choices.actors])
    read_filters(form)
    since = None if form.since.errors else form.since.data
    until = None if form.until.errors else form.until.data
    if since and until and until < since:
        flash("The “to” date comes before the “from” date: both were ignored.", "warning")
        since = until = None
    return form, service.AuditFilter(
        event=None if form.event.errors else form.event.data or None,
        subject=None if form.subject.errors else form.subject.data or None,
        actor_id=None if form.actor_id.errors else form.actor_id.data,
        since=since,
        until=until,
    )


@bp.route("/admin/audit")
@roles_required(*service.READERS)
def index():  # type: ignore[no-untyped-def]
    form, flt = _filter()
    page = service.list_records(
        current_user,
        flt,
        page_number(),
        int(current_app.config["PAGE_SIZE"]),
    )
    query = {k: v for k, v in request.args.items() if k in FILTERS and v}
    return render_template("admin/audit.html", form=form, page=page, query=query)


@bp.route("/admin/audit.csv")
@roles_required(*service.READERS)
def csv():  # type: ignore[no-untyped-def]
    _, flt = _filter()
    return csv_response(service.CSV_COLUMNS, service.csv_rows(current_user, flt), "prb-audit.csv")
