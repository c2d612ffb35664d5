"""The `prb` command: Flask's CLI (run, db, shell, routes) plus PRB's own commands."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from prb.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """PRB — the Programme Review Board approval system."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(users_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(board_group)
    app.cli.add_command(import_group)


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, envvar="PRB_BIND")
@click.option("--workers", default=2, show_default=True, envvar="PRB_WORKERS")
@click.option(
    "--threads", default=4, show_default=True, envvar="PRB_THREADS", help="Threads per worker."
)
@click.option("--timeout", default=60, show_default=True, help="Seconds per request.")
def serve_command(bind: str, workers: int, threads: int, timeout: int) -> None:
    """Serve PRB with gunicorn (production): threaded workers, so that a slow client holds
    a thread rather than a whole process, and bounded requests. Heavy reports are made by
    `prb worker`, which runs beside this."""
    import sys

    args = [sys.executable, "-m", "gunicorn", *gunicorn_arguments(bind, workers, threads, timeout)]
    click.echo(f"Serving PRB on http://{bind}/ with {workers} workers × {threads} threads")
    os.execv(sys.executable, args)


def gunicorn_arguments(bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """gunicorn's settings for serving without a buffering proxy in front (docs/proxy.md)."""
    return [
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        bind,
        # A request taking longer than this gets its worker restarted; a stopping worker
        # gets this long to finish the requests it has.
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        # An idle keep-alive connection is closed after 5 s, so idle clients free threads.
        "--keep-alive",
        "5",
        # Bounded request heads: one line, 100 headers of 8 KiB at most (the body is bounded
        # by PRB_MAX_CONTENT_LENGTH).
        "--limit-request-line",
        "4094",
        "--limit-request-fields",
        "100",
        "--limit-request-field_size",
        "8190",
        # A worker is replaced after about 10,000 requests: memory stays flat.
        "--max-requests",
        "10000",
        "--max-requests-jitter",
        "1000",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "prb.wsgi:app",
    ]


@click.command("worker")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks when idle.")
@click.option("--once", is_flag=True, help="Do the jobs waiting now, then stop.")
@click.option(
    "--nice",
    default=10,
    show_default=True,
    envvar="PRB_WORKER_NICE",
    help="Lower the worker's CPU priority by this much (0: as the web server).",
)
@with_appcontext
def worker_command(poll: float, once: bool, nice: int) -> None:
    """Do background jobs one at a time (large reports), and close written procedures whose
    deadline has passed. Several workers may run at once."""
    import signal

    # A report made in the background may wait; a person waiting for a page may not. On a
    # machine with few cores the web server's requests get the CPU first.
    if nice > 0:
        os.nice(nice)

    from prb.services.jobs.queue import work

    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        # Finish the job in hand, then stop.
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"PRB worker started (pid {os.getpid()})")
    done = work(lambda: bool(stopping), poll_seconds=poll, once=once)
    click.echo(f"PRB worker stopped after {done} job(s).")


