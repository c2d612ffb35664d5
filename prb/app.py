"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, String, bindparam, cast, func, literal_column, select
from sqlalchemy.orm import lazyload, with_expression
from werkzeug.routing import IntegerConverter

from prb import config
from prb.extensions import (
    Compression,
    csrf,
    db,
    end_lost_connections,
    keep_plans_between_reads,
    login_manager,
    migrate,
    ping_idle_connections,
    read_without_transactions,
    serialise_sqlite_writes,
    stamp_record_writes,
)

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """`templates/` and `migrations/` sit at the top of a source checkout and are copied
    into the package by a wheel build; use whichever this installation has."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


TEMPLATE_DIR = _resource_dir("templates")
MIGRATIONS_DIR = _resource_dir("migrations")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "prb",
        template_folder=str(TEMPLATE_DIR),
        static_folder=str(PACKAGE_DIR / "static"),
        instance_relative_config=True,
    )
    config.load(app.config, app.instance_path, overrides)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    register_extensions(app)
    app.url_map.converters["int"] = KeyConverter
    register_blueprints(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            serialise_sqlite_writes(engine, app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
            ping_idle_connections(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
            stamp_record_writes(engine)
            keep_plans_between_reads(app, engine)
            end_lost_connections(app, engine)
            read_without_transactions(engine)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    if app.config["COMPRESS"]:
        # Registered first, so its after-request hook runs last: it compresses the answer
        # every other hook (security headers, cache headers) has finished.
        app.extensions["compress"] = Compression(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    from prb.models import (
        Notification,
        User,
        UserRole,
        records_stamp_column,
        working_group_chairs,
    )
    from prb.services import stamped

    # Built once: a statement object remembers its compiled form and cache key, which
    # every request would otherwise compute again (~0.2 ms).
    signed_in_user = (
        select(User, records_stamp_column())
        .where(User.id == bindparam("user_id"))
        .options(
            # Her roles and groups as two text columns of this one row, not as rows turned
            # into objects (see User.role_names_read); her entity, for the header, joined.
            lazyload(User.role_rows),
            lazyload(User.chaired_groups),
            with_expression(User.role_names_read, _listed(UserRole.role, UserRole.user_id)),
            with_expression(
                User.chaired_group_ids_read,
                _listed(
                    cast(working_group_chairs.c.working_group_id, String),
                    working_group_chairs.c.user_id,
                ),
            ),
            with_expression(
                User.unread_notifications,
                select(func.count(Notification.id))
                .where(Notification.user_id == User.id, Notification.read_at.is_(None))
                .correlate(User)
                .scalar_subquery(),
            ),
        )
    )

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The session names the user and her session version; a bumped version (signed
        out elsewhere, password changed) or a disabled account ends the session."""
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        # One statement for the user, her entity, roles, chaired groups and unread count:
        # every page needs them (the menu, the permission checks, the header's badge), and
        # each round trip more costs every page ~0.3 ms.
        found = db.session.execute(signed_in_user, {"user_id": int(user_id)}).one_or_none()
        if found is None:
            return None
        user, stamp = found
        # The records' stamp comes with her, read before any record the page reads: a page
        # kept while the records are unchanged needs no statement of its own to know it.
        stamped.remember_stamp(stamp)
        if not user.active or user.session_version != int(version):
            return None
        return user


class KeyConverter(IntegerConverter):
    """`<int:…>` in URLs: a number a database key can hold, or the page is not found."""

    def __init__(self, url_map, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, **kwargs)


def _listed(value: ColumnElement[str], owner: ColumnElement[int]) -> ColumnElement[str]:
    """The signed-in user's values of a column, comma-separated ('' when she has none, so
    that none is told apart from not read)."""
    from prb.models import User

    # The separator and the empty string are written into the statement: as bound values,
    # the separator would be rendered afresh at every execution (a "post-compile" parameter,
    # ~25 µs a page).
    listed = select(func.aggregate_strings(value, literal_column("','"))).where(owner == User.id)
    return func.coalesce(listed.correlate(User).scalar_subquery(), literal_column("''"))


def register_commands(app: Flask) -> None:
    from prb.cli import register_commands as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from prb.web import register

    register(app)
