"""The Board's rules of procedure, kept as versions with an effective date. A decision is
taken under the version in force on its meeting's date (a written procedure: the day it
opened) and keeps it: a new version never changes a closed item's rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AgendaItem, BoardRules, Meeting, User, utcnow
from prb.services import audit
from prb.services.access import SET_UP_READERS, require_administrator, require_role
from prb.services.calendar import long_date
from prb.services.decision_rule import Rule
from prb.services.errors import Invalid
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import ItemState, Role

# Values of the first version that the settings do not give.
FIRST_WRITTEN_PROCEDURE_DAYS = 14
FIRST_ABSENT_MAY_VOTE = False


def rules_on(day: date) -> BoardRules | None:
    """The version in force on `day` (None: the office kept no rules that early)."""
    return db.session.scalars(
        select(BoardRules)
        .where(BoardRules.effective_from <= day)
        .order_by(BoardRules.effective_from.desc())
        .limit(1)
    ).one_or_none()


READERS = SET_UP_READERS


def versions(actor: User) -> list[BoardRules]:
    """Every version, the latest first."""
    require_role(actor, *READERS, action="see the Board's rules of procedure")
    return list(db.session.scalars(select(BoardRules).order_by(BoardRules.effective_from.desc())))


def decision_rule(rules: BoardRules) -> Rule:
    return Rule(quorum=Fraction(rules.quorum), casting_vote=rules.casting_vote)


def summary(rules: BoardRules) -> str:
    """The version as the minutes print it."""
    casting = (
        "the chair's casting vote decides a tie when she is present"
        if rules.casting_vote
        else "no casting vote"
    )
    absent = (
        "a member recorded absent from a meeting may vote"
        if rules.absent_may_vote
        else "a member recorded absent from a meeting may not vote"
    )
    return (
        f"Rules of procedure of {long_date(rules.effective_from)}: quorum more than "
        f"{rules.quorum} of eligible members; {casting}; {absent}; written procedures "
        f"{rules.written_procedure_days} days by default."
    )


def ensure_rules(actor: User | None, *, covering: date | None = None) -> BoardRules:
    """The rules in force on `covering` (default today). On a database that has none, the
    first version is made from the settings (`PRB_BOARD_*`), effective from that date at
    the latest. `actor` None: the command line."""
    require_administrator(actor, action="set the Board's rules of procedure")
    with committed():
        rules = rules_for_date(covering or utcnow().date(), actor=actor)
    return rules


def rules_for_date(day: date, *, actor: User | None, field: str = "held_on") -> BoardRules:
    """In the caller's transaction: the version in force on `day`, making the first one from
    the settings when there is none at all. Refused when versions exist but start later."""
    rules = rules_on(day)
    if rules is not None:
        return rules
    first = db.session.scalar(select(func.min(BoardRules.effective_from)))
    if first is not None:
        raise Invalid(
            f"No rules of procedure were in force on {long_date(day)}.",
            {
                field: [
                    f"The Board's rules of procedure start on {long_date(first)}: an "
                    "administrator adds the version in force on this date under Administration › "
                    "Rules of procedure first."
                ]
            },
        )
    return _first_version(min(day, utcnow().date()), actor)


def _first_version(effective_from: date, actor: User | None) -> BoardRules:
    config = current_app.config
    rules = BoardRules(
        effective_from=effective_from,
        quorum=_normal_quorum(str(config["BOARD_QUORUM"])),
        casting_vote=bool(config["BOARD_CASTING_VOTE"]),
        written_procedure_days=FIRST_WRITTEN_PROCEDURE_DAYS,
        absent_may_vote=FIRST_ABSENT_MAY_VOTE,
        note="First version, from the settings (PRB_BOARD_QUORUM, PRB_BOARD_CASTING_VOTE).",
        recorded_by_id=actor.id if actor else None,
    )
    # Made for whoever first needs rules (the secretariat scheduling a meeting, say): the
    # administrator's role is recorded only when she is one.
    role = Role.ADMINISTRATOR if actor and actor.has_role(Role.ADMINISTRATOR) else None
    _store(rules, actor, role, None, "First rules of procedure, from the settings: ")
    return rules


def _store(
    rules: BoardRules, actor: User | None, role: Role | None, previous: BoardRules | None, why: str
) -> None:
    """Write a new version and its audit row (with the version it follows, if any)."""
    db.session.add(rules)
    db.session.flush()
    audit.record_change(
        "board_rules_added",
        actor=actor,
        role=role,
        subject="board_rules",
        subject_id=rules.id,
        before=as_values(previous) if previous else None,
        after=as_values(rules),
        comment=why + summary(rules),
    )


def as_values(rules: BoardRules) -> dict[str, object]:
    return {
        "effective_from": rules.effective_from,
        "quorum": rules.quorum,
        "casting_vote": rules.casting_vote,
        "written_procedure_days": rules.written_procedure_days,
        "absent_may_vote": rules.absent_may_vote,
        "note": rules.note,
    }


# A fraction (2/3) or a decimal share (0.5). Fraction() alone also reads exponents:
# "1e-999999999" fits the field and would take a worker minutes and gigabytes to build.
_QUORUM = re.compile(r"^\s*(\d{1,6}\s*/\s*\d{1,6}|\d{0,6}\.\d{1,6}|\d{1,6})\s*$")


def quorum_fraction(text: str) -> Fraction:
    """The quorum as typed, or ValueError (ZeroDivisionError for a zero denominator)."""
    if not _QUORUM.match(text):
        raise ValueError(f"not a fraction: {text!r}")
    return Fraction(re.sub(r"\s+", "", text))


def _normal_quorum(text: str) -> str:
    return str(quorum_fraction(text).limit_denominator(1000))


@dataclass
class RulesInput:
    effective_from: date | None
    quorum: str
    casting_vote: bool
    written_procedure_days: int | None
    absent_may_vote: bool
    note: str = ""


def proposed_rules() -> RulesInput:
    """What the form for a new version starts from: the latest version (a new one usually
    changes one thing), or the settings before there is any."""
    latest = db.session.scalars(
        select(BoardRules).order_by(BoardRules.effective_from.desc()).limit(1)
    ).first()
    if latest is not None:
        return RulesInput(
            None,
            latest.quorum,
            latest.casting_vote,
            latest.written_procedure_days,
            latest.absent_may_vote,
        )
    config = current_app.config
    return RulesInput(
        None,
        _normal_quorum(str(config["BOARD_QUORUM"])),
        bool(config["BOARD_CASTING_VOTE"]),
        FIRST_WRITTEN_PROCEDURE_DAYS,
        FIRST_ABSENT_MAY_VOTE,
    )


def add_rules(actor: User | None, data: RulesInput, *, once: str | None = None) -> BoardRules:
    """A new version of the rules, from its effective date. Versions are never edited; one
    that would change the rule of an item already closed is refused. `actor` None: the
    command line (an operator with shell access)."""
    require_administrator(actor, action="change the Board's rules of procedure")
    errors: dict[str, list[str]] = {}
    quorum = ""
    try:
        fraction = quorum_fraction(data.quorum)
    except (ValueError, ZeroDivisionError):
        errors["quorum"] = ["Give the quorum as a fraction, for example 1/2 or 2/3."]
    else:
        if not 0 <= fraction < 1:
            errors["quorum"] = ["The quorum is a share from 0 to below 1, for example 1/2."]
        else:
            quorum = _normal_quorum(data.quorum)
    days = data.written_procedure_days
    if days is None or not 1 <= days <= 90:
        errors["written_procedure_days"] = ["Give a period of 1 to 90 days."]
    note = data.note.strip()
    if len(note) > 2000:
        errors["note"] = ["Keep the note under 2,000 characters."]
    if data.effective_from is None:
        errors["effective_from"] = ["Give the date the rules take effect."]
    if errors:
        raise Invalid("The rules were not saved: please correct the fields marked.", errors)
    assert data.effective_from is not None and days is not None
    with committed():
        if actor is not None:  # the command line has no form to replay
            spend(once, actor, "add rules")
        _lock_versions()
        effective = data.effective_from
        if db.session.scalar(select(BoardRules.id).where(BoardRules.effective_from == effective)):
            raise Invalid(
                f"A version already takes effect on {long_date(effective)}.",
                {
                    "effective_from": [
                        "Versions are never changed: give the new version a later date."
                    ]
                },
            )
        _refuse_if_closed_items_change(effective)
        previous = rules_on(effective)
        rules = BoardRules(
            effective_from=effective,
            quorum=quorum,
            casting_vote=data.casting_vote,
            written_procedure_days=days,
            absent_may_vote=data.absent_may_vote,
            note=note,
            recorded_by_id=actor.id if actor else None,
        )
        _store(rules, actor, Role.ADMINISTRATOR if actor else None, previous, "")
    return rules


def _lock_versions() -> None:
    # Two administrators adding versions at once must not both pass the closed-items check
    # against a state the other is changing: serialise on the existing versions.
    db.session.execute(select(BoardRules.id).with_for_update())


def _refuse_if_closed_items_change(effective: date) -> None:
    """The new version governs from `effective` to the next version's date: no meeting in
    that span may have an item closed under the rules it had."""
    following = db.session.scalar(
        select(func.min(BoardRules.effective_from)).where(BoardRules.effective_from > effective)
    )
    span = [Meeting.held_on >= effective]
    if following is not None:
        span.append(Meeting.held_on < following)
    latest = db.session.execute(
        select(Meeting.number, Meeting.held_on)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(*span, AgendaItem.status != ItemState.OPEN)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(1)
    ).first()
    if latest is not None:
        number, held_on = latest
        raise Invalid(
            f"A version effective from {long_date(effective)} would change the rules under "
            f"which {number} ({long_date(held_on)}) has already closed items.",
            {
                "effective_from": [
                    f"Past decisions keep their rules: choose a date after {long_date(held_on)}."
                ]
            },
        )
