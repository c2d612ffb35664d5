"""A forgotten password: ask for a link by e-mail. The answer is the same whether or not an
account uses the address; too many requests get 429 with `Retry-After`."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Length

from prb.services.accounts import password_reset
from prb.web.auth import set_password_base
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.sign_in_guard import address, form_page, refused, try_again_in

bp = Blueprint("password_reset", __name__)


class ForgotForm(Form):
    email = EmailField(
        "E-mail", validators=[DataRequired("Enter your e-mail address."), Length(max=254)]
    )
    submit = SubmitField("Send me a link")


@bp.route("/password/forgot", methods=["GET", "POST"])
@reads_form(ForgotForm)
def forgot():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        # Signed in, she knows her password: changing it is on her account page.
        return redirect(url_for("auth.change_password"))
    form = ForgotForm()
    if form.validate_on_submit():
        wait = password_reset.request_reset(
            form.email.data or "",
            address(),
            link_base=set_password_base(),
            answer_after=current_app.config["PASSWORD_RESET_ANSWER_MS"] / 1000,
        )
        if wait:
            return refused(
                form.email,
                f"Too many requests for a link. {try_again_in(wait)}",
                wait,
                form_page("auth/forgot.html", form=form, sent=False),
            )
        sent = True
    elif request.method == "POST":
        return render_template("auth/forgot.html", form=form, sent=False), 422
    else:
        sent = False
    return render_template("auth/forgot.html", form=form, sent=sent)
