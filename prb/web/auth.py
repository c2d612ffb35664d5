"""Signing in (password, then a code for those with two-step sign-in), signing out, and each
person's own account: her password, and setting a password through a one-time link. Her
two-step sign-in's pages are in `prb.web.two_step_pages`, on this blueprint."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from prb.models import User, utcnow
from prb.services import throttle
from prb.services.accounts import password_links, sign_in, two_step
from prb.services.errors import Invalid
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import show_errors
from prb.web.sign_in_guard import address as _address
from prb.web.sign_in_guard import form_page, known_device, refused, remember_device, too_many

bp = Blueprint("auth", __name__)

# How long a password accepted waits for its second step.
SECOND_STEP_MINUTES = 5
# Pages a person who must enrol in two-step sign-in can still reach before she has.
ENROLMENT_EXEMPT = frozenset(
    {
        "auth.enrol_two_step",
        "auth.logout",
        "auth.login",
        "auth.second_step",
        "auth.set_password",
        "main.favicon",
        "main.healthz",
        "static",
    }
)


class SignInForm(Form):
    email = EmailField(
        "E-mail", validators=[DataRequired("Enter your e-mail address."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )
    submit = SubmitField("Sign in")


class SecondStepForm(Form):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code from your app."), Length(max=40)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )
    submit = SubmitField("Continue")


class NewPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password."), Length(max=1024)],
        description="At least 12 characters; a few unrelated words are easy to remember.",
        render_kw={"autocomplete": "new-password"},
    )
    confirmation = PasswordField(
        "New password again",
        validators=[DataRequired("Type the password a second time."), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set my password")


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change my password")


def register(app: Flask) -> None:
    """Installed after the session checks (prb.web.security), so it sees this request's user."""

    @app.before_request
    def require_two_step_enrolment():  # type: ignore[no-untyped-def]
        if not current_user.is_authenticated or request.endpoint in ENROLMENT_EXEMPT:
            return None
        if (request.endpoint or "").endswith(".static"):
            return None
        if two_step.required_for(
            current_user, current_app.config["TWO_STEP_ROLES"]
        ) and not two_step.enrolled(current_user):
            flash("Your role requires two-step sign-in: set it up before anything else.", "info")
            return redirect(url_for("auth.enrol_two_step"))
        return None


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: a crafted ?next= must not send users elsewhere. No
    control characters either: `urlsplit` drops tabs and line breaks that the redirect's
    Location header would then refuse (a 500 after a good sign-in)."""
    if target and target.startswith("/") and not target.startswith("//") and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.dashboard")


def _complete_sign_in(user: User, next_url: str | None, warning: str = "") -> Response:
    session.clear()  # a fresh session at every sign-in
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = utcnow().timestamp()
    sign_in.record_sign_in(user, _address())
    flash(f"Signed in as {user.name}.", "success")
    if warning:
        flash(warning, "warning")
    # This browser is now known: the looser per-account cap no longer applies to it.
    return remember_device(redirect(_safe_next(next_url)), user.email)


@bp.route("/login", methods=["GET", "POST"])
@reads_form(SignInForm)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data or "", _address()
        verdict = throttle.attempt(email, address, trusted=known_device(email))
        if verdict.refused:
            return refused(
                form.password,
                too_many("sign-ins", verdict.retry_after),
                verdict.retry_after,
                form_page("auth/login.html", form=form),
            )
        user = sign_in.authenticate(email, form.password.data or "")
        throttle.settle(email, address, verdict, succeeded=user is not None)
        if user is not None and two_step.enrolled(user):
            session.clear()
            session["second_step"] = {
                "user": user.get_id(),
                "at": utcnow().timestamp(),
                "next": request.args.get("next"),
            }
            return redirect(url_for(".second_step"))
        if user is not None:
            return _complete_sign_in(user, request.args.get("next"))
        sign_in.record_sign_in_failed(email, address)
        form.password.errors.append("The e-mail address or password is not correct.")
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/login/two-step", methods=["GET", "POST"])
@reads_form(SecondStepForm)
def second_step():  # type: ignore[no-untyped-def]
    """The second step of a sign-in whose password was right."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    pending = session.get("second_step") or {}
    user = sign_in.pending_user(str(pending.get("user", "")))
    age = utcnow().timestamp() - float(pending.get("at", 0))
    if user is None or age > SECOND_STEP_MINUTES * 60:
        session.pop("second_step", None)
        flash("Please sign in again: the sign-in had expired.", "info")
        return redirect(url_for(".login"))
    form = SecondStepForm()
    status = 200
    if form.validate_on_submit():
        key, address = throttle.second_step_key(user.email), _address()
        verdict = throttle.attempt(
            key,
            address,
            trusted=known_device(user.email),
            per_day=throttle.SECOND_STEP_FAILURES_PER_DAY,
        )
        if verdict.refused:
            if verdict.reason == "day":
                sign_in.warn_of_code_guessing(user, address)
                hours = -(-verdict.retry_after // 3600)
                message = (
                    "Too many wrong codes for this account today: two-step sign-in from this "
                    f"browser is refused for up to {hours} hours. A browser you have signed in "
                    "from before still gets in; a new password (a link from the sign-in page) "
                    "ends the refusal at once."
                )
            else:
                message = too_many("codes", verdict.retry_after)
            return refused(
                form.code,
                message,
                verdict.retry_after,
                form_page("auth/second_step.html", form=form),
            )
        result = two_step.verify_second_step(user.id, form.code.data or "")
        throttle.settle(key, address, verdict, succeeded=result.accepted)
        if result.accepted:
            warning = (
                f"You signed in with a recovery code; {result.recovery_codes_left} left. "
                "Make new ones on your account page if you are running out."
                if result.recovery_code_used
                else ""
            )
            return _complete_sign_in(user, pending.get("next"), warning)
        sign_in.record_second_step_failed(user, address)
        form.code.errors.append(
            "This code is not right, or was already used. Type the code your app shows now."
        )
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/second_step.html", form=form), status


@bp.route("/logout", methods=["POST"])
@reads_form(None)
@login_required
def logout():  # type: ignore[no-untyped-def]
    sign_in.sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def no_store(response: Response) -> Response:
    """Pages that show a secret once (recovery codes, a set-password form): never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@reads_form(NewPasswordForm)
def set_password(token: str):  # type: ignore[no-untyped-def]
    """The page a one-time link opens: no sign-in, the link itself is the proof."""
    owner = password_links.link_owner(token)
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            password_links.set_password_with_link(
                token, form.password.data or "", form.confirmation.data or ""
            )
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for(".login"))
    elif request.method == "POST":
        status = 422
    page = render_template("auth/set_password.html", form=form, owner=owner)
    return no_store(make_response(page, status))


@bp.route("/account")
@login_required
def account():  # type: ignore[no-untyped-def]
    required = two_step.required_for(current_user, current_app.config["TWO_STEP_ROLES"])
    return render_template(
        "auth/account.html",
        user=current_user,
        two_step_required=required,
        # Counted only for those who use two-step sign-in (the page shows it only to them).
        recovery_codes_left=(
            two_step.recovery_codes_left(current_user) if current_user.totp_enabled_at else 0
        ),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@reads_form(ChangePasswordForm)
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        email, address = current_user.email, _address()
        verdict = throttle.attempt(email, address, trusted=known_device(email))
        if verdict.refused:
            return refused(
                form.current_password,
                too_many("password checks", verdict.retry_after),
                verdict.retry_after,
                form_page("auth/change_password.html", form=form),
            )
        try:
            user = password_links.change_own_password(
                current_user,
                form.current_password.data or "",
                form.password.data or "",
                form.confirmation.data or "",
            )
        except Invalid as exc:
            # A wrong current password stays counted; any other refusal was no guess.
            throttle.settle(email, address, verdict, succeeded="current_password" not in exc.fields)
            show_errors(form, exc)
            status = 422
        else:
            throttle.settle(email, address, verdict, succeeded=True)
            # Her other sessions ended with the new session version; this one carries on.
            login_user(user)
            flash("Your password is changed. Your other sessions have been signed out.", "success")
            return redirect(url_for(".account"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form), status


def link_lifetime() -> timedelta:
    """How long a set-password link works (`PRB_PASSWORD_LINK_HOURS`)."""
    return timedelta(hours=int(current_app.config["PASSWORD_LINK_HOURS"]))


def set_password_url(token: str) -> str:
    """A set-password link shown to an administrator: at PRB_BASE_URL when it is set, as
    the e-mailed links are (the address the office's browsers use, whatever Host header the
    request came with); else at the address the request came to."""
    if current_app.config.get("BASE_URL"):
        return set_password_base() + token
    return url_for("auth.set_password", token=token, _external=True)


def set_password_base() -> str:
    """The set-password page's absolute address without its token, for links sent by
    e-mail (PRB_BASE_URL: the worker that sends them has no request)."""
    from prb.services.notifications.mailing import base_url

    return f"{base_url()}/set-password/"
