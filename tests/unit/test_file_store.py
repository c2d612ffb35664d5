"""One contract for every file store: the local folder and S3 (a local moto server).

What the attachments rely on: bytes come back exactly as stored, a key is never overwritten,
a missing key is FileNotFoundError, a key PRB did not make is refused before any I/O, and
`keys()` lists every stored file (backups copy what it lists).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prb import config as prb_config
from prb.services.files.s3 import S3FileStore
from prb.services.files.storage import FileStore, LocalFileStore, file_store, new_key
from tests.s3_helpers import raw_client, s3_settings

__all__ = ["s3_settings"]  # the fixture, imported for pytest

BAD_KEYS = [
    "../x",
    "../" + "a" * 29,
    "/" + "a" * 31,
    "ab/" + "a" * 29,
    "a" * 31,
    "a" * 33,
    "A" * 32,
    "a" * 31 + "\n",
    "a" * 32 + "\x00",
    "",
    "é" * 32,
    "ملف" + "a" * 29,
    "a" * 16 + "\u200b" + "a" * 15,
]
EVERY_BYTE = bytes(range(256)) * 3


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    settings = request.getfixturevalue("s3_settings")
    return S3FileStore.from_config(settings)


def everything_behind(store: FileStore, tmp_path: Path) -> list[str]:
    """Every object or file the store's backend holds, PRB's or not, wherever it is."""
    if isinstance(store, S3FileStore):
        listing = raw_client().list_objects_v2(Bucket=store.bucket)
        return [entry["Key"] for entry in listing.get("Contents", [])]
    return sorted(str(path) for path in tmp_path.parent.rglob("*") if path.is_file())


def test_bytes_come_back_exactly(store: FileStore) -> None:
    first, second, empty = new_key(), new_key(), new_key()
    store.put(first, EVERY_BYTE)
    store.put(second, "Rapport d'étape — تقرير".encode())
    store.put(empty, b"")
    assert store.get(first) == EVERY_BYTE
    assert store.get(second).decode() == "Rapport d'étape — تقرير"
    assert store.get(empty) == b""
    assert store.exists(first) and store.exists(second) and store.exists(empty)
    assert sorted(store.keys()) == sorted([first, second, empty])


def test_a_stored_file_is_never_overwritten(store: FileStore) -> None:
    key = new_key()
    store.put(key, b"version one")
    with pytest.raises(FileExistsError):
        store.put(key, b"version two")
    assert store.get(key) == b"version one"
    assert list(store.keys()) == [key]


def test_a_missing_key(store: FileStore) -> None:
    key = new_key()
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.get(key)
    store.delete(key)  # deleting what is not there is not an error
    assert list(store.keys()) == []


def test_delete_removes_only_that_file(store: FileStore) -> None:
    kept, dropped = new_key(), new_key()
    store.put(kept, b"kept")
    store.put(dropped, b"dropped")
    store.delete(dropped)
    assert not store.exists(dropped)
    with pytest.raises(FileNotFoundError):
        store.get(dropped)
    assert list(store.keys()) == [kept]
    assert store.get(kept) == b"kept"


def test_keys_list_every_file_across_pages(store: FileStore) -> None:
    if isinstance(store, S3FileStore):
        store.page_size = 2  # S3 answers 1,000 at most per request: page as it would
    stored = sorted(new_key() for _ in range(7))
    for key in stored:
        store.put(key, key.encode())
    assert sorted(store.keys()) == stored


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_key_prb_did_not_make_is_refused(store: FileStore, key: str, tmp_path: Path) -> None:
    operations: list[Callable[[], Any]] = [
        lambda: store.put(key, b"payload"),
        lambda: store.get(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
    ]
    before = everything_behind(store, tmp_path)
    for operation in operations:
        with pytest.raises(ValueError, match="not a file key PRB made"):
            operation()
    assert everything_behind(store, tmp_path) == before
    assert list(store.keys()) == []


class NoIO:
    """An S3 client that fails the test on any use: a refused key never reaches S3."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"S3 was called ({name}) for a key that should be refused")


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_bad_key_is_refused_before_any_io(key: str, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_bytes(b"")
    # Any I/O through these would raise something else than ValueError (or fail the test).
    for store in (S3FileStore(NoIO(), "bucket"), LocalFileStore(not_a_folder)):
        for operation in (store.get, store.exists, store.delete):
            with pytest.raises(ValueError):
                operation(key)
        with pytest.raises(ValueError):
            store.put(key, b"payload")


def test_s3_keeps_prb_files_under_its_prefix(s3_settings: dict[str, str]) -> None:
    ours = S3FileStore.from_config(s3_settings)
    theirs = S3FileStore.from_config({**s3_settings, "S3_PREFIX": "other-office/"})
    key, other = new_key(), new_key()
    ours.put(key, b"ours")
    theirs.put(other, b"theirs")
    bucket = s3_settings["S3_BUCKET"]
    # Objects that are not PRB files under the prefix are not listed (nor backed up).
    raw_client().put_object(Bucket=bucket, Key="prb/README.txt", Body=b"not a file key")
    raw_client().put_object(Bucket=bucket, Key=f"{key}", Body=b"outside the prefix")
    names = sorted(e["Key"] for e in raw_client().list_objects_v2(Bucket=bucket)["Contents"])
    assert f"prb/{key}" in names and f"other-office/{other}" in names
    assert list(ours.keys()) == [key]
    assert list(theirs.keys()) == [other]
    assert not ours.exists(other)
    assert ours.get(key) == b"ours"


def test_local_keys_skip_what_is_not_a_stored_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    key = new_key()
    store.put(key, b"one")
    (tmp_path / "files" / key[:2] / f".{key}.1234.part").write_bytes(b"half")
    (tmp_path / "files" / "notes.txt").write_bytes(b"an administrator's note")
    assert list(store.keys()) == [key]
    assert list(LocalFileStore(tmp_path / "never-made").keys()) == []


# file_store(): the settings choose the backend.


def test_local_is_the_default_under_the_instance_folder(tmp_path: Path) -> None:
    store = file_store({}, str(tmp_path))
    assert isinstance(store, LocalFileStore)
    assert store.root == tmp_path / "files"
    chosen = file_store({"FILES_DIRECTORY": str(tmp_path / "elsewhere")}, str(tmp_path))
    assert isinstance(chosen, LocalFileStore) and chosen.root == tmp_path / "elsewhere"


def test_s3_is_chosen_from_the_environment(
    s3_settings: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_settings.items():
        monkeypatch.setenv(f"PRB_{name}", value.upper() if name == "FILE_STORAGE" else value)
    monkeypatch.setenv("PRB_S3_PREFIX", "office-a/")
    settings: dict[str, Any] = {}
    prb_config.load(settings, str(tmp_path), {"SECRET_KEY": "x"})
    store = file_store(settings, str(tmp_path))
    assert isinstance(store, S3FileStore)
    assert (store.bucket, store.prefix) == (s3_settings["S3_BUCKET"], "office-a/")
    key = new_key()
    store.put(key, b"through the settings")
    assert raw_client().get_object(Bucket=store.bucket, Key=f"office-a/{key}")["Body"].read() == (
        b"through the settings"
    )
    assert not (tmp_path / "files").exists()


def test_s3_prefix_defaults_to_prb(s3_settings: dict[str, str], tmp_path: Path) -> None:
    store = file_store(s3_settings, str(tmp_path))
    assert isinstance(store, S3FileStore) and store.prefix == "prb/"


def test_s3_without_a_bucket_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PRB_S3_BUCKET is not set"):
        file_store({"FILE_STORAGE": "s3"}, str(tmp_path))


@pytest.mark.parametrize("kind", ["ftp", "s4", "local-folder"])
def test_an_unknown_storage_is_refused_clearly(kind: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PRB_FILE_STORAGE must be 'local' or 's3'") as refused:
        file_store({"FILE_STORAGE": kind}, str(tmp_path))
    assert repr(kind) in str(refused.value)
    assert not os.listdir(tmp_path)
