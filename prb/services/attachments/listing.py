"""A record's files as versions: what the pages list and what an agenda item's snapshot
records. No access check here: callers hold the record already."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from prb.extensions import db
from prb.models import Attachment


@dataclass
class Version:
    """A file as it stands now, with the versions it superseded (newest first)."""

    current: Attachment
    older: list[Attachment] = field(default_factory=list)


def versions(rows: list[Attachment]) -> list[Version]:
    by_id = {r.id: r for r in rows}
    superseded = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    found = []
    for row in rows:
        if row.id in superseded:
            continue  # listed under its newest version
        entry = Version(row)
        older = row
        while older.supersedes_id is not None:
            older = by_id[older.supersedes_id]
            entry.older.append(older)
        found.append(entry)
    return found


def rows_of(kind: str, owner_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_kind == kind, Attachment.owner_id == owner_id)
            .order_by(Attachment.id)
        )
    )


def current_attachments(kind: str, owner_id: int) -> list[Attachment]:
    """The current version of each file of a record."""
    return [v.current for v in versions(rows_of(kind, owner_id))]


def file_facts(kind: str, owner_id: int) -> list[dict[str, object]]:
    """What a snapshot keeps of a record's current files: name, SHA-256, size."""
    return [
        {"name": a.filename, "sha256": a.sha256, "size": a.size}
        for a in current_attachments(kind, owner_id)
    ]
