"""Backups of the whole database: SQLite's online backup API, or pg_dump / pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine, make_url


def _libpq_url(engine: Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path(engine: Engine) -> str:
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` while PRB keeps running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(_sqlite_path(engine)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    subprocess.run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--file",
            str(target),
            _libpq_url(engine),
        ],
        check=True,
    )


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with the backup in `source`."""
    if not source.is_file():
        raise FileNotFoundError(source)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as backup_db, sqlite3.connect(_sqlite_path(engine)) as live:
            backup_db.backup(live)
        return
    subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq_url(engine),
            str(source),
        ],
        check=True,
    )
