"""Fill a PRB database with a realistic portfolio of N proposals (bulk inserts).

    python -m benchmarks.generate --size 10000 --database-url sqlite:///bench.sqlite3

Per proposal about 10 audit records, 5 votes (on a Board agenda item) and 4 ledger entries;
12 working groups, 300 users. One proposal has 50 history records, one meeting has 20 open
items, for the pages the load run measures. The database must be migrated and empty.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from prb.demo.portfolio import ENTITIES, WORKING_GROUPS
from prb.extensions import db
from prb.models import (
    AgendaItem,
    AuditRecord,
    BoardMembership,
    Decision,
    Entity,
    FundingProgramme,
    LedgerEntry,
    Meeting,
    ProgressReport,
    Proposal,
    ReportKind,
    User,
    UserRole,
    Vote,
    WorkingGroup,
    proposal_entities,
    working_group_chairs,
)
from prb.services import totals
from prb.services.calendar import period_end
from prb.services.progress_reports.schedule import due_slots
from workflows import ItemState, ProposalState, ReportState
from workflows.progress_report import REPORTING_PROJECT_STATES

S = ProposalState
PASSWORD = "benchmark-password-2026"
CHUNK = 5000
# The generated programmes' reporting schedule (every 6 months; the final report 3 months
# after the end), which the generated reports follow.
PROGRESS_REPORT_MONTHS, FINAL_REPORT_MONTHS = 6, 3
# (status, share): a portfolio of ten years, most of it projects.
STATUS_MIX = [
    (S.DRAFT, 0.05),
    (S.SUBMITTED, 0.04),
    (S.UNDER_REVIEW, 0.04),
    (S.REVISION_REQUESTED, 0.02),
    (S.REJECTED, 0.08),
    (S.WITHDRAWN, 0.02),
    (S.APPROVED, 0.05),
    (S.INITIATED, 0.05),
    (S.ONGOING, 0.20),
    (S.EXTENDED, 0.05),
    (S.COMPLETED, 0.38),
    (S.CANCELLED, 0.02),
]
DECIDED = {
    S.APPROVED,
    S.INITIATED,
    S.ONGOING,
    S.EXTENDED,
    S.COMPLETED,
    S.CANCELLED,
    S.REJECTED,
    S.REVISION_REQUESTED,
}
PROJECT = {S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED, S.COMPLETED, S.CANCELLED}


class Progress:
    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done, self.start = total, label, 0, time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.start
        sys.stderr.write(
            f"\r{self.label:<14} [{bar:<30}] {self.done:>9,}/{self.total:,} {elapsed:6.1f}s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _bulk(table, rows: list[dict], progress: Progress | None = None) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])
        if progress:
            progress.advance(len(rows[start : start + CHUNK]))


def _reports_received(project: dict, today: date, chair_id: int, made: int) -> list[dict]:
    """The reports a running project owed before today, each submitted and accepted: the
    generated office is one whose chairs report and whose worker has been running, so its
    first pass has no backlog of overdue notices (130,000 of them at 10,000 proposals)."""
    rows = []
    for slot in due_slots(
        project["actual_start"],
        project["current_end"],
        every_months=PROGRESS_REPORT_MONTHS,
        final_after_months=FINAL_REPORT_MONTHS,
    ):
        if slot.due_on >= today:
            break
        at = datetime(slot.due_on.year, slot.due_on.month, slot.due_on.day, 12, tzinfo=UTC)
        rows.append(
            {
                "id": made + len(rows) + 1,
                "proposal_id": project["id"],
                "kind": slot.kind,
                "due_on": slot.due_on,
                "status": ReportState.ACCEPTED,
                "activities": "Benchmark report.",
                "results": "",
                "challenges": "",
                "next_steps": "",
                "spent_to_date": project["approved_budget"] / 2,
                "unspent_balance": Decimal("0.00") if slot.kind == ReportKind.FINAL else None,
                "submitted_by_id": chair_id,
                "submitted_at": at,
                "decided_by_id": 1,
                "decided_at": at + timedelta(days=3),
                "return_reason": "",
                "version": 1,
            }
        )
    return rows


def generate(size: int, seed: int = 2018) -> dict[str, int]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()
    password_hash = generate_password_hash(PASSWORD)

    entities = [{"id": i + 1, "code": c, "name": n} for i, (c, n) in enumerate(ENTITIES)]
    _bulk(Entity.__table__, entities)
    groups = [{"id": i + 1, "name": n, "short_name": s} for i, (n, s) in enumerate(WORKING_GROUPS)]
    _bulk(WorkingGroup.__table__, groups)
    years = list(range(today.year - 9, today.year + 1))
    programmes = [
        {
            "id": i + 1,
            "code": f"BENCH-{y}",
            "title": f"Seed funding {y}",
            "start_year": y,
            "end_year": y + 1,
            "envelope": Decimal("1000000000.00"),
            "note": "benchmark",
            "progress_report_months": PROGRESS_REPORT_MONTHS,
            "final_report_months": FINAL_REPORT_MONTHS,
        }
        for i, y in enumerate(years)
    ]
    _bulk(FundingProgramme.__table__, programmes)

    # 300 users: 3 secretariat, 5 finance, 20 board members, the rest chairs.
    users, roles, chairs = [], [], []
    for uid in range(1, 301):
        role = (
            "secretariat"
            if uid <= 3
            else "finance"
            if uid <= 8
            else "board_member"
            if uid <= 28
            else "chair"
        )
        users.append(
            {
                "id": uid,
                "email": f"{role}.{uid}@bench.example",
                "name": f"{role.replace('_', ' ').title()} {uid}",
                "entity_id": rng.randint(1, len(entities)),
                "password_hash": password_hash,
                "active": True,
                "is_board_chair": uid == 9,
                "session_version": 1,
                "created_at": now,
            }
        )
        roles.append({"user_id": uid, "role": role})
        if role == "chair":
            chairs.append({"working_group_id": (uid % len(groups)) + 1, "user_id": uid})
    _bulk(User.__table__, users)
    _bulk(UserRole.__table__, roles)
    _bulk(working_group_chairs, chairs)
    # The Board's seats: its twenty members sit from before the first meeting (the first of
    # them chairs), so that each meeting counts them, lists their votes and asks them to vote.
    seats = [
        {
            "user_id": uid,
            "entity_id": users[uid - 1]["entity_id"],
            "since": date(years[0] - 1, 1, 1),
            "until": None,
            "is_chair": uid == 9,
            "created_at": now,
        }
        for uid in range(9, 29)
    ]
    _bulk(BoardMembership.__table__, seats)
    chair_of = {}
    for c in chairs:
        chair_of.setdefault(c["working_group_id"], c["user_id"])

    statuses = [s for s, share in STATUS_MIX for _ in range(round(share * 1000))]
    proposals, implementing, audits, ledger, items, votes, decisions = [], [], [], [], [], [], []
    reports: list[dict] = []
    meetings = []
    codes: dict[int, int] = {}
    board = list(range(9, 29))
    item_id = vote_id = audit_id = entry_id = decision_id = 0
    meeting_id, meeting_fill = 0, 20
    for pid in range(1, size + 1):
        status = rng.choice(statuses)
        year_index = rng.randrange(len(years))
        created = datetime(years[year_index], 1, 1, 9, tzinfo=UTC) + timedelta(
            days=rng.randrange(330), minutes=pid % 600
        )
        group = rng.randint(1, len(groups))
        budget = Decimal(rng.randrange(20, 300) * 1000)
        months = rng.choice((6, 9, 12, 12, 12, 15, 18, 24))
        start = (created + timedelta(days=60)).date()
        row = {
            "id": pid,
            "programme_id": year_index + 1,
            "working_group_id": group,
            "title": f"Seed project {pid}: capacity building in area {pid % 97}",
            "lead_entity_id": rng.randint(1, len(entities)),
            "objective": "Strengthen Member States' capacity through guidelines and training",
            "description": "Benchmark data. " * 20,
            "thematic_area": f"Area {group}",
            "scope": "Global",
            "scope_detail": "",
            "results_alignment": "Outcome 4, Output 4.2",
            "requested_budget": budget,
            "duration_months": months,
            "duration_note": "subject to extension",
            "planned_start": start,
            "status": status,
            "project_code": None,
            "data_note": "benchmark",
            "created_by_id": chair_of.get(group, 29),
            "created_at": created,
            "updated_at": created,
            "submitted_at": None if status == S.DRAFT else created,
            "version": 1,
            "approved_budget": None,
            "approved_at": None,
            "period_start": None,
            "original_end": None,
            "current_end": None,
            "actual_start": None,
            "final_report_on": None,
            "spent_reported": None,
        }
        if status in PROJECT:
            codes[year_index] = codes.get(year_index, 0) + 1
            end = period_end(start, months)
            row.update(
                project_code=f"BENCH-{years[year_index]}-{codes[year_index]:05d}",
                approved_budget=budget,
                approved_at=created + timedelta(days=45),
                period_start=start,
                original_end=end,
                current_end=period_end(start, months + 4) if status == S.EXTENDED else end,
            )
            if status in (S.ONGOING, S.EXTENDED, S.COMPLETED):
                row["actual_start"] = start
            if status == S.COMPLETED:
                row.update(final_report_on=min(end, today), spent_reported=budget)
        proposals.append(row)
        if status in REPORTING_PROJECT_STATES:
            reports += _reports_received(row, today, chair_of.get(group, 29), len(reports))
        implementing.append({"proposal_id": pid, "entity_id": rng.randint(1, len(entities))})
        for k in range(50 if pid == 1 else 10):
            audit_id += 1
            audits.append(
                {
                    "id": audit_id,
                    "at": created + timedelta(hours=k),
                    "actor_id": chair_of.get(group, 29),
                    "actor_role": "chair",
                    "event": "edited",
                    "proposal_id": pid,
                    "from_state": None,
                    "to_state": None,
                    "comment": "benchmark history",
                }
            )
        if status in DECIDED:
            # the first meeting holds 40 items, the others 20 (for the minutes timings)
            if meeting_fill == (40 if meeting_id == 1 else 20):
                meeting_id += 1
                meeting_fill = 0
                meetings.append(
                    {
                        "id": meeting_id,
                        "number": f"PRB/BENCH/{meeting_id}",
                        "kind": "meeting",
                        "held_on": created.date(),
                        "place": "New York",
                        "deadline": None,
                        "chair_id": 9,
                        "created_by_id": 1,
                        "created_at": created,
                    }
                )
            meeting_fill += 1
            item_id += 1
            open_item = status == S.UNDER_REVIEW
            items.append(
                {
                    "id": item_id,
                    "meeting_id": meeting_id,
                    "proposal_id": pid,
                    "extension_id": None,
                    "position": meeting_fill,
                    "status": ItemState.OPEN if open_item else ItemState.DECIDED,
                    "proposed_budget": budget,
                    "proposed_duration_months": months,
                    "proposed_start": start,
                    "conditions": "",
                    "closed_at": None if open_item else created + timedelta(days=40),
                    "closed_by_id": None if open_item else 1,
                    "outcome_note": "",
                }
            )
            for member in rng.sample(board, 5):
                vote_id += 1
                votes.append(
                    {
                        "id": vote_id,
                        "item_id": item_id,
                        "member_id": member,
                        "choice": "approve",
                        "comment": "",
                        "cast_at": created,
                        "changed_at": None,
                    }
                )
            if not open_item:
                decision_id += 1
                outcome = (
                    "reject"
                    if status == S.REJECTED
                    else "request_revision"
                    if status == S.REVISION_REQUESTED
                    else "approve"
                )
                decisions.append(
                    {
                        "id": decision_id,
                        "item_id": item_id,
                        "proposal_id": pid,
                        "outcome": outcome,
                        "votes_for": 5,
                        "votes_against": 0,
                        "votes_revision": 0,
                        "votes_abstain": 0,
                        "eligible": 19,
                        "recused": 1,
                        "recused_names": "",
                        "casting_vote": False,
                        "approved_budget": budget if outcome == "approve" else None,
                        "approved_duration_months": months if outcome == "approve" else None,
                        "period_start": start if outcome == "approve" else None,
                        "period_end": period_end(start, months) if outcome == "approve" else None,
                        "conditions": "",
                        "decided_at": created + timedelta(days=40),
                        "recorded_by_id": 1,
                        "supersedes_id": None,
                        "extension_id": None,
                        "extension_months": None,
                        "original_end": None,
                        "new_end": None,
                        "additional_funds": None,
                    }
                )
        if status in PROJECT and status != S.APPROVED:
            tranche = (budget / 2).quantize(Decimal("0.01"))
            kinds = [
                ("commitment", budget),
                ("disbursement", tranche),
                ("disbursement", tranche),
                ("return", Decimal("1000.00")),
            ]
            for kind, amount in kinds:
                entry_id += 1
                ledger.append(
                    {
                        "id": entry_id,
                        "proposal_id": pid,
                        "kind": kind,
                        "amount": amount,
                        "value_date": start,
                        "reference": "BENCH",
                        "note": "",
                        "reverses_id": None,
                        "recorded_by_id": 4,
                        "recorded_at": created,
                    }
                )

    # The meeting page to measure: 20 open items on one meeting.
    meeting_id += 1
    meetings.append(
        {
            "id": meeting_id,
            "number": "PRB/BENCH/OPEN",
            "kind": "meeting",
            "held_on": today,
            "place": "virtual",
            "deadline": None,
            "chair_id": 9,
            "created_by_id": 1,
            "created_at": now,
        }
    )
    # Older proposals under review wait for an agenda; the 20 latest are on this one.
    open_ones = [p for p in proposals if p["status"] == S.UNDER_REVIEW][-20:]
    for position, p in enumerate(open_ones, start=1):
        item_id += 1
        items.append(
            {
                "id": item_id,
                "meeting_id": meeting_id,
                "proposal_id": p["id"],
                "extension_id": None,
                "position": position,
                "status": ItemState.OPEN,
                "proposed_budget": p["requested_budget"],
                "proposed_duration_months": p["duration_months"],
                "proposed_start": p["planned_start"],
                "conditions": "",
                "closed_at": None,
                "closed_by_id": None,
                "outcome_note": "",
            }
        )
        for member in rng.sample(board[1:], 5):  # the board chair (9) has not voted yet
            vote_id += 1
            votes.append(
                {
                    "id": vote_id,
                    "item_id": item_id,
                    "member_id": member,
                    "choice": "approve",
                    "comment": "",
                    "cast_at": now,
                    "changed_at": None,
                }
            )
    _bulk(Proposal.__table__, proposals, Progress(len(proposals), "proposals"))
    _bulk(proposal_entities, implementing)
    _bulk(AuditRecord.__table__, audits, Progress(len(audits), "audit records"))
    _bulk(Meeting.__table__, meetings)
    _bulk(AgendaItem.__table__, items, Progress(len(items), "agenda items"))
    _bulk(Vote.__table__, votes, Progress(len(votes), "votes"))
    _bulk(Decision.__table__, decisions, Progress(len(decisions), "decisions"))
    _bulk(LedgerEntry.__table__, ledger, Progress(len(ledger), "ledger entries"))
    _bulk(ProgressReport.__table__, reports, Progress(len(reports), "progress reports"))
    totals.recompute()
    if db.engine.dialect.name == "postgresql":
        for table in (
            "entities",
            "working_groups",
            "programmes",
            "users",
            "proposals",
            "audit_records",
            "meetings",
            "agenda_items",
            "votes",
            "decisions",
            "ledger_entries",
            "progress_reports",
        ):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does to a database in use: statistics for the planner, and the
        # visibility map that lets counts and index-only scans skip the table itself.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return {
        "proposals": len(proposals),
        "progress_reports": len(reports),
        "audit_records": len(audits),
        "votes": len(votes),
        "ledger_entries": len(ledger),
        "meetings": len(meetings),
        "users": len(users),
        "meeting_with_20_items": meeting_id,
        "proposal_with_50_records": 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from prb import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SIGNING_P12": ""})
    with app.app_context():
        upgrade()
        started = time.monotonic()
        counts = generate(args.size)
        print(f"generated {counts} in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