def _file_store():  # type: ignore[no-untyped-def]
    from flask import current_app

    from prb.services.files.storage import file_store

    try:
        return file_store(current_app.config, current_app.instance_path)
    except ValueError as error:
        raise click.ClickException(str(error)) from error


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(target: str) -> None:
    """Copy the whole database and every uploaded file to TARGET (one tar file)."""
    from pathlib import Path

    from prb.backup import backup
    from prb.extensions import db

    files = backup(db.engine, Path(target), _file_store())
    click.echo(f"Backup written to {target}: the database and {files} file(s)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Put back the files of the backup SOURCE and replace the database's content with it."""
    from pathlib import Path

    from prb.backup import BackupError, restore
    from prb.extensions import db

    store = _file_store()
    if not yes:
        click.confirm(
            "This replaces everything in the database and puts back the backup's files. Continue?",
            abort=True,
        )
    try:
        restored = restore(db.engine, Path(source), store)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if restored.files_put is None:
        click.echo(
            f"Database restored from {source} (a backup without files: the file store was "
            "left as it is)"
        )
    else:
        click.echo(
            f"Database restored from {source}; files: {restored.files_put} put back, "
            f"{restored.files_present} already there"
        )


@click.group("board")
def board_group() -> None:
    """Board maintenance."""


@board_group.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Close written procedures whose deadline has passed (for a periodic job)."""
    from prb.services.board import close_due

    click.echo(f"{close_due()} item(s) closed.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Replay the demo office (the seed document's 2017–2019) into an empty database, and
    print the demo sign-ins. Running it again changes nothing."""
    from prb.demo.loader import NotEmpty, load_demo
    from prb.demo.portfolio import ADMINISTRATOR, DEMO_PASSWORD, USERS

    _require_current_schema()
    # Before the replay, so that the minutes it finalises are signed.
    _ensure_demo_certificate()
    try:
        added = load_demo()
    except NotEmpty as exc:
        raise click.ClickException(str(exc)) from None
    summary = ", ".join(f"{n} {kind}" for kind, n in added.items() if n) or "nothing new"
    click.echo(f"Demo office loaded ({summary}).")
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for u in [ADMINISTRATOR, *USERS]:
        roles = ", ".join(r.label for r in u.roles)
        extra = " (Board chair)" if u.board_chair else ""
        chairs = f" — chairs {', '.join(u.chairs)}" if u.chairs else ""
        click.echo(f"  {u.email:<28} {roles}{extra}{chairs}")


def _ensure_demo_certificate() -> None:
    """Final minutes are signed with a demo certificate (from a demo CA) unless one is set."""
    from pathlib import Path

    from flask import current_app

    from prb.services.signing import create_demo_certificate

    target = current_app.config.get("SIGNING_P12")
    if target and not Path(target).exists():
        create_demo_certificate(Path(target))
        click.echo(f"Demo signing certificate (issued by a demo CA) created: {target}")


def _require_current_schema() -> None:
    """Refuse to load data into a database that `prb db upgrade` has not brought up to date."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    from prb.extensions import db

    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise click.ClickException(
            f"The database schema is at {current or 'nothing'}, not {head}: "
            "run `prb db upgrade` first."
        )


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


def _link_lifetime():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from flask import current_app

    return timedelta(hours=int(current_app.config["PASSWORD_LINK_HOURS"]))


def _link_url(base_url: str, token: str) -> str:
    """The set-password page's address as the office's browsers reach it."""
    from flask import current_app, url_for

    with current_app.test_request_context(base_url=base_url):
        return url_for("auth.set_password", token=token, _external=True)


def _fail(exc) -> click.ClickException:  # type: ignore[no-untyped-def]
    problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in getattr(exc, "fields", {}).items())
    return click.ClickException(f"{exc.message} {problems}".strip())


BASE_URL = click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    envvar="PRB_BASE_URL",
    help="Where people open PRB, for the link printed.",
)


@click.command("setup")
@click.option("--entity-code", required=True, help="Your office's entity, e.g. UNOCT.")
@click.option("--entity-name", required=True, help="Its full name.")
@click.option("--email", required=True, help="The first administrator's e-mail address.")
@click.option("--name", required=True, help="The first administrator's name.")
@click.option(
    "--also-secretariat", is_flag=True, help="She is also the Board secretariat (both roles)."
)
@BASE_URL
@with_appcontext
def setup_command(
    entity_code: str,
    entity_name: str,
    email: str,
    name: str,
    also_secretariat: bool,
    base_url: str,
) -> None:
    """First run: your office's entity and its first administrator (empty database only)."""
    from prb.services.accounts.setup import set_up_office
    from prb.services.errors import DomainError

    _require_current_schema()
    try:
        done = set_up_office(
            entity_code=entity_code,
            entity_name=entity_name,
            email=email,
            name=name,
            also_secretariat=also_secretariat,
            valid_for=_link_lifetime(),
        )
    except DomainError as exc:
        raise _fail(exc) from None
    entity = done.entity
    click.echo(
        f"Entity {entity.code} ({entity.name}) "
        + ("created." if done.entity_created else "already existed: kept as it is.")
    )
    roles = ", ".join(r.label for r in sorted(done.administrator.roles))
    click.echo(f"Administrator {done.administrator.email} created ({roles}).")
    click.echo(
        f"\nShe sets her password by opening this link (once, until "
        f"{done.link.expires_at:%Y-%m-%d %H:%M} UTC):\n\n  {_link_url(base_url, done.link.token)}\n"
    )
    click.echo("Then she signs in and does the rest in the browser (Users, reference data).")


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--entity", "entity_code", required=True, help="Entity code, e.g. CTED.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["chair", "board_member", "finance", "secretariat", "administrator"]),
    help="Repeat for several roles.",
)
@BASE_URL
@with_appcontext
def users_create(
    email: str, name: str, entity_code: str, roles: tuple[str, ...], base_url: str
) -> None:
    """Create a user account and print her one-time set-password link."""
    from sqlalchemy import func, select

    from prb.extensions import db
    from prb.models import Entity
    from prb.services.accounts.password_links import invite_user
    from prb.services.accounts.people import UserInput
    from prb.services.errors import DomainError
    from workflows import Role

    entity = db.session.scalar(
        select(Entity).where(func.upper(Entity.code) == entity_code.strip().upper())
    )
    if entity is None:
        raise click.BadParameter(
            f"no entity with code {entity_code!r} (on an empty database, start with `prb setup`)",
            param_hint="--entity",
        )
    try:
        link = invite_user(
            None,
            UserInput(email=email, name=name, entity_id=entity.id, roles={Role(r) for r in roles}),
            valid_for=_link_lifetime(),
        )
    except DomainError as exc:
        raise _fail(exc) from None
    user = link.user
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")
    click.echo(
        f"Her set-password link (once, until {link.expires_at:%Y-%m-%d %H:%M} UTC):\n"
        f"  {_link_url(base_url, link.token)}"
    )


