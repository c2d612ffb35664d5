"""The administrator's view of outgoing e-mail: messages the worker gave up on, those
waiting for another attempt, and those it let expire unsent. Never a body (it may hold a
one-time link)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from prb.services.mail import dead_letters
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.fields import Form
from workflows import Role

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")


class RetryForm(Form):
    """A button that only carries the CSRF token."""


@bp.route("")
@roles_required(Role.ADMINISTRATOR)
def index():  # type: ignore[no-untyped-def]
    return render_template("admin/outbox.html", o=dead_letters.overview(current_user))


@bp.route("/<int:message_id>/retry", methods=["POST"])
@reads_form(RetryForm)
@roles_required(Role.ADMINISTRATOR)
def retry(message_id: int):  # type: ignore[no-untyped-def]
    if not RetryForm().validate_on_submit():
        flash("The form had expired; nothing was done.", "error")
        return redirect(url_for(".index"))
    message = dead_letters.retry(current_user, message_id)
    flash(f"Message to {message.to_address} queued again.", "success")
    return redirect(url_for(".index"), code=303)
