"""The web side of sign-in throttling: the signed device cookie that lets an owner in from a
browser she has signed in from before, and the 429 answer with `Retry-After`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Response, current_app, make_response, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import Field

from prb.services import throttle

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


def try_again_in(retry_after: int) -> str:
    return f"Try again in {-(-retry_after // 60)} minutes."


def too_many(what: str, retry_after: int) -> str:
    """The message of a refusal by the short window: its wait in whole minutes."""
    return f"Too many failed {what}. {try_again_in(retry_after)}"


def form_page(template: str, **context: object) -> Callable[[int], Response]:
    """The form's page, shown again with a status (what `refused` takes)."""
    return lambda status: make_response(render_template(template, **context), status)


def refused(
    field: Field, message: str, retry_after: int, page: Callable[[int], Response]
) -> Response:
    """429 at once, the form's page shown again with `message` on `field` and when to try
    again in `Retry-After`: nothing waits in the worker."""
    field.errors = [*field.errors, message]
    response = page(429)
    response.headers["Retry-After"] = str(retry_after)
    return response