@users_group.command("password-link")
@click.argument("email")
@BASE_URL
@with_appcontext
def users_password_link(email: str, base_url: str) -> None:
    """Print a new set-password link for EMAIL (her older links stop working)."""
    from prb.services.accounts.password_links import issue_password_link
    from prb.services.errors import DomainError

    try:
        link = issue_password_link(None, _user_id(email), valid_for=_link_lifetime())
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(
        f"Set-password link for {link.user.email} (once, until "
        f"{link.expires_at:%Y-%m-%d %H:%M} UTC):\n  {_link_url(base_url, link.token)}"
    )


@users_group.command("reset-two-step")
@click.argument("email")
@with_appcontext
def users_reset_two_step(email: str) -> None:
    """Turn off EMAIL's two-step sign-in (a lost phone); she sets it up again."""
    from prb.services.accounts.two_step import reset_two_step
    from prb.services.errors import DomainError

    try:
        user = reset_two_step(None, _user_id(email))
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(f"Two-step sign-in of {user.email} is reset.")


def _user_id(email: str) -> int:
    from sqlalchemy import func, select

    from prb.extensions import db
    from prb.models import User

    user_id = db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if user_id is None:
        raise click.BadParameter(f"no account with the address {email!r}", param_hint="EMAIL")
    return user_id


@users_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; import nothing.")
@BASE_URL
@with_appcontext
def users_import(file: str, dry_run: bool, base_url: str) -> None:
    """Create the accounts of a CSV file (email,name,entity,roles) and print their links."""
    from pathlib import Path

    from prb.services.accounts.user_import import import_users
    from prb.services.errors import DomainError

    path = Path(file)
    try:
        result = import_users(
            None, path.name, path.read_bytes(), dry_run=dry_run, valid_for=_link_lifetime()
        )
    except DomainError as exc:
        raise _fail(exc) from None
    if result.earlier is not None:
        click.echo(
            f"{path.name} was already imported on {result.earlier.imported_at:%Y-%m-%d %H:%M} "
            "UTC: nothing imported again."
        )
        return
    if result.errors:
        for error in result.errors:
            click.echo(f"row {error.row}, {error.field}: {error.message}", err=True)
        raise click.ClickException(
            f"{len(result.errors)} problem(s) in {path.name}: nothing was imported."
        )
    if dry_run:
        click.echo(f"All {len(result.rows)} rows of {path.name} are valid (dry run: nothing done).")
        return
    click.echo(f"Imported {len(result.links)} account(s). Their set-password links (shown once):")
    import csv
    import sys

    from prb.services.spreadsheet import safe_cell

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["email", "name", "link"])
    for link in result.links:
        cells = (link.user.email, link.user.name, _link_url(base_url, link.token))
        writer.writerow([safe_cell(c) for c in cells])


@click.group("import")
def import_group() -> None:
    """Import existing records from CSV files."""


@import_group.command("projects")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; import nothing.")
@click.option(
    "--by",
    "email",
    required=True,
    help="E-mail of the secretariat or administrator account the import is recorded under.",
)
@with_appcontext
def import_projects_command(file: str, dry_run: bool, email: str) -> None:
    """Import the projects of FILE (CSV, see docs/examples/portfolio-2018.csv): all or none."""
    from pathlib import Path

    from sqlalchemy import func, select

    from prb.extensions import db
    from prb.models import User
    from prb.services import portfolio_import
    from prb.services.errors import DomainError

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise click.BadParameter(f"no account with e-mail {email!r}", param_hint="--by")
    path = Path(file)
    content = path.read_bytes()
    try:
        result = portfolio_import.check_projects(user, path.name, content)
        if result.previous is not None:
            raise click.ClickException(portfolio_import.already_imported(result.previous))
        for e in result.errors:
            click.echo(f"row {e.row}, {e.field or 'file'}: {e.message}", err=True)
        if result.errors:
            raise click.ClickException(f"{len(result.errors)} problem(s): nothing was imported.")
        if dry_run:
            click.echo(f"{len(result.rows)} project(s) checked: no problem. Nothing imported.")
            return
        batch = portfolio_import.import_projects(
            user, path.name, content, expected_sha256=result.sha256
        )
    except portfolio_import.ImportRefused as exc:
        for e in exc.errors:
            click.echo(f"row {e.row}, {e.field or 'file'}: {e.message}", err=True)
        raise click.ClickException(exc.message) from None
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{batch.rows} project(s) imported from {batch.filename} (import {batch.id}).")
