"""Drafts on demand; final versions stored byte for byte with their SHA-256, optionally
signed, corrected only by corrigenda."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from prb.extensions import db
from prb.models import AgendaItem, Decision, Meeting, MinutesVersion, User, utcnow
from prb.services import audit, signing
from prb.services.access import require_role
from prb.services.board import get_meeting
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.minutes.data import BOARD, MINUTED, OFFICE, MinutesData, minutes_data
from prb.services.minutes.record import decisions_json
from prb.services.once import spend
from prb.services.pdf import Attachment, render
from workflows import Role


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
    data = minutes_data(
        meeting, draft=True, secretary=None, version_label="Draft", generated_at=now
    )
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
        data = minutes_data(
            meeting, draft=False, secretary=actor, version_label=label, generated_at=now
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
