"""Accounts from a CSV file (`email,name,entity,roles`). A dry run lists every row's
problems; the import creates nothing unless every row is valid, and a file imported once
(same content) is not imported again."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prb.extensions import db
from prb.models import Entity, ImportBatch, User
from prb.services.access import require_administrator
from prb.services.accounts import password_links
from prb.services.accounts.people import (
    email_problem,
    name_problem,
    new_account,
    record_created,
    roles_problem,
)
from prb.services.errors import Conflict, Invalid
from prb.services.once import spend
from prb.services.portfolio_import.reader import delimiter_of
from prb.services.transaction import committed
from workflows import ASSIGNABLE_ROLES, Role

KIND = "users"
COLUMNS = ("email", "name", "entity", "roles")
MAX_ROWS = 2000


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1, as a spreadsheet numbers it
    field: str
    message: str


@dataclass(frozen=True)
class Row:
    row: int
    email: str
    name: str
    entity: Entity
    roles: frozenset[Role]


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Set when this very file was imported before: nothing is done again.
    earlier: ImportBatch | None = None
    batch: ImportBatch | None = None
    links: list[password_links.IssuedLink] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.batch is not None


def _parse_roles(raw: str) -> tuple[set[Role], str | None]:
    known = {str(r): r for r in ASSIGNABLE_ROLES}
    roles, unknown = set(), []
    # ";" or ",": a semicolon-separated file's cell reads "chair, board_member".
    for part in re.split(r"[;,]", raw):
        name = part.strip().lower().replace(" ", "_").replace("-", "_")
        if not name:
            continue
        if name in known:
            roles.add(known[name])
        else:
            unknown.append(part.strip())
    if unknown:
        allowed = ", ".join(known)
        return roles, f"Unknown role {', '.join(unknown)}: use {allowed}, separated by ';'."
    return roles, roles_problem(roles)


def _read(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, the row's cells) for every row that is not
    blank — comma- or semicolon-separated as the spreadsheet saved it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "The file is not UTF-8 text: save it as “CSV UTF-8” and try again.",
            {"file": ["Not UTF-8 text."]},
        ) from None
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    header = [h.strip().lower() for h in next(lines, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise Invalid(
            f"The first line must name the columns {','.join(COLUMNS)}; "
            f"missing: {', '.join(missing)}.",
            {"file": [f"Missing columns: {', '.join(missing)}."]},
        )
    rows = []
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a spreadsheet's empty row of separators
        record = dict(zip(header, cells, strict=False))
        rows.append((number, {c: (record.get(c) or "").strip() for c in COLUMNS}))
        if len(rows) > MAX_ROWS:
            raise Invalid(
                f"The file has more than {MAX_ROWS} rows: split it.",
                {"file": ["Too many rows."]},
            )
    if not rows:
        raise Invalid("The file has no rows under its header.", {"file": ["No rows."]})
    return rows


def _check(records: list[tuple[int, dict[str, str]]]) -> tuple[list[Row], list[RowError]]:
    entities = {e.code.upper(): e for e in db.session.scalars(select(Entity))}
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in records:
        problems: list[RowError] = []
        email, problem = email_problem(record["email"], user_id=None)
        if problem:
            problems.append(RowError(line, "email", problem))
        elif email in seen:
            problems.append(
                RowError(line, "email", f"The same address is on row {seen[email]} already.")
            )
        else:
            seen[email] = line
        if problem := name_problem(record["name"]):
            problems.append(RowError(line, "name", problem))
        entity = entities.get(record["entity"].upper())
        if entity is None:
            problems.append(RowError(line, "entity", f"No entity with code {record['entity']!r}."))
        elif entity.retired_at is not None:
            problems.append(RowError(line, "entity", f"{entity.code} is retired."))
        roles, problem = _parse_roles(record["roles"])
        if problem:
            problems.append(RowError(line, "roles", problem))
        if problems:
            errors.extend(problems)
        else:
            assert entity is not None
            rows.append(Row(line, email, record["name"], entity, frozenset(roles)))
    return rows, errors


def _earlier(digest: str) -> ImportBatch | None:
    return db.session.scalar(
        select(ImportBatch).where(ImportBatch.kind == KIND, ImportBatch.sha256 == digest)
    )


def import_users(
    actor: User | None,
    filename: str,
    content: bytes,
    *,
    dry_run: bool,
    valid_for: timedelta,
    once: str | None = None,
) -> ImportResult:
    """Check (and unless `dry_run`, import) a users file. `actor` None: the command line."""
    require_administrator(actor, action="import user accounts")
    filename = (filename or "users.csv")[-255:]
    digest = hashlib.sha256(content).hexdigest()
    result = ImportResult(filename=filename, dry_run=dry_run)
    result.earlier = _earlier(digest)
    if result.earlier is not None:
        return result
    result.rows, result.errors = _check(_read(content))
    if dry_run or result.errors:
        return result
    try:
        with committed():
            if actor is not None:  # the command line has no form to replay
                spend(once, actor, "import users")
            batch = ImportBatch(
                kind=KIND,
                filename=filename,
                sha256=digest,
                rows=len(result.rows),
                imported_by_id=actor.id if actor else None,
            )
            db.session.add(batch)
            db.session.flush()
            for row in result.rows:
                user = new_account(row.email, row.name, row.entity, set(row.roles))
                record_created(user, actor, f"imported from {filename} (row {row.row})")
                result.links.append(password_links.issue(user, actor=actor, valid_for=valid_for))
            result.batch = batch
    except IntegrityError:
        # The same file, or an account of it, was imported by someone else at this moment.
        raise Conflict(
            "Someone imported this file (or one of its accounts) at the same moment; "
            "nothing was imported. Reload the users page to see the result."
        ) from None
    return result
