"""The minutes' record in a form any program can read back without PRB (decisions.json,
attached to every PDF)."""

from __future__ import annotations

import json
from decimal import Decimal

from prb.services.minutes.data import BOARD, OFFICE, MinutesData
from prb.services.pdf import iso


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
