"""Importing the portfolio an office already has: projects the Board approved before PRB,
from a CSV file, with their real decision dates, periods, statuses and ledger figures.

Two use cases: `check_projects` (the dry run: every problem of every row, nothing written)
and `import_projects` (the same checks again, then everything in one transaction, or nothing).
The same file (by SHA-256) is imported once; a second time is refused with when and by whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import ImportBatch, User
from prb.services.access import require_role
from prb.services.errors import Conflict, Invalid
from prb.services.once import spend
from prb.services.portfolio_import import staging
from prb.services.portfolio_import.checks import ProgrammeSummary, check_sheet, summaries
from prb.services.portfolio_import.columns import COLUMNS, Column
from prb.services.portfolio_import.reader import RowError, read
from prb.services.portfolio_import.rules import STATE_LABELS, ProjectRow
from prb.services.portfolio_import.store import (
    KIND,
    load_lookups,
    lock_programmes,
    previous_batch,
    write,
)
from prb.services.transaction import committed
from workflows import Role

__all__ = [
    "COLUMNS",
    "STATE_LABELS",
    "CheckResult",
    "Column",
    "ImportRefused",
    "RowError",
    "already_imported",
    "batches",
    "check_projects",
    "clean_filename",
    "import_checked",
    "import_projects",
]

IMPORTERS = (Role.SECRETARIAT, Role.ADMINISTRATOR)


class ImportRefused(Invalid):
    """The file has problems: nothing was imported. `errors` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__(
            f"Nothing was imported: the file has {len(errors)} "
            f"problem{'s' if len(errors) != 1 else ''} in {rows} "
            f"row{'s' if rows != 1 else ''}. Correct the file and check it again."
        )
        self.errors = errors


@dataclass(frozen=True)
class CheckResult:
    filename: str
    sha256: str
    rows: list[ProjectRow]
    errors: list[RowError]
    # Set when this very file was imported before.
    previous: ImportBatch | None = None
    programmes: list[ProgrammeSummary] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return not self.errors and self.previous is None and bool(self.rows)


def clean_filename(name: str | None) -> str:
    """The name a file is recorded under: its last path component, printable, at most 255
    characters. Only ever shown as text, never used as a path."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "upload.csv"


def already_imported(batch: ImportBatch) -> str:
    who = batch.imported_by.name if batch.imported_by else "PRB"
    when = batch.imported_at
    return (
        f"This file was already imported on {when.day} {when:%B %Y} at {when:%H:%M} UTC by "
        f"{who} (“{batch.filename}”, {batch.rows} project{'s' if batch.rows != 1 else ''}): "
        "nothing was imported again."
    )


def check_projects(
    actor: User, filename: str, content: bytes, *, keep_in: Path | None = None
) -> CheckResult:
    """The dry run: every row checked against PRB's reference data; nothing is written to
    the database. A file that can be imported is kept in `keep_in` (when given) until the
    user confirms, under its SHA-256."""
    require_role(actor, *IMPORTERS, action="import projects")
    filename, digest = clean_filename(filename), staging.sha256(content)
    sheet = read(content)
    rows, errors = check_sheet(sheet, load_lookups(sheet))
    result = CheckResult(
        filename, digest, rows, errors, previous_batch(digest), programmes=summaries(rows)
    )
    if result.importable and keep_in is not None:
        staging.keep(keep_in, content)
    return result


def import_checked(
    actor: User, folder: Path, sha256: str, filename: str, *, once: str | None = None
) -> ImportBatch:
    """Import the file a dry run kept under `sha256`, then let it go."""
    require_role(actor, *IMPORTERS, action="import projects")
    content = staging.take(folder, sha256)
    if content is None:
        raise Conflict(
            "The checked file is no longer held (checked files wait a day). Upload it and "
            "check it again."
        )
    batch = import_projects(actor, filename, content, expected_sha256=sha256, once=once)
    staging.discard(folder, sha256)
    return batch


def import_projects(
    actor: User,
    filename: str,
    content: bytes,
    *,
    expected_sha256: str | None = None,
    once: str | None = None,
) -> ImportBatch:
    """Import every row, or nothing. `expected_sha256` is that of the file the user checked:
    a different content is refused."""
    require_role(actor, *IMPORTERS, action="import projects")
    filename, digest = clean_filename(filename), staging.sha256(content)
    if expected_sha256 is not None and expected_sha256 != digest:
        raise Conflict("This is not the file that was checked: check it again, then import.")
    sheet = read(content)
    with committed():
        spend(once, actor, "import projects")
        previous = previous_batch(digest)
        if previous is not None:
            raise Conflict(already_imported(previous))
        lock_programmes(sheet)
        rows, errors = check_sheet(sheet, load_lookups(sheet))
        if errors:
            raise ImportRefused(errors)
        batch = ImportBatch(
            kind=KIND, filename=filename, sha256=digest, rows=len(rows), imported_by_id=actor.id
        )
        db.session.add(batch)
        try:
            db.session.flush()
        except IntegrityError:
            # Imported by another request between our check and now. Nothing else is
            # written yet; roll back to read who did (no savepoint: on SQLite, releasing
            # the first savepoint of a transaction commits it).
            db.session.rollback()
            previous = previous_batch(digest)
            raise Conflict(
                already_imported(previous) if previous else "This file is being imported."
            ) from None
        try:
            write(actor, batch, rows)
            db.session.flush()
        except IntegrityError:
            raise Conflict(
                "A project code of the file was taken while it was being imported; nothing "
                "was imported. Check the file again."
            ) from None
    return batch


def batches(actor: User, limit: int = 50) -> list[ImportBatch]:
    """The latest project imports, newest first."""
    require_role(actor, *IMPORTERS, action="see the project imports")
    return list(
        db.session.scalars(
            select(ImportBatch)
            .where(ImportBatch.kind == KIND)
            .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
            .limit(limit)
        )
    )
