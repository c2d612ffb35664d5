"""The database side of a project import: the reference data a file names, loaded in a few
queries whatever its length, and the projects written in a few batched statements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select

from prb.extensions import db
from prb.models import (
    AuditRecord,
    Entity,
    EntryKind,
    FundingProgramme,
    ImportBatch,
    LedgerEntry,
    Proposal,
    User,
    WorkingGroup,
    proposal_entities,
    utcnow,
)
from prb.services import finance, totals
from prb.services.portfolio_import.reader import Sheet
from prb.services.portfolio_import.rules import ZERO, Lookups, ProgrammeRef, ProjectRow
from workflows import ProposalState, Role

KIND = "projects"
# Rows per IN (…) list: well inside every database's limit on bound parameters.
CHUNK = 500


def previous_batch(sha256: str) -> ImportBatch | None:
    return db.session.scalar(
        select(ImportBatch).where(ImportBatch.kind == KIND, ImportBatch.sha256 == sha256)
    )


def lock_programmes(sheet: Sheet) -> None:
    """Lock the rows of the programmes the file names, in id order (two imports then wait
    for each other instead of deadlocking), so that no approval eats into an envelope
    between the check and the write."""
    codes = {values.get("programme_code", "").lower() for _, values in sheet.rows}
    ids = [
        pid
        for pid, code in db.session.execute(select(FundingProgramme.id, FundingProgramme.code))
        if code.lower() in codes
    ]
    if ids:
        db.session.execute(
            select(FundingProgramme.id)
            .where(FundingProgramme.id.in_(sorted(ids)))
            .order_by(FundingProgramme.id)
            .with_for_update()
        ).all()


def load_lookups(sheet: Sheet) -> Lookups:
    """Reference data (small: every row of it) and the file's codes PRB already has."""
    programmes = list(db.session.scalars(select(FundingProgramme)))
    envelopes = finance.envelopes(programmes) if programmes else []
    groups: dict[str, set[int]] = {}
    for gid, name, short_name in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.name, WorkingGroup.short_name)
    ):
        for key in {name.lower(), short_name.lower()}:
            groups.setdefault(key, set()).add(gid)
    entities = {
        code.lower(): eid for eid, code in db.session.execute(select(Entity.id, Entity.code))
    }
    # In lower case: a code differing only in case is the same project's.
    codes = sorted({values.get("project_code", "").lower() for _, values in sheet.rows} - {""})
    taken: dict[str, str] = {}
    for start in range(0, len(codes), CHUNK):
        for code in db.session.scalars(
            select(Proposal.project_code).where(
                func.lower(Proposal.project_code).in_(codes[start : start + CHUNK])
            )
        ):
            taken[code.lower()] = code
    return Lookups(
        programmes={
            e.programme.code.lower(): ProgrammeRef(
                e.programme.id, e.programme.code, e.total, e.used
            )
            for e in envelopes
        },
        groups=groups,
        entities=entities,
        taken_codes=taken,
        today=utcnow().date(),
    )


def acting_role(actor: User) -> Role:
    return Role.SECRETARIAT if actor.has_role(Role.SECRETARIAT) else Role.ADMINISTRATOR


def write(actor: User, batch: ImportBatch, rows: list[ProjectRow]) -> None:
    """The projects, their entities, ledgers and history, and the running totals, in the
    caller's transaction. The lifecycle's guards do not apply: a project takes the status
    the file gives it, as the Board's record has it.

    Ledger rows are written here rather than through `finance.record_entry`, whose checks
    are about recording money today: a finance officer's role, the entries today's status
    allows (a completed project takes no disbursement, yet it had them), one locked project
    and audit row per entry. The rules on amounts are the ledger's own (`rules._ledger`
    applies `Balances.problem`), and the running totals move as `record_entry` moves them."""
    now = utcnow()
    # Batched INSERT … RETURNING. The ids are matched by project code (unique): asking for
    # them in the rows' order would make SQLite insert one row per statement.
    created = dict(
        db.session.execute(
            insert(Proposal).returning(Proposal.project_code, Proposal.id),
            [_proposal(actor, batch, row, now) for row in rows],
        ).all()
    )
    ids = [created[row.project_code] for row in rows]
    links = [
        {"proposal_id": pid, "entity_id": eid}
        for pid, row in zip(ids, rows, strict=True)
        for eid in row.implementing_entity_ids
    ]
    if links:
        db.session.execute(insert(proposal_entities), links)
    ledger = list(_ledger_entries(actor, batch, ids, rows, now))
    if ledger:
        db.session.execute(insert(LedgerEntry), ledger)
    role = acting_role(actor)
    db.session.execute(
        insert(AuditRecord),
        [
            {
                "at": now,
                "actor_id": actor.id,
                "actor_role": str(role),
                "event": "imported",
                "proposal_id": pid,
                "to_state": str(row.status),
                "comment": _history_comment(actor, batch, row, now),
            }
            for pid, row in zip(ids, rows, strict=True)
        ],
    )
    _add_totals(rows)


