"""The web side of sign-in throttling: the signed device cookie that lets an owner in from a
browser she has signed in from before, and the 429 answer with `Retry-After`."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, make_response, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import Field

from prb.services import throttle
from prb.web.fields import Form

DEVICE_COOKIE = "prb_device"
DEVICE_DAYS = 180
_SALT = "prb-known-device"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def address() -> str:
    return request.remote_addr or "unknown"


def known_device(email: str) -> bool:
    """Whether this browser carries a valid device cookie for `email`'s account (set when she
    last signed in here). It is signed with the app's secret, so it cannot be forged."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    if not cookie or len(cookie) > 512:
        return False
    try:
        value = _signer().loads(cookie, max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()))
    except BadSignature:
        return False
    return value == throttle.account_key(email)


def remember_device(response: Response, email: str) -> Response:
    response.set_cookie(
        DEVICE_COOKIE,
        _signer().dumps(throttle.account_key(email)),
        max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()),
        httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        samesite="Lax",
    )
    return response


def refused(template: str, form: Form, field: Field, retry_after: int, what: str) -> Response:
    """429 at once, with when to try again: nothing waits in the worker."""
    minutes = -(-retry_after // 60)
    field.errors = [*field.errors, f"Too many failed {what}. Try again in {minutes} minutes."]
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(retry_after)
    return response
