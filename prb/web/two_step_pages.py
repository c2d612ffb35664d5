"""Each person's two-step sign-in on her account page: turning it on with a first code,
new recovery codes, and turning it off. The routes belong to the `auth` blueprint, so their
endpoints (`auth.enrol_two_step`, …) are those of the other sign-in pages."""

from __future__ import annotations

import base64
from collections.abc import Callable

import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import (
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
from flask_login import current_user, login_required
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from prb.services import throttle
from prb.services.accounts import two_step
from prb.services.errors import DomainError, Invalid
from prb.web.auth import bp, no_store
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import show_errors
from prb.web.sign_in_guard import address as _address
from prb.web.sign_in_guard import known_device, refused, too_many


class EnrolForm(Form):
    code = StringField(
        "Code from your app",
        validators=[DataRequired("Enter the 6 digits your app shows."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField("Turn on two-step sign-in")


class PasswordConfirmForm(Form):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Confirm")


# The session is a cookie, signed but readable by whoever holds it (a proxy's log, a
# browser's profile): the pending secret in it is sealed, so that the cookie alone never
# gives the secret that makes her codes.
PENDING_SECRET = "two_step_pending"


def _sealer() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"prb-two-step-pending", info=b"fernet"
    ).derive(str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _sealed(secret: str) -> str:
    # Bound to her: a sealed secret copied into someone else's session is not theirs.
    return _sealer().encrypt(f"{current_user.id}:{secret}".encode()).decode()


def _unsealed(sealed: object) -> str | None:
    """The pending secret, or None when there is none, or it is not hers or not ours."""
    if not isinstance(sealed, str) or len(sealed) > 1024:
        return None
    try:
        owner, _, secret = _sealer().decrypt(sealed.encode()).decode().partition(":")
    except (InvalidToken, UnicodeDecodeError):
        return None
    return secret if owner == str(current_user.id) and secret else None


def _qr_code(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@bp.route("/account/two-step", methods=["GET", "POST"])
@reads_form(EnrolForm)
@login_required
def enrol_two_step():  # type: ignore[no-untyped-def]
    if two_step.enrolled(current_user):
        return _enrolled_page()
    # The secret waits in the session until a first code confirms it: nothing is written on
    # a GET, and reloading the page keeps the secret already scanned.
    secret = _unsealed(session.get(PENDING_SECRET)) or two_step.new_secret()
    session[PENDING_SECRET] = _sealed(secret)
    form = EnrolForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_step.enable_two_step(current_user, secret, form.code.data or "")
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        else:
            session.pop(PENDING_SECRET, None)
            flash("Two-step sign-in is on.", "success")
            return no_store(make_response(render_template("auth/recovery_codes.html", codes=codes)))
    elif request.method == "POST":
        status = 422
    page = render_template(
        "auth/two_step.html",
        enrolled=False,
        form=form,
        qr_code=_qr_code(two_step.provisioning_uri(current_user, secret)),
        secret=_grouped(secret),
    )
    return no_store(make_response(page, status))


def _enrolled_page(
    renew_form: PasswordConfirmForm | None = None,
    off_form: PasswordConfirmForm | None = None,
    status: int = 200,
) -> Response:
    """The two-step page of someone enrolled: new recovery codes, or turning it off; a
    refused form is shown again with its message."""
    page = render_template(
        "auth/two_step.html",
        enrolled=True,
        required=two_step.required_for(current_user, current_app.config["TWO_STEP_ROLES"]),
        recovery_codes_left=two_step.recovery_codes_left(current_user),
        renew_form=renew_form or PasswordConfirmForm(prefix="renew"),
        off_form=off_form or PasswordConfirmForm(prefix="off"),
    )
    return make_response(page, status)


def _with_password(
    form: PasswordConfirmForm, page: Callable[[int], Response], act: Callable[[str], Response]
) -> Response:
    """`act(password)` for a form that asks for the password again, its guesses counted as
    sign-in's are (a stolen session must not try passwords at will): the page shown again
    with 422 for a wrong one, 429 with Retry-After once too many have failed."""
    two_step.require_enrolled(current_user)  # a page from before she turned it off
    if not form.validate_on_submit():
        return page(422)
    email, address = current_user.email, _address()
    verdict = throttle.attempt(email, address, trusted=known_device(email))
    if verdict.refused:
        message = too_many("password checks", verdict.retry_after)
        return refused(form.password, message, verdict.retry_after, page)
    try:
        answer = act(form.password.data or "")
    except Invalid as exc:
        throttle.settle(email, address, verdict, succeeded="password" not in exc.fields)
        show_errors(form, exc)
        return page(422)
    except DomainError:
        # Refused before the password was looked at (a role that must keep it): no guess.
        throttle.settle(email, address, verdict, succeeded=True)
        raise
    throttle.settle(email, address, verdict, succeeded=True)
    return answer


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@reads_form(PasswordConfirmForm, prefix="renew")
@login_required
def renew_recovery_codes():  # type: ignore[no-untyped-def]
    form = PasswordConfirmForm(prefix="renew")

    def renew(password: str) -> Response:
        codes = two_step.renew_recovery_codes(current_user, password)
        flash("New recovery codes made; the old ones no longer work.", "success")
        return no_store(make_response(render_template("auth/recovery_codes.html", codes=codes)))

    return _with_password(
        form, lambda status: _enrolled_page(renew_form=form, status=status), renew
    )


@bp.route("/account/two-step/off", methods=["POST"])
@reads_form(PasswordConfirmForm, prefix="off")
@login_required
def disable_two_step():  # type: ignore[no-untyped-def]
    form = PasswordConfirmForm(prefix="off")

    def turn_off(password: str) -> Response:
        two_step.disable_own_two_step(
            current_user, password, required_roles=current_app.config["TWO_STEP_ROLES"]
        )
        flash("Two-step sign-in is off.", "success")
        return redirect(url_for(".account"))

    return _with_password(
        form, lambda status: _enrolled_page(off_form=form, status=status), turn_off
    )
