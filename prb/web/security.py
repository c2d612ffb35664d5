"""Request-wide protections: session timeouts, security headers."""

from __future__ import annotations

import time

from flask import Flask, Response, abort, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf

from prb.models import utcnow

# No inline scripts or styles and nothing from other sites: everything is served by PRB.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Set on every answer unless its view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


# The bodies `request.form` is parsed from.
FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def register(app: Flask) -> None:
    if not app.config["PROXY_FIX"]:
        warn_of_an_untrusted_proxy(app)

    @app.before_request
    def load_the_user_afresh():  # type: ignore[no-untyped-def]
        # Flask-Login caches the user on `g`, which lives as long as the app context. A
        # request must never inherit a user loaded by an earlier request sharing the context
        # (as tests and CLI scripts do), or a disabled account would stay signed in.
        g.pop("_login_user", None)

    @app.before_request
    def reuse_the_signed_csrf_token():  # type: ignore[no-untyped-def]
        reuse_signed_csrf_token(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        return None

    @app.before_request
    def refuse_nul_characters():  # type: ignore[no-untyped-def]
        # No field of PRB takes control characters like NUL, and PostgreSQL cannot store it.
        # A NUL reaches the query's values only as `%00` or itself, and a form only from a
        # form body: most pages (a GET with a plain query) need neither parsed here.
        sources = []
        if b"%00" in request.query_string or b"\x00" in request.query_string:
            sources.append(request.args)
        if request.mimetype in FORM_BODIES:
            sources.append(request.form)
        for values in sources:
            for _, value in values.items(multi=True):  # every value of a repeated name
                if "\x00" in value:
                    abort(400, "The request contained a NUL character; nothing was done.")
        return None

    @app.before_request
    def expire_sessions():  # type: ignore[no-untyped-def]
        if not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        lifetime = app.config["SESSION_LIFETIME_HOURS"] * 3600
        seen = session.get("seen_at", 0)
        started = session.get("signed_in_at", 0)
        if now - seen > idle or now - started > lifetime:
            logout_user()
            session.clear()
            flash("Your session has ended; please sign in again.", "info")
            if request.endpoint != "auth.login":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return None
        if now - seen > 30:  # refresh the idle clock without rewriting every response
            session["seen_at"] = now
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # The names a view set itself, found in one pass: asking Headers for each absent
        # name raises and catches a KeyError (a werkzeug HTTPException), seven per page.
        present = {name.lower() for name, _ in headers.items()}
        wanted = list(SECURITY_HEADERS)
        if request.is_secure:
            wanted.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        if current_user.is_authenticated:
            wanted.append(("Cache-Control", "no-store"))
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response


# Flask-WTF signs the session's CSRF token afresh for every page that shows a form (every
# signed-in page: the header's sign-out form), ~80 µs of HMAC and JSON. The signed form of a
# session's token is kept here for a few minutes and handed to Flask-WTF through `g`, where
# it looks first. PRB's tokens have no time limit (WTF_CSRF_TIME_LIMIT is None): they are
# bound to the session, so a kept one is exactly as good as a new one.
CSRF_REUSE_SECONDS = 300.0
_SIGNED_CSRF_LIMIT = 4096
_signed_csrf: dict[str, tuple[float, str]] = {}


def reuse_signed_csrf_token(field_name: str) -> None:
    raw = session.get(field_name)
    if not isinstance(raw, str):
        return  # none yet: Flask-WTF makes one with the first form
    now = time.monotonic()
    kept = _signed_csrf.get(raw)
    if kept is not None and now - kept[0] < CSRF_REUSE_SECONDS:
        setattr(g, field_name, kept[1])
        return
    signed = generate_csrf()
    if len(_signed_csrf) >= _SIGNED_CSRF_LIMIT:
        _signed_csrf.clear()
    _signed_csrf[raw] = (now, signed)


def warn_of_an_untrusted_proxy(app: Flask) -> None:
    """With `PRB_PROXY_FIX` 0, behind a proxy every visitor has the proxy's address: one
    visitor's wrong passwords would refuse everyone's sign-in, and throttling by address
    stops nothing. A request carrying `X-Forwarded-For` says so in the log, once a worker."""
    warned = False

    @app.before_request
    def look_for_a_proxy():  # type: ignore[no-untyped-def]
        nonlocal warned
        if not warned and "X-Forwarded-For" in request.headers:
            warned = True
            app.logger.warning(
                "A request came with X-Forwarded-For while PRB_PROXY_FIX is 0: behind a "
                "reverse proxy, set PRB_PROXY_FIX to the number of proxies, or every visitor "
                "shares the proxy's address for sign-in throttling. (Without a proxy, the "
                "visitor sent the header himself; it is ignored.)"
            )
        return None
