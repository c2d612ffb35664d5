"""Attachments: add a file (or a new version of one) to a record, list a record's files,
fetch one for download. Access to a file is the access to the record it belongs to
(`owners`); the bytes live in a FileStore passed in by the caller, the facts in the table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import Attachment, User
from prb.services.attachments.listing import Version, current_attachments, rows_of, versions
from prb.services.attachments.owners import Owner, owner
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.files.checks import Refused, check_upload
from prb.services.files.storage import FileStore, new_key
from prb.services.transaction import committed

__all__ = [
    "AttachmentsPage",
    "Owner",
    "Version",
    "add_attachment",
    "attachments_page",
    "current_attachments",
    "fetch_attachment",
]

MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class AttachmentsPage:
    owner: Owner
    files: list[Version]


def attachments_page(actor: User, kind: str, owner_id: int) -> AttachmentsPage:
    found = owner(actor, kind, owner_id)
    return AttachmentsPage(found, versions(rows_of(found.kind, found.id)))


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
) -> Attachment:
    """Keep a file on a record (or a new version of one of its files). Everything is checked
    before the bytes are stored; the bytes are stored before the row is committed, and
    removed again when the commit fails, so a refusal leaves neither a row nor a file."""
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        message = f"Keep the description under {MAX_DESCRIPTION} characters."
        raise Invalid(message, {"description": [message]})
    try:
        accepted = check_upload(filename, data, max_size=max_size)
    except Refused as refused:
        raise Invalid(refused.message, {"file": [refused.message]}) from None
    key = new_key()
    stored = False
    try:
        with committed():
            found = owner(actor, kind, owner_id)
            found.require_writable()
            if supersedes_id is not None:
                _check_supersedable(found, supersedes_id)
            row = Attachment(
                owner_kind=found.kind,
                owner_id=found.id,
                filename=accepted.name,
                media_type=accepted.media_type,
                size=accepted.size,
                sha256=hashlib.sha256(data).hexdigest(),
                storage_key=key,
                supersedes_id=supersedes_id,
                description=description,
                uploaded_by_id=actor.id,
            )
            db.session.add(row)
            store.put(key, data)
            stored = True
    except IntegrityError:
        if stored:
            store.delete(key)
        raise Conflict(
            "Someone uploaded a new version of this file at the same moment; reload the page "
            "to see it."
        ) from None
    except BaseException:
        if stored:
            store.delete(key)
        raise
    return row


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
