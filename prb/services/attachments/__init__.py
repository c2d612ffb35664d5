"""Attachments: add a file (or a new version of one) to a record, list a record's files,
fetch one for download. Access to a file is the access to the record it belongs to
(`owners`); the bytes live in a FileStore passed in by the caller, the facts in the table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import Attachment, User
from prb.services.attachments.listing import Version, current_attachments, rows_of, versions
from prb.services.attachments.owners import Owner, owner
from prb.services.calendar import utc_time
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.files.checks import Accepted, Refused, check_upload
from prb.services.files.storage import FileStore, new_key
from prb.services.once import spend
from prb.services.transaction import committed

__all__ = [
    "AttachmentsPage",
    "CheckedFile",
    "Owner",
    "Version",
    "add_attachment",
    "attachments_page",
    "check_file",
    "current_attachments",
    "fetch_attachment",
    "keep",
    "owner",
    "removed_unless_committed",
]

MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class AttachmentsPage:
    owner: Owner
    files: list[Version]


def attachments_page(actor: User, kind: str, owner_id: int) -> AttachmentsPage:
    found = owner(actor, kind, owner_id)
    return AttachmentsPage(found, versions(rows_of(found.kind, found.id)))


@dataclass(frozen=True)
class CheckedFile:
    """A file a user sent that passed every check, not yet stored."""

    accepted: Accepted
    data: bytes
    description: str


def check_file(
    filename: str | None, data: bytes, *, max_size: int, description: str = ""
) -> CheckedFile:
    """Every check an upload passes before anything is stored (Invalid, naming the field
    `file` or `description`, otherwise)."""
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        message = f"Keep the description under {MAX_DESCRIPTION} characters."
        raise Invalid(message, {"description": [message]})
    try:
        accepted = check_upload(filename, data, max_size=max_size)
    except Refused as refused:
        raise Invalid(refused.message, {"file": [refused.message]}) from None
    return CheckedFile(accepted, data, description)


@contextmanager
def removed_unless_committed(store: FileStore) -> Iterator[list[str]]:
    """Wrap a use case's transaction: the keys stored inside it (see `keep`) are removed
    again when it fails, so a refusal or a lost race leaves neither a row nor a file."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for key in stored:
            store.delete(key)
        raise


def keep(
    actor: User,
    found: Owner,
    checked: CheckedFile,
    store: FileStore,
    stored: list[str],
    supersedes_id: int | None = None,
) -> Attachment:
    """Inside the caller's transaction: the file's row, and its bytes under a new key
    (recorded in `stored`, from `removed_unless_committed`)."""
    found.require_writable()
    if supersedes_id is not None:
        _check_supersedable(found, supersedes_id)
    digest = hashlib.sha256(checked.data).hexdigest()
    _refuse_a_copy(found, digest)
    key = new_key()
    row = Attachment(
        owner_kind=found.kind,
        owner_id=found.id,
        filename=checked.accepted.name,
        media_type=checked.accepted.media_type,
        size=checked.accepted.size,
        sha256=digest,
        storage_key=key,
        supersedes_id=supersedes_id,
        description=checked.description,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    store.put(key, checked.data)
    stored.append(key)
    return row


def add_attachment(
    actor: User,
    kind: str,
    owner_id: int,
    *,
    filename: str | None,
    data: bytes,
    store: FileStore,
    max_size: int,
    description: str = "",
    supersedes_id: int | None = None,
    once: str | None = None,
) -> Attachment:
    """Keep a file on a record (or a new version of one of its files). Everything is checked
    before the bytes are stored; the bytes are stored before the row is committed, and
    removed again when the commit fails, so a refusal leaves neither a row nor a file. The
    record is locked meanwhile: it cannot close between the check and the commit."""
    checked = check_file(filename, data, max_size=max_size, description=description)
    try:
        with removed_unless_committed(store) as stored, committed():
            spend(once, actor, "attach a file")
            found = owner(actor, kind, owner_id, for_update=True)
            row = keep(actor, found, checked, store, stored, supersedes_id)
    except IntegrityError:
        raise Conflict(
            "Someone uploaded a new version of this file at the same moment; reload the page "
            "to see it."
        ) from None
    return row


def _refuse_a_copy(found: Owner, digest: str) -> None:
    """A file the record already has, byte for byte, as the current version of one of its
    files (uploaded twice, or "replaced" by itself) is not kept again: it would show two
    versions that are one. An older version may come back as the newest."""
    for current in current_attachments(found.kind, found.id):
        if current.sha256 == digest:
            message = (
                f"This file is already attached, byte for byte, as “{current.filename}” "
                f"(uploaded {utc_time(current.uploaded_at)}): nothing was added."
            )
            raise Invalid(message, {"file": [message]})


def _check_supersedable(found: Owner, supersedes_id: int) -> None:
    previous = db.session.get(Attachment, supersedes_id)
    if previous is None or (previous.owner_kind, previous.owner_id) != (found.kind, found.id):
        raise NotFound(f"There is no file number {supersedes_id} on this record.")
    newer = db.session.scalar(
        select(Attachment.id).where(Attachment.supersedes_id == supersedes_id)
    )
    if newer is not None:
        raise Conflict(
            f"“{previous.filename}” already has a newer version: upload a version of that one."
        )


def fetch_attachment(actor: User, attachment_id: int, store: FileStore) -> tuple[Attachment, bytes]:
    """The file and its bytes, for whoever may read the record it belongs to; NotFound for
    anyone else, as for the record."""
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"There is no file number {attachment_id}.")
    owner(actor, row.owner_kind, row.owner_id)
    try:
        data = store.get(row.storage_key)
    except FileNotFoundError:
        raise NotFound(
            f"The file “{row.filename}” is recorded but its content is missing from the file "
            "store; tell the administrator (restore the files from a backup)."
        ) from None
    return row, data
