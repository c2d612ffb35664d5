"""Backups of the whole database and of the uploaded files, in one file.

A backup is an uncompressed tar (the files are mostly compressed formats already):

    database.sqlite3 | database.pgdump   SQLite's online backup, or `pg_dump --format=custom`
    files/<key>                          every stored file, under its key
    prb-backup.json                      format, database kind, and each member's SHA-256

Backups written before PRB kept files are a bare database dump (no tar); `restore` still
takes them and leaves the file store as it is.

The database is dumped first and the files copied after it: a stored file is never changed
and is deleted only when its record was never committed, so every file the dump refers to
is still there when the copy reaches it (the copy may also hold a few newer files nobody
refers to yet, which is harmless). A restore checks everything and puts the files back
before it replaces the database, so the restored records never point at a missing file and
a refused restore has changed nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine, make_url

from prb.services.files.storage import FileStore, check_key

MANIFEST = "prb-backup.json"
FORMAT = 1
_DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_FILES = "files/"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be restored as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    """What a restore did with the files (None: a backup made before PRB kept files)."""

    files_put: int | None = None
    files_present: int = 0


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


def _sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def dump_database(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database alone to `target` while PRB keeps running."""
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


def restore_database(engine: Engine, source: Path) -> None:
    """Replace the database's content with the database dump in `source`."""
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


def _member_info(name: str, size: int, when: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(when)
    info.mode = 0o600
    return info


def backup(engine: Engine, target: Path, store: FileStore) -> int:
    """Write the database and every stored file to `target`; the number of files copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    database_member = _DATABASE_MEMBER.get(dialect)
    if database_member is None:
        raise ValueError(f"PRB cannot back up a {dialect} database")
    now = time.time()
    # Written under a temporary name and renamed when complete: a backup that failed half
    # way never sits at `target` looking like a good one.
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    dump = target.with_name(f".{target.name}.{secrets.token_hex(4)}.database")
    digests: dict[str, str] = {}
    try:
        dump_database(engine, dump)
        # Readable by its owner only: the backup holds every password hash and document.
        raw = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        with raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
            with open(dump, "rb") as handle:
                database_digest = _sha256_of(handle)
            archive.add(dump, arcname=database_member, recursive=False)
            dump.unlink()
            for key in list(store.keys()):
                try:
                    data = store.get(key)
                except FileNotFoundError:
                    continue  # removed since the listing: its record was never committed
                digests[key] = hashlib.sha256(data).hexdigest()
                archive.addfile(_member_info(_FILES + key, len(data), now), io.BytesIO(data))
            manifest = json.dumps(
                {
                    "format": FORMAT,
                    "made": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
                    "database": dialect,
                    "database_member": database_member,
                    "database_sha256": database_digest,
                    "files": digests,
                },
                indent=1,
                sort_keys=True,
            ).encode()
            archive.addfile(_member_info(MANIFEST, len(manifest), now), io.BytesIO(manifest))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        dump.unlink(missing_ok=True)
    return len(digests)


def _manifest(source: Path) -> dict[str, Any] | None:
    """The manifest of a PRB backup archive; None for a bare database dump (older backups)."""
    if not tarfile.is_tarfile(source):
        return None  # a SQLite file or a pg_dump archive: neither starts like a tar
    with tarfile.open(source, "r:") as archive:
        try:
            member = archive.getmember(MANIFEST)
        except KeyError:
            raise BackupError(f"{source} is not a PRB backup (it has no {MANIFEST})") from None
        handle = archive.extractfile(member)
        if handle is None:
            raise BackupError(f"{source} is damaged: its {MANIFEST} is not a file")
        try:
            manifest = json.loads(handle.read())
        except ValueError as error:
            raise BackupError(f"{source} is damaged: its {MANIFEST} is not JSON") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} was written by another version of PRB (unknown format)")
    return manifest


def _read_member(archive: tarfile.TarFile, name: str, source: Path) -> IO[bytes]:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise BackupError(f"{source} is damaged: {name} is missing") from None
    handle = archive.extractfile(member) if member.isfile() else None
    if handle is None:
        raise BackupError(f"{source} is damaged: {name} is not a file")
    return handle


def _check_files(
    archive: tarfile.TarFile, manifest: dict[str, Any], store: FileStore, source: Path
) -> tuple[list[str], int]:
    """Keys to put back and the number already stored; BackupError before any change."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError(f"{source} is damaged: its list of files is unreadable")
    missing: list[str] = []
    present = 0
    different: list[str] = []
    for key, digest in sorted(files.items()):
        try:
            check_key(key)
        except ValueError:
            raise BackupError(f"{source} is damaged: {key!r} is not a file key") from None
        if _sha256_of(_read_member(archive, _FILES + key, source)) != digest:
            raise BackupError(f"{source} is damaged: file {key} does not match its SHA-256")
        if not store.exists(key):
            missing.append(key)
        elif hashlib.sha256(store.get(key)).hexdigest() == digest:
            present += 1
        else:
            different.append(key)
    if different:
        shown = ", ".join(different[:5]) + (" …" if len(different) > 5 else "")
        raise BackupError(
            f"Nothing restored: {len(different)} file(s) in the file store differ from the "
            f"backup's under the same key ({shown}). PRB never overwrites a stored file: "
            "restore into an empty file store, or move those files aside first."
        )
    return missing, present


def restore(engine: Engine, source: Path, store: FileStore) -> Restored:
    """Put the backup's files back into `store`, then replace the database's content."""
    if not source.is_file():
        raise FileNotFoundError(source)
    manifest = _manifest(source)
    if manifest is None:
        restore_database(engine, source)
        return Restored()
    dialect = engine.dialect.name
    if manifest.get("database") != dialect or dialect not in _DATABASE_MEMBER:
        raise BackupError(
            f"Nothing restored: {source} holds a {manifest.get('database')} database "
            f"and PRB is configured for {dialect}"
        )
    database_member = _DATABASE_MEMBER[dialect]
    with tarfile.open(source, "r:") as archive:
        database = _read_member(archive, database_member, source)
        if _sha256_of(database) != manifest.get("database_sha256"):
            raise BackupError(f"{source} is damaged: the database does not match its SHA-256")
        missing, present = _check_files(archive, manifest, store, source)
        for key in missing:
            data = _read_member(archive, _FILES + key, source).read()
            try:
                store.put(key, data)
            except FileExistsError:
                # Stored meanwhile (another restore?): fine only when it is the same file.
                if store.get(key) != data:
                    raise BackupError(
                        f"File {key} appeared in the file store during the restore with "
                        "other content; the database was not restored"
                    ) from None
        with tempfile.TemporaryDirectory(prefix="prb-restore-") as folder:
            copy = Path(folder) / "database"
            with open(copy, "wb") as handle:
                shutil.copyfileobj(_read_member(archive, database_member, source), handle)
            restore_database(engine, copy)
    return Restored(files_put=len(missing), files_present=present)
