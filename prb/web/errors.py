"""Domain errors and HTTP errors as pages (or JSON for API clients)."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException

from prb.extensions import db
from prb.services.errors import DomainError, NotAllowed
from prb.services.users import record_refusal

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Changed in the meantime",
    413: "Too large",
    422: "Please correct the form",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def _page(status: int, message: str, title: str | None = None):  # type: ignore[no-untyped-def]
    title = title or TITLES.get(status, "Error")
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": title, "message": message, "status": status}, status
    return render_template("error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        if isinstance(exc, NotAllowed):
            actor = current_user if current_user.is_authenticated else None
            record_refusal(actor, request.path, exc.message)
        return _page(exc.status_code, exc.message, exc.title)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return _page(
            400,
            "The form had expired or was sent from elsewhere. Nothing was saved; "
            "go back, reload the page and try again.",
            "Form expired",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        messages = {
            404: "There is no such page. Check the address, or go back to your dashboard.",
            405: "This address does not accept that kind of request.",
        }
        return _page(status, messages.get(status, exc.description or ""))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)
    def database_unavailable(exc: Exception):  # type: ignore[no-untyped-def]
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back on it
            db.session().invalidate()
        app.logger.error("database unavailable: %s", exc)
        # Render without the signed-in user: loading her would ask the database again.
        g._login_user = AnonymousUserMixin()
        response = _page(
            503,
            "The database cannot be reached just now. Nothing was saved. "
            "Please try again in a minute.",
        )
        return response[0], 503, {"Retry-After": "30"}
