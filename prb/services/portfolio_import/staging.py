"""Where a checked file waits for the user's confirmation, between two requests.

The file is kept in a folder of the server's own choosing (the instance folder) under its
SHA-256, which PRB computes from the content: no name a user sent ever becomes part of a
path, and a name that is not 64 hexadecimal digits is never looked up. Taking the file back
checks its content against the name again. Files older than a day are removed."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_AGE_SECONDS = 24 * 3600


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keep(folder: Path, content: bytes) -> str:
    """Keep `content`; its SHA-256 is the ticket to take it back."""
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    digest = sha256(content)
    target = folder / f"{digest}.csv"
    if not target.exists():
        partial = folder / f"{digest}.part"
        partial.write_bytes(content)
        partial.chmod(0o600)
        partial.replace(target)  # atomic: another worker never reads half a file
    return digest


def take(folder: Path, digest: str) -> bytes | None:
    """The content kept under `digest`, or None (never kept, expired, or not a SHA-256)."""
    if not _SHA256.match(digest):
        return None
    try:
        content = (folder / f"{digest}.csv").read_bytes()
    except FileNotFoundError:
        return None
    return content if sha256(content) == digest else None


def discard(folder: Path, digest: str) -> None:
    if _SHA256.match(digest):
        (folder / f"{digest}.csv").unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # another worker removed it first