def _proposal(actor: User, batch: ImportBatch, row: ProjectRow, now: datetime) -> dict[str, object]:
    decided = datetime(
        row.decision_date.year, row.decision_date.month, row.decision_date.day, tzinfo=UTC
    )
    return dict(
        programme_id=row.programme.id,
        working_group_id=row.working_group_id,
        title=row.title,
        lead_entity_id=row.lead_entity_id,
        objective=row.objective,
        scope=row.scope,
        scope_detail=row.scope_detail,
        results_alignment=row.results_alignment,
        # The file carries what the Board approved, not what was asked: the same figure.
        requested_budget=row.approved_budget,
        duration_months=row.duration_months,
        duration_note=row.duration_note,
        planned_start=row.period_start,
        status=row.status,
        project_code=row.project_code,
        decision_reference=row.decision_reference,
        import_batch_id=batch.id,
        approved_budget=row.approved_budget,
        approved_at=decided,
        period_start=row.period_start,
        original_end=row.original_end,
        current_end=row.current_end,
        actual_start=row.actual_start,
        committed_total=row.committed or ZERO,
        disbursed_total=row.disbursed or ZERO,
        returned_total=ZERO,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        version=1,
    )


def _ledger_entries(
    actor: User,
    batch: ImportBatch,
    ids: list[int],
    rows: list[ProjectRow],
    now: datetime,
) -> Iterable[dict[str, object]]:
    for pid, row in zip(ids, rows, strict=True):
        for kind, amount, when in (
            (EntryKind.COMMITMENT, row.committed, row.committed_on),
            (EntryKind.DISBURSEMENT, row.disbursed, row.disbursed_on),
        ):
            if amount:
                yield {
                    "proposal_id": pid,
                    "kind": str(kind),
                    "amount": amount,
                    "value_date": when,
                    "reference": f"Import {batch.id}",
                    "note": f"Imported from {batch.filename}, row {row.row}",
                    "recorded_by_id": actor.id,
                    "recorded_at": now,
                }


def _history_comment(actor: User, batch: ImportBatch, row: ProjectRow, now: datetime) -> str:
    when = row.decision_date
    decided = f"decided {when.day} {when:%B %Y}"
    if row.decision_reference:
        decided += f" ({row.decision_reference})"
    money = [f"approved USD {row.approved_budget:,.2f}"]
    if row.committed:
        money.append(f"committed USD {row.committed:,.2f} on {row.committed_on}")
    if row.disbursed:
        money.append(f"disbursed USD {row.disbursed:,.2f} on {row.disbursed_on}")
    return (
        f"Imported from {batch.filename} (row {row.row}, import {batch.id}) by {actor.name} "
        f"on {now:%Y-%m-%d %H:%M} UTC; {decided}; {'; '.join(money)}."
    )


def _add_totals(rows: list[ProjectRow]) -> None:
    """One increment per programme and working group, as approvals and the ledger make."""
    sums: dict[tuple[int, int], dict[str, Decimal | int]] = {}
    for row in rows:
        deltas = sums.setdefault(
            (row.programme.id, row.working_group_id),
            {"projects": 0, "approved": ZERO, "committed": ZERO, "disbursed": ZERO},
        )
        cancelled = row.status == ProposalState.CANCELLED
        deltas["projects"] += 1
        deltas["approved"] += ZERO if cancelled else row.approved_budget
        deltas["committed"] += row.committed or ZERO
        deltas["disbursed"] += row.disbursed or ZERO
        if cancelled:
            deltas["cancelled_paid"] = deltas.get("cancelled_paid", ZERO) + (row.disbursed or ZERO)
    for (programme_id, working_group_id), deltas in sums.items():
        # `add` reads only the two keys; this Proposal is never added to the session.
        totals.add(Proposal(programme_id=programme_id, working_group_id=working_group_id), **deltas)
