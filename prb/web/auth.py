"""Sign-in and sign-out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from prb.models import utcnow
from prb.services import throttle, users

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired("Enter your e-mail address."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )
    submit = SubmitField("Sign in")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: a crafted ?next= must not send users elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data or "", request.remote_addr or "unknown"
        verdict = throttle.verdict(email, address)
        if verdict.refused:
            users.record_sign_in_refused(email, address)
            minutes = -(-verdict.retry_after // 60)
            form.password.errors.append(
                f"Too many failed sign-ins. Try again in {minutes} minutes."
            )
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        if verdict.delay:
            time.sleep(verdict.delay)  # slows guessing down, for this account or address only
        user = users.authenticate(email, form.password.data or "")
        throttle.record(email, address, succeeded=user is not None)
        if user is not None:
            session.clear()  # a fresh session at every sign-in
            login_user(user)
            session["signed_in_at"] = session["seen_at"] = utcnow().timestamp()
            users.record_sign_in(user, address)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        users.record_sign_in_failed(email, address)
        form.password.errors.append("The e-mail address or password is not correct.")
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    users.sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
