"""One small interface for the bytes of uploaded files.

The database keeps what a file is (name, type read from the content, SHA-256, who and when);
a `FileStore` keeps only the bytes, under a random key chosen by PRB. Keys are never reused
and a stored file is never overwritten: a new version is a new key. A local folder outside
the web root is the default; S3-compatible object storage (`prb.services.files.s3`) serves
an office that runs PRB on several servers.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

# Keys are PRB's own random names: never a user's file name, so never a path to traverse.
_KEY = re.compile(r"^[a-z0-9]{32}$")


class FileStore(Protocol):
    """Where the bytes of uploaded files live."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under a new `key`; FileExistsError if the key is taken."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`; FileNotFoundError if there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove a file whose record was never committed (nothing else deletes)."""

    def keys(self) -> Iterator[str]:
        """Every stored key (for backups)."""


def new_key() -> str:
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError("not a file key PRB made")
    return key


class LocalFileStore:
    """Files in a folder (by default the instance folder's `files/`), two levels of fan-out."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and linked into place: a reader never sees half a
        # file, and O_EXCL-like linking refuses to replace an existing one.
        temporary = path.with_name(f".{key}.{secrets.token_hex(4)}.part")
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        finally:
            temporary.unlink()

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*")):
            if _KEY.fullmatch(path.name):
                yield path.name


def file_store(config: Mapping[str, Any], instance_path: str) -> FileStore:
    """The store the settings choose: `FILE_STORAGE` is "local" (default) or "s3"."""
    kind = str(config.get("FILE_STORAGE") or "local").lower()
    if kind == "local":
        folder = config.get("FILES_DIRECTORY") or os.path.join(instance_path, "files")
        return LocalFileStore(Path(folder))
    if kind == "s3":
        from prb.services.files.s3 import S3FileStore  # boto3 only when an office uses it

        return S3FileStore.from_config(config)
    raise ValueError(f"PRB_FILE_STORAGE must be 'local' or 's3', not {kind!r}")
