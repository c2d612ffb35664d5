"""The `prb` command: Flask's CLI (run, db, shell, routes) plus PRB's own commands."""

from __future__ import annotations

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
    app.cli.add_command(users_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(board_group)
    app.cli.add_command(import_group)


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, envvar="PRB_BIND")
@click.option("--workers", default=4, show_default=True, envvar="PRB_WORKERS")
@click.option("--timeout", default=60, show_default=True, help="Seconds per request.")
def serve_command(bind: str, workers: int, timeout: int) -> None:
    """Serve PRB with gunicorn and several worker processes (production)."""
    import os
    import sys

    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        bind,
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "prb.wsgi:app",
    ]
    click.echo(f"Serving PRB on http://{bind}/ with {workers} workers")
    os.execv(sys.executable, args)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(target: str) -> None:
    """Copy the whole database to TARGET (SQLite file, or pg_dump custom format)."""
    from pathlib import Path

    from prb.backup import backup
    from prb.extensions import db

    backup(db.engine, Path(target))
    click.echo(f"Backup written to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Replace the database's content with the backup SOURCE."""
    from pathlib import Path

    from prb.backup import restore
    from prb.extensions import db

    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    restore(db.engine, Path(source))
    click.echo(f"Database restored from {source}")


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
    """Load the demo portfolio (idempotent) and print the demo sign-ins."""
    from prb.demo.loader import load_demo
    from prb.demo.portfolio import DEMO_PASSWORD, USERS

    _require_current_schema()
    added = load_demo()
    summary = ", ".join(f"{n} {kind}" for kind, n in added.items() if n) or "nothing new"
    click.echo(f"Demo portfolio loaded ({summary}).")
    _ensure_demo_certificate()
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for u in USERS:
        roles = ", ".join(r.label for r in u.roles)
        extra = " (Board chair)" if u.board_chair else ""
        chairs = f" — chairs {', '.join(u.chairs)}" if u.chairs else ""
        click.echo(f"  {u.email:<28} {roles}{extra}{chairs}")


def _ensure_demo_certificate() -> None:
    """Final minutes are signed with a self-signed demo certificate unless one is set."""
    from pathlib import Path

    from flask import current_app

    from prb.services.signing import create_demo_certificate

    target = current_app.config.get("SIGNING_P12")
    if target and not Path(target).exists():
        create_demo_certificate(Path(target))
        click.echo(f"Self-signed demo signing certificate created: {target}")


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


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--entity", "entity_code", required=True, help="Entity code, e.g. CTED.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["chair", "board_member", "finance", "secretariat"]),
    help="Repeat for several roles.",
)
@click.option("--chairs", "chairs", multiple=True, help="Working group (short) name; repeatable.")
@click.option("--board-chair", is_flag=True, help="This board member chairs the Board.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def users_create(
    email: str,
    name: str,
    entity_code: str,
    roles: tuple[str, ...],
    chairs: tuple[str, ...],
    board_chair: bool,
    password: str,
) -> None:
    """Create a user account."""
    from sqlalchemy import or_, select

    from prb.extensions import db
    from prb.models import Entity, WorkingGroup
    from prb.services.errors import Invalid
    from prb.services.users import UserInput, create_user
    from workflows import Role

    entity = db.session.scalar(select(Entity).where(Entity.code == entity_code))
    if entity is None:
        raise click.BadParameter(f"no entity with code {entity_code!r}", param_hint="--entity")
    group_ids: set[int] = set()
    for wanted in chairs:
        group = db.session.scalar(
            select(WorkingGroup).where(
                or_(WorkingGroup.short_name == wanted, WorkingGroup.name == wanted)
            )
        )
        if group is None:
            raise click.BadParameter(f"no working group {wanted!r}", param_hint="--chairs")
        group_ids.add(group.id)
    try:
        user = create_user(
            None,
            UserInput(
                email=email,
                name=name,
                entity_id=entity.id,
                roles={Role(r) for r in roles},
                chaired_group_ids=group_ids,
                is_board_chair=board_chair,
                password=password,
            ),
        )
    except Invalid as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {problems}") from None
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


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
