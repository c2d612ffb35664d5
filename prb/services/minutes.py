"""Minutes of Board meetings and written procedures: drafts on demand, final versions
stored byte for byte with their SHA-256, optionally signed, corrected only by corrigenda."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from prb.extensions import db
from prb.models import (
    AgendaItem,
    BoardRules,
    Decision,
    Meeting,
    MinutesVersion,
    User,
    utcnow,
)
from prb.services import audit, finance, signing
from prb.services.access import require_role
from prb.services.board import attendance, board_members, get_meeting, rules_on, summary
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.once import spend
from prb.services.pdf import Attachment, iso, render
from workflows import ItemState, Role, VoteChoice

# What the minutes record: items the Board considered (a withdrawn item it did not).
MINUTED = (ItemState.DECIDED, ItemState.DEFERRED)

OFFICE = "United Nations Office of Counter-Terrorism"
BOARD = "Programme Review Board"


@dataclass
class MinutesData:
    meeting: Meeting
    items: list[AgendaItem]
    present: list[User]
    absent: list[User]
    decided: list[AgendaItem]
    approved_items: list[AgendaItem]
    approved_here: Decimal
    envelopes: list[finance.Envelope]
    secretary: User | None
    draft: bool
    version_label: str
    generated_at: datetime
    # The rules of procedure the decisions applied (those in force on the meeting's date
    # when nothing is decided yet), as the minutes print them.
    rules: list[BoardRules] = field(default_factory=list)
    rules_text: list[str] = field(default_factory=list)
    # Item id → names of members who voted on it while recorded absent (rules that let
    # absent members vote only; under the others such a vote is refused).
    absent_voters: dict[int, list[str]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def _data(
    meeting: Meeting,
    *,
    draft: bool,
    secretary: User | None,
    version_label: str,
    generated_at: datetime,
) -> MinutesData:
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        ).unique()
    )
    members = board_members(on=meeting.held_on)
    if meeting.is_written_procedure:
        # Who has voted on an item still open stays secret until it closes (draft minutes
        # are read by the whole Board and finance).
        closed = [item for item in items if not item.is_open]
        voters = {v.member_id for item in closed for v in item.votes} | {
            d.member_id for item in closed for d in item.conflicts
        }
        present = [m for m in members if m.id in voters]
    else:
        here = attendance(meeting)
        present = [m for m in members if here.get(m.id)]
    absent = [m for m in members if m not in present]
    absent_voters: dict[int, list[str]] = {}
    if not meeting.is_written_procedure:
        away = {m.id for m in absent}
        for item in items:
            names = sorted(v.member.name for v in item.votes if v.member_id in away)
            if names:
                absent_voters[item.id] = names
    decided = [i for i in items if i.decision is not None]
    approved_items = [i for i in decided if i.decision.outcome == VoteChoice.APPROVE]
    approved_here = sum(
        (
            (i.decision.approved_budget or Decimal(0)) + (i.decision.additional_funds or Decimal(0))
            for i in approved_items
        ),
        Decimal("0.00"),
    )
    programmes = {i.proposal.programme.id: i.proposal.programme for i in items}
    rules = _rules_applied(meeting, decided)
    return MinutesData(
        meeting=meeting,
        items=items,
        present=present,
        absent=absent,
        decided=decided,
        approved_items=approved_items,
        approved_here=approved_here,
        envelopes=[finance.envelope(p) for p in programmes.values()],
        secretary=secretary,
        draft=draft,
        version_label=version_label,
        generated_at=generated_at,
        rules=rules,
        rules_text=[summary(r) for r in rules],
        absent_voters=absent_voters,
    )


def _rules_applied(meeting: Meeting, decided: list[AgendaItem]) -> list[BoardRules]:
    ids = sorted({i.decision.rules_id for i in decided if i.decision.rules_id is not None})
    if ids:
        return list(
            db.session.scalars(
                select(BoardRules).where(BoardRules.id.in_(ids)).order_by(BoardRules.effective_from)
            )
        )
    in_force = rules_on(meeting.held_on)
    return [in_force] if in_force else []


def decisions_json(data: MinutesData) -> str:
    """The record in a form any program can read back without PRB."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    def day(value) -> str | None:  # type: ignore[no-untyped-def]
        return None if value is None else value.isoformat()

    m = data.meeting
    rules_from = {r.id: r.effective_from for r in data.rules}
    items = []
    for item in data.items:
        p, d = item.proposal, item.decision
        entry: dict[str, object] = {
            "position": item.position,
            "subject": "extension" if item.extension_id else "proposal",
            "proposal": {
                "reference": p.reference,
                "project_code": p.project_code,
                "title": p.title,
                "working_group": p.working_group.name,
                "lead_entity": p.lead_entity.code if p.lead_entity else None,
                "implementing_entities": [e.code for e in p.implementing_entities],
                "requested_budget": money(p.requested_budget),
            },
            "status": item.status,
            "note": item.outcome_note,
            "decision": None,
        }
        if d is not None:
            entry["decision"] = {
                "outcome": d.outcome,
                "decided_on": day(d.decided_on),
                "decided_at": iso(d.decided_at),
                "rules_of_procedure": day(rules_from.get(d.rules_id)),
                "tally": {
                    "for": d.votes_for,
                    "against": d.votes_against,
                    "revision": d.votes_revision,
                    "abstain": d.votes_abstain,
                    "recused": d.recused,
                    "eligible": d.eligible,
                },
                "recused_members": d.recused_names,
                "votes_of_members_recorded_absent": data.absent_voters.get(item.id, []),
                "casting_vote": d.casting_vote,
                "approved_budget": money(d.approved_budget),
                "approved_duration_months": d.approved_duration_months,
                "period_start": day(d.period_start),
                "period_end": day(d.period_end),
                "extension_months": d.extension_months,
                "original_end": day(d.original_end),
                "new_end": day(d.new_end),
                "additional_funds": money(d.additional_funds),
                "conditions": d.conditions,
            }
        items.append(entry)
    record = {
        "office": OFFICE,
        "board": BOARD,
        "meeting": {
            "number": m.number,
            "kind": m.kind,
            "date": m.held_on.isoformat(),
            "place": m.place,
            "deadline": iso(m.deadline) if m.deadline else None,
            "chair": m.chair.name if m.chair else None,
            "recorded_after": m.recorded_after,
        },
        "rules_of_procedure": [
            {
                "effective_from": r.effective_from.isoformat(),
                "quorum": r.quorum,
                "casting_vote": r.casting_vote,
                "written_procedure_days": r.written_procedure_days,
                "absent_may_vote": r.absent_may_vote,
            }
            for r in data.rules
        ],
        "version": data.version_label,
        "draft": data.draft,
        "present": [u.name for u in data.present],
        "absent": [u.name for u in data.absent],
        "items": items,
        "budgets_approved": money(data.approved_here),
        "envelopes": [
            {
                "programme": e.programme.code,
                "envelope": money(e.total),
                "used": money(e.used),
                "left": money(e.left),
            }
            for e in data.envelopes
        ],
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)


