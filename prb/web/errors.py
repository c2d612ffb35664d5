"""Domain errors and HTTP errors as pages (or JSON for API clients)."""

from __future__ import annotations

from flask import Flask, g, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

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
        if status == 405 and request.method == "GET":
            back = _page_of_form(app)
            if back is not None:
                return redirect(back, 303)
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


def _page_of_form(app: Flask) -> str | None:
    """The page a form posting to this address lives on, for a GET of it: the address bar
    keeps a form's address after a refused post (a 409, a 422), and reopening it answered
    405. The meeting of an agenda item, the meeting, the proposal; None when unknown."""
    try:
        _, args = app.url_map.bind_to_environ(request.environ).match(method="POST")
    except (HTTPException, RequestRedirect):
        return None
    if "item_id" in args and request.path.startswith("/board/"):
        from prb.services.board import meeting_id_of

        try:
            return url_for("board.meeting", meeting_id=meeting_id_of(args["item_id"]))
        except DomainError:
            return None
    if "meeting_id" in args and request.path.startswith("/board/"):
        return url_for("board.meeting", meeting_id=args["meeting_id"])
    if "proposal_id" in args:
        # The ledger, dates, extension and co-funding forms are on the project's finance page.
        on_finance = any(
            part in request.path for part in ("/finance/", "/extensions", "/co-funding")
        )
        page = "finance.project" if on_finance else "proposals.show"
        return url_for(page, proposal_id=args["proposal_id"])
    return None
