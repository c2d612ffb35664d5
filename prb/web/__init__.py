"""HTTP: blueprints parse input, call one service function, and render or redirect."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_login import current_user

from workflows import Role


def register(app: Flask) -> None:
    from prb.web import (
        admin,
        annual_section,
        attachments,
        audit,
        auth,
        board,
        calendar_files,
        calls,
        co_funding,
        errors,
        filters,
        finance,
        hooks,
        main,
        menu,
        notifications,
        office,
        outbox,
        password_reset,
        progress_reports,
        proposal_actions,  # noqa: F401 (its routes join the proposals blueprint)
        proposals,
        reference,
        reporting_notes,
        reports,
        security,
        two_step_pages,  # noqa: F401 (its routes join the auth blueprint)
        urls,
        workflow,
    )
    from prb.web.imports import bp as imports_bp

    for module in (auth, main, proposals, calls, board, finance, reports, admin, workflow):
        app.register_blueprint(module.bp)
    app.register_blueprint(reference.bp)
    app.register_blueprint(office.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(reporting_notes.bp)
    app.register_blueprint(co_funding.bp)
    app.register_blueprint(annual_section.bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(calendar_files.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(progress_reports.bp)
    errors.register(app)
    filters.register(app)
    security.register(app)
    menu.register(app)
    urls.register(app)
    auth.register(app)
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["unread_notifications"] = _unread_notifications

    @app.before_request
    def require_sign_in():  # type: ignore[no-untyped-def]
        """Every page but sign-in, the health check and static files needs a signed-in user."""
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.endswith(".static") or endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None

    hooks.fold(app)  # last: every app-wide hook is registered


def _unread_notifications() -> int:
    """The header's count, loaded with the signed-in user (a query of its own only where the
    user was loaded another way)."""
    from prb.services.notifications import inbox

    if not current_user.is_authenticated:
        return 0
    counted = current_user.unread_notifications
    return inbox.unread_count(current_user) if counted is None else counted


PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_step",
        "auth.set_password",
        "main.favicon",
        "main.healthz",
        "notifications.unsubscribe",
        "password_reset.forgot",
    }
)
