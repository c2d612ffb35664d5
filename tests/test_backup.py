"""`prb backup` and `prb restore`: a restored database serves the same portfolio, and the
uploaded files come back with it, into the local folder or S3 (a local moto server)."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from prb.backup import MANIFEST, dump_database
from prb.extensions import db
from prb.models import Entity
from prb.services.files.s3 import S3FileStore
from prb.services.files.storage import FileStore, file_store, new_key
from tests import factories
from tests.conftest import make_app
from tests.s3_helpers import raw_client, s3_settings

__all__ = ["s3_settings"]  # the fixture, imported for pytest

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')
PAGES = ["/finance/dashboard.csv", "/reports/portfolio.csv?year=2018", "/proposals/?page=2"]


def snapshot(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post(
        "/login", data={"email": "secretariat@prb.example", "password": "prb-demo-password"}
    )
    # The sign-out form's token belongs to the session, not to the data.
    return {page: CSRF.sub("csrf", client.get(page).get_data(as_text=True)) for page in PAGES}


def store_of(app: Flask) -> FileStore:
    return file_store(app.config, app.instance_path)


def upload_some(store: FileStore) -> dict[str, bytes]:
    files = {
        new_key(): bytes(range(256)) * 40,
        new_key(): "Lettre d'appui — رسالة دعم".encode(),
        new_key(): b"",
    }
    for key, data in files.items():
        store.put(key, data)
    return files


def stored(store: FileStore) -> dict[str, bytes]:
    return {key: store.get(key) for key in sorted(store.keys())}


def lose_the_database() -> None:
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        Path(db.engine.url.database).unlink()
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()


def probe_exists() -> bool:
    """Whether the entity added after the backup is in the database (gone once restored)."""
    db.session.remove()
    found = db.session.scalar(select(Entity).where(Entity.code == "PROBE"))
    db.session.remove()
    return found is not None


def add_probe() -> None:
    factories.entity("PROBE")
    db.session.commit()
    db.session.remove()


def test_backup_then_restore_after_losing_everything(empty_database: str, tmp_path: Path) -> None:
    app = make_app(empty_database, SIGNING_P12="", FILES_DIRECTORY=str(tmp_path / "files"))
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        assert runner.invoke(args=["demo"]).exit_code == 0
        before = snapshot(app)
        assert "UNCCT-2017-73-a" in before["/finance/dashboard.csv"]
        uploaded = upload_some(store_of(app))
        target = tmp_path / "prb.backup"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        assert "the database and 3 file(s)" in result.output
        assert target.stat().st_size > 0
        assert target.stat().st_mode & 0o077 == 0, "a backup is for its owner's eyes only"

        # everything is lost: the database and the files
        lose_the_database()
        shutil.rmtree(tmp_path / "files")

        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        assert "3 put back, 0 already there" in result.output
        after = snapshot(app)
        assert stored(store_of(app)) == uploaded
        db.session.remove()
        db.engine.dispose()
    assert after == before


def test_backup_from_a_local_folder_restores_into_s3(
    empty_database: str, tmp_path: Path, s3_settings: dict[str, str]
) -> None:
    local = make_app(empty_database, FILES_DIRECTORY=str(tmp_path / "files"))
    target = tmp_path / "prb.backup"
    with local.app_context():
        upgrade()
        assert local.test_cli_runner().invoke(args=["demo"]).exit_code == 0
        before = snapshot(local)
        uploaded = upload_some(store_of(local))
        result = local.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        lose_the_database()

    # The office moves to several servers: the same database, files now in S3.
    moved = make_app(empty_database, **s3_settings)
    with moved.app_context():
        s3 = store_of(moved)
        assert isinstance(s3, S3FileStore)
        assert list(s3.keys()) == []
        result = moved.test_cli_runner().invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        assert "3 put back, 0 already there" in result.output
        assert stored(s3) == uploaded
        listing = raw_client().list_objects_v2(Bucket=s3_settings["S3_BUCKET"])["Contents"]
        assert sorted(entry["Key"] for entry in listing) == sorted(f"prb/{k}" for k in uploaded)
        assert snapshot(moved) == before

        # and back from S3: its backup holds the same files
        again = tmp_path / "from-s3.backup"
        result = moved.test_cli_runner().invoke(args=["backup", str(again)])
        assert result.exit_code == 0, result.output
        with tarfile.open(again) as archive:
            names = set(archive.getnames())
            assert {f"files/{key}" for key in uploaded} <= names
            for key, data in uploaded.items():
                member = archive.extractfile(f"files/{key}")
                assert member is not None and member.read() == data
        db.session.remove()
        db.engine.dispose()


def test_restore_skips_identical_files_and_refuses_different_ones(
    empty_database: str, tmp_path: Path
) -> None:
    app = make_app(empty_database, FILES_DIRECTORY=str(tmp_path / "files"))
    runner = app.test_cli_runner()
    target = tmp_path / "prb.backup"
    with app.app_context():
        upgrade()
        uploaded = upload_some(store_of(app))
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        add_probe()
        shutil.rmtree(tmp_path / "files")
        same, changed, missing = list(uploaded)

        # A file under the same key with other bytes: nothing at all is restored.
        store = store_of(app)
        store.put(same, uploaded[same])
        store.put(changed, b"another document under the same key")
        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 1
        assert "Nothing restored: 1 file(s) in the file store differ" in result.output
        assert changed in result.output and same not in result.output
        assert "never overwrites" in result.output
        assert probe_exists(), "the database was replaced although the restore was refused"
        assert not store.exists(missing), "a file was put back although the restore was refused"
        assert store.get(changed) == b"another document under the same key"

        # Moved aside, the same restore goes through and leaves the identical file as it was.
        store.delete(changed)
        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        assert "2 put back, 1 already there" in result.output
        assert stored(store) == uploaded
        assert not probe_exists()
        db.session.remove()
        db.engine.dispose()


def test_a_backup_made_before_files_were_kept_still_restores(
    empty_database: str, tmp_path: Path
) -> None:
    app = make_app(empty_database, FILES_DIRECTORY=str(tmp_path / "files"))
    runner = app.test_cli_runner()
    older = tmp_path / "older.backup"
    with app.app_context():
        upgrade()
        dump_database(db.engine, older)  # what `prb backup` wrote until now: the bare dump
        add_probe()
        kept = upload_some(store_of(app))
        result = runner.invoke(args=["restore", str(older), "--yes"])
        assert result.exit_code == 0, result.output
        assert "a backup without files: the file store was left as it is" in result.output
        assert not probe_exists()
        assert stored(store_of(app)) == kept
        db.session.remove()
        db.engine.dispose()


def rewrite(backup: Path, damaged: Path, change: dict[str, bytes]) -> None:
    """A copy of `backup` with some members' bytes replaced (the manifest left as it was)."""
    with tarfile.open(backup) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            data = change.get(member.name, handle.read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_damaged_backup_is_refused_before_anything_changes(
    empty_database: str, tmp_path: Path
) -> None:
    app = make_app(empty_database, FILES_DIRECTORY=str(tmp_path / "files"))
    runner = app.test_cli_runner()
    target = tmp_path / "prb.backup"
    with app.app_context():
        upgrade()
        uploaded = upload_some(store_of(app))
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        with tarfile.open(target) as archive:
            handle = archive.extractfile(MANIFEST)
            assert handle is not None
            manifest = json.loads(handle.read())
        assert manifest["files"].keys() == uploaded.keys()
        add_probe()
        shutil.rmtree(tmp_path / "files")
        first = sorted(uploaded)[0]
        cases = {
            "file": ({f"files/{first}": b"bit rot"}, f"file {first} does not match its SHA-256"),
            "database": ({manifest["database_member"]: b"bit rot"}, "the database does not match"),
            "manifest": ({MANIFEST: b"{not json"}, "is not JSON"),
            "kind": (
                {MANIFEST: json.dumps({**manifest, "database": "oracle"}).encode()},
                "holds a oracle database and PRB is configured for",
            ),
        }
        for name, (change, message) in cases.items():
            damaged = tmp_path / f"damaged-{name}.backup"
            rewrite(target, damaged, change)
            result = runner.invoke(args=["restore", str(damaged), "--yes"])
            assert result.exit_code == 1, name
            assert message in result.output, result.output
            assert probe_exists()
            assert list(store_of(app).keys()) == []
        # A tar that is not a PRB backup is not taken for an older bare database dump.
        stranger = tmp_path / "stranger.tar"
        with tarfile.open(stranger, "w") as archive:
            archive.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
        result = runner.invoke(args=["restore", str(stranger), "--yes"])
        assert result.exit_code == 1
        assert f"{stranger} is not a PRB backup" in result.output
        assert probe_exists()
        db.session.remove()
        db.engine.dispose()
