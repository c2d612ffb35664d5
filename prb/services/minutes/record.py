"""The minutes' record in a form any program can read back without PRB (decisions.json,
attached to every PDF)."""

from __future__ import annotations

import json
from decimal import Decimal

from prb.services.minutes.data import BOARD, MinutesData
from prb.services.pdf import iso
from prb.services.reference.office import current_office


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
        k, d = data.considered[item.id], item.decision
        p = k.facts
        entry: dict[str, object] = {
            "position": item.position,
            "subject": "extension" if item.extension_id else "proposal",
            # The proposal as the Board considered it (the item's snapshot).
            "proposal": {
                "reference": p.reference,
                "project_code": p.project_code,
                "title": p.title,
                "working_group": p.working_group,
                "lead_entity": p.lead_entity or None,
                "implementing_entities": list(p.implementing_entities),
                "requested_budget": money(p.requested_budget),
                "duration_months": p.duration_months,
                "duration_note": p.duration_note,
            },
            "as_considered": {
                "snapshot": k.stage,
                "reconstructed": k.reconstructed,
                "taken_at": iso(k.taken_at) if k.taken_at else None,
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
                "votes": [
                    {
                        "member": v.member.name,
                        "entity": v.member.entity,
                        "choice": v.choice,
                        "entered_by_secretariat": v.entered_by_secretariat,
                    }
                    for v in k.votes
                ],
                "voting_closed_at": iso(k.voting_closed_at) if k.voting_closed_at else None,
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
        "office": current_office().name,
        "board": BOARD,
        "meeting": {
            "number": m.number,
            "kind": m.kind,
            "date": m.held_on.isoformat(),
            "place": m.place,
            "deadline": iso(m.deadline) if m.deadline else None,
            "chair": data.chair_name,
            "recorded_after": m.recorded_after,
            "voting_closed": iso(data.voting_closed) if data.voting_closed else None,
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
        "recused": [u.name for u in data.recused],
        "items": items,
        "corrections": _corrections(data),
        "budgets_approved": money(data.approved_here),
        "envelopes": [
            {
                "programme": e.code,
                "envelope": money(e.total),
                "used": money(e.used),
                "left": money(e.left),
            }
            for e in data.envelopes
        ],
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)


def _corrections(data: MinutesData) -> dict[str, object]:
    """The facts corrigenda have corrected, as printed: what the record now says, what it
    first said, and which corrigendum corrected it last."""
    c = data.corrected

    def entry(fact):  # type: ignore[no-untyped-def]
        return {"now": fact.now, "was": fact.was, "by": fact.by}

    found: dict[str, object] = {}
    if c.place:
        found["place"] = entry(c.place)
    if c.chair:
        found["chair"] = entry(c.chair)
    if c.titles:
        found["titles"] = {
            str(position): entry(c.titles[position]) for position in sorted(c.titles)
        }
    return found
