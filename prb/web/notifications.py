"""Her notifications: the list, marking read (POST), and how she hears of each kind."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, SelectField, SubmitField

from prb.extensions import csrf
from prb.models import Channel
from prb.services.errors import Invalid
from prb.services.mail import browse
from prb.services.notifications import EVENTS, inbox, mailing
from prb.web.declare import reads_form
from prb.web.fields import Form, parse_id, require_valid
from prb.web.forms import options, show_errors
from prb.web.params import page_number

bp = Blueprint("notifications", __name__)

CHANNELS = options(
    [
        (str(Channel.EMAIL), "E-mail at once"),
        (str(Channel.DIGEST), "A daily e-mail digest"),
        (str(Channel.APP), "In PRB only"),
    ]
)


class ReadForm(Form):
    """Mark one notification read (its id), or all of them (no id)."""

    notification_id = HiddenField()
    submit = SubmitField("Mark as read")

    def chosen_id(self) -> int | None:
        value = self.notification_id.data
        if not value:
            return None
        try:
            return parse_id(value)
        except ValueError:
            raise Invalid("The form was damaged: reload the page and try again.") from None


def _preferences_form_class() -> type[Form]:
    """A select per kind of event, named after it (built once: the kinds are fixed)."""
    fields = {
        str(event): SelectField(kind.label, choices=CHANNELS, default=str(Channel.EMAIL))
        for event, kind in EVENTS.items()
    }
    fields["submit"] = SubmitField("Save my choices")
    return type("PreferencesForm", (Form,), fields)


PreferencesForm = _preferences_form_class()


@bp.route("/notifications")
def index():  # type: ignore[no-untyped-def]
    listed = inbox.page(current_user, page_number())
    return render_template("notifications/index.html", listed=listed, form=ReadForm(formdata=None))


@bp.route("/notifications/read", methods=["POST"])
@reads_form(ReadForm)
def mark_read():  # type: ignore[no-untyped-def]
    form = ReadForm(request.form)
    require_valid(form)
    changed = inbox.mark_read(current_user, form.chosen_id())
    if form.chosen_id() is None:
        flash(f"{changed} notification{'' if changed == 1 else 's'} marked as read.", "success")
    return redirect(url_for("notifications.index"), 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@reads_form(None)
@csrf.exempt
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    """The link in every notification e-mail. Opening it asks to confirm; only the POST
    (the confirmation, or a mail client's one-click `List-Unsubscribe=One-Click`, RFC 8058)
    stops the e-mails. No sign-in: the signed link says whose and which kind, and CSRF
    cannot forge it."""
    if request.method == "POST":
        user, event = mailing.unsubscribe(token)
        done = True
    else:
        user, event = mailing.read_unsubscribe_token(token)
        done = False
    return render_template(
        "notifications/unsubscribe.html", who=user, kind=EVENTS[event], done=done
    )


@bp.route("/mail")
def mail():  # type: ignore[no-untyped-def]
    """Development only: the e-mail PRB wrote to her (no mail server needed to see it)."""
    return render_template("notifications/mail.html", shown=browse.written_to(current_user))


@bp.route("/account/notifications", methods=["GET", "POST"])
@reads_form(PreferencesForm)
def preferences():  # type: ignore[no-untyped-def]
    chosen = inbox.preferences(current_user)
    form = PreferencesForm(
        request.form if request.method == "POST" else None,
        data={str(e): str(c) for e, c in chosen.items()},
    )
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                inbox.set_preferences(current_user, {str(e): form[str(e)].data for e in EVENTS})
            except Invalid as exc:
                show_errors(form, exc)
                status = exc.status_code
            else:
                flash("Your choices are saved.", "success")
                return redirect(url_for("notifications.preferences"), 303)
        else:
            flash("Your choices were not saved: please correct the fields marked.", "error")
            status = 422
    return render_template(
        "notifications/preferences.html", form=form, events=EVENTS, channels=CHANNELS
    ), status
