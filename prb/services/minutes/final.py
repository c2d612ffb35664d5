"""Drafts on demand; final versions stored byte for byte with their SHA-256, optionally
signed, corrected only by corrigenda."""

from __future__ import annotations

import hashlib
from collections.abc import Container
from dataclasses import replace
from datetime import UTC, datetime

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from prb.extensions import db
from prb.models import AgendaItem, Decision, Meeting, MinutesVersion, User, utcnow
from prb.services import audit, signing
from prb.services.access import require_role
from prb.services.board import board_members, considered, get_meeting
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.minutes import corrections
from prb.services.minutes.data import BOARD, MINUTED, MinutesData, minutes_data, recorded_chair
from prb.services.minutes.record import decisions_json
from prb.services.notifications import events
from prb.services.once import spend
from prb.services.pdf import Attachment, render
from prb.services.reference.office import current_office
from workflows import Role


def _html(data: MinutesData) -> str:
    return render_template("pdf/minutes.html", d=data, office=current_office(), board=BOARD)


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


# The draft's tag is taken at a fixed clock: the draft says when it was generated, and a
# draft whose record has not changed is the same draft whenever it is asked for.
_TAG_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)


def draft_pdf(
    actor: User, meeting_id: int, *, unless: Container[str] = ()
) -> tuple[Meeting, str, bytes | None]:
    """The draft minutes and their tag (the SHA-256 of what they say, not of when they were
    made); None instead of the PDF when the tag is in `unless` (the browser has it), so an
    unchanged draft costs no rendering."""
    meeting = get_meeting(actor, meeting_id)
    data = minutes_data(
        meeting, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    data.corrected = corrected_facts(versions(meeting))
    fixed = replace(data, generated_at=_TAG_CLOCK)
    tag = hashlib.sha256((_html(fixed) + decisions_json(fixed)).encode()).hexdigest()
    if tag in unless:
        return meeting, tag, None
    return meeting, tag, _pdf(data)


def corrected_facts(stored: list[MinutesVersion]) -> corrections.CorrectedFacts:
    """The corrections in force after the stored versions of a meeting's minutes."""
    return corrections.in_force((v.label, v.corrections) for v in stored)


def printed_facts(meeting: Meeting) -> corrections.Facts:
    """The facts a corrigendum may correct, as the minutes print them before corrections:
    the meeting's place and chair, each minuted item's title as the Board considered it."""
    items = list(meeting.items)
    # Each item as considered, read once for its title and the chair its closing recorded.
    as_considered = {item.id: considered(item) for item in items}
    chair = recorded_chair(items, as_considered)
    return corrections.Facts(
        place=meeting.place,
        chair=chair or (meeting.chair.name if meeting.chair else ""),
        titles={
            item.position: as_considered[item.id].facts.title
            for item in items
            if item.status in MINUTED
        },
    )


def chairs_on(meeting: Meeting) -> list[str]:
    """Who can have chaired the meeting: the members seated on its date."""
    return [member.name for member in board_members(on=meeting.held_on)]


def versions(meeting: Meeting) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.version)
        ).unique()
    )


def finalise(
    actor: User,
    meeting_id: int,
    note: str = "",
    *,
    facts: corrections.Facts | None = None,
    once: str | None = None,
) -> MinutesVersion:
    """Store the final PDF (signed when a certificate is configured). Once stored, the
    database refuses any change; a correction is a new version that keeps this one and
    carries the corrected `facts` (see prb.services.minutes.corrections)."""
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
        earlier = versions(meeting)
        latest = earlier[-1].version if earlier else 0
        version = latest + 1
        label = "Final" if version == 1 else f"Corrigendum {version - 1}"
        in_force = corrected_facts(earlier)
        stored: dict[str, object] = {}
        if facts is not None:
            printed = in_force.apply(printed_facts(meeting))
            stored = corrections.changes(printed, facts, chairs=chairs_on(meeting))
            if stored and not latest:
                raise Invalid(
                    "The minutes are not final yet: correct the meeting and its items on the "
                    "meeting page, then finalise. A corrigendum corrects final minutes."
                )
        if latest and not note and not stored:
            raise Invalid(
                "Say what this corrigendum corrects, or correct a fact.",
                {"note": ["Say what this corrigendum corrects."]},
            )
        if len(note) > 2000:
            raise Invalid(
                "Keep the note under 2,000 characters.",
                {"note": ["Keep the note under 2,000 characters."]},
            )
        note = note or corrections.summary(stored)
        now = utcnow()
        data = minutes_data(
            meeting, draft=False, secretary=actor, version_label=label, generated_at=now
        )
        data.corrected = corrections.in_force(
            [*((v.label, v.corrections) for v in earlier), (label, stored)]
        )
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
            corrections=stored or None,
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
        events.minutes_finalised(record)
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