def _html(data: MinutesData) -> str:
    return render_template("pdf/minutes.html", d=data, office=OFFICE, board=BOARD)


def _pdf(data: MinutesData) -> bytes:
    return render(
        _html(data),
        attachments=(
            Attachment(
                "decisions.json",
                decisions_json(data),
                f"Decisions of {data.meeting.number}, machine-readable",
            ),
        ),
    )


def draft_pdf(actor: User, meeting_id: int) -> tuple[Meeting, bytes]:
    meeting = get_meeting(actor, meeting_id)
    now = utcnow()
    data = _data(meeting, draft=True, secretary=None, version_label="Draft", generated_at=now)
    return meeting, _pdf(data)


def versions(meeting: Meeting) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.version)
        ).unique()
    )


def finalise(
    actor: User, meeting_id: int, note: str = "", *, once: str | None = None
) -> MinutesVersion:
    """Store the final PDF (signed when a certificate is configured). Once stored, the
    database refuses any change; a correction is a new version that keeps this one."""
    require_role(actor, Role.SECRETARIAT, action="finalise minutes")
    note = note.strip()
    try:
        meeting = db.session.scalars(
            select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
        ).one_or_none()
        if meeting is None:
            raise NotFound(f"There is no meeting number {meeting_id}.")
        spend(once, actor, "finalise minutes")
        if any(item.is_open for item in meeting.items):
            raise Conflict(
                "Close every agenda item (decide or defer it) before finalising the minutes."
            )
        if not any(item.status in MINUTED for item in meeting.items):
            raise Conflict(
                f"The agenda of {meeting.number} has no decided or deferred item: there is "
                "nothing to minute. Add the items the Board considered and close them first."
            )
        latest = (
            db.session.scalar(
                select(func.max(MinutesVersion.version)).where(
                    MinutesVersion.meeting_id == meeting.id
                )
            )
            or 0
        )
        if latest and not note:
            raise Invalid(
                "Say what this corrigendum corrects.",
                {"note": ["Say what this corrigendum corrects."]},
            )
        if len(note) > 2000:
            raise Invalid(
                "Keep the note under 2,000 characters.",
                {"note": ["Keep the note under 2,000 characters."]},
            )
        version = latest + 1
        label = "Final" if version == 1 else f"Corrigendum {version - 1}"
        now = utcnow()
        data = _data(meeting, draft=False, secretary=actor, version_label=label, generated_at=now)
        data.extra["note"] = note
        pdf = _pdf(data)
        signer = signing.configured_signer()
        if signer is not None:
            pdf = signing.sign(
                pdf, signer, reason=f"{label} minutes of {meeting.number}", name=actor.name
            )
        record = MinutesVersion(
            meeting_id=meeting.id,
            version=version,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            signed=signer is not None,
            note=note,
            finalised_by_id=actor.id,
            finalised_at=now,
        )
        db.session.add(record)
        db.session.flush()
        audit.record(
            "minutes_finalised",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{meeting.number} {label}: SHA-256 {record.sha256}"
            + (" (signed)" if record.signed else "")
            + (f" — {note}" if note else ""),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("The minutes were finalised by someone else a moment ago.") from None
    except Exception:
        db.session.rollback()
        raise
    current_app.logger.info("minutes %s v%s finalised", meeting.number, version)
    return record


def stored(actor: User, meeting_id: int, version: int) -> MinutesVersion:
    meeting = get_meeting(actor, meeting_id)
    record = (
        db.session.scalars(
            select(MinutesVersion)
            .options(undefer(MinutesVersion.pdf))
            .where(MinutesVersion.meeting_id == meeting.id, MinutesVersion.version == version)
        )
        .unique()
        .one_or_none()
    )
    if record is None:
        raise NotFound(f"There is no version {version} of the minutes of {meeting.number}.")
    return record


def decision_count(meeting: Meeting) -> int:
    return (
        db.session.scalar(
            select(func.count(Decision.id))
            .join(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    )
