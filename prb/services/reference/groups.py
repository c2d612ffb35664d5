"""Working groups, and who chaired each from when to when.

`ChairTerm` rows are the history; `WorkingGroup.chairs` holds the current chairs only, and
it is what gives a chair her group's proposals. Appointing and ending a term change both,
in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from prb.extensions import db
from prb.models import ChairTerm, User, WorkingGroup
from prb.services.access import require_administrator
from prb.services.accounts.people import active_holders
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.once import spend
from prb.services.reference.common import (
    changed,
    flush_unique,
    found,
    offered_rows,
    record,
    require_reader,
    set_retired_row,
    snapshot,
    text_problem,
    today,
)
from prb.services.transaction import committed, locked
from workflows import Role

AUDITED = ("name", "short_name", "retired_at")
NAME_LIMIT = WorkingGroup.__table__.c.name.type.length
SHORT_LIMIT = WorkingGroup.__table__.c.short_name.type.length
EARLIEST = date(1990, 1, 1)


@dataclass
class GroupInput:
    name: str
    short_name: str

    def __post_init__(self) -> None:
        self.name = " ".join(self.name.split())
        self.short_name = " ".join(self.short_name.split())


def list_groups(actor: User) -> list[WorkingGroup]:
    require_reader(actor, "see the working groups")
    return list(
        db.session.scalars(
            select(WorkingGroup)
            .options(joinedload(WorkingGroup.chairs))
            .order_by(WorkingGroup.name)
        ).unique()
    )


def get_group(actor: User, group_id: int) -> WorkingGroup:
    require_reader(actor, "see the working groups")
    return found(WorkingGroup, group_id, "working group")


def offered_working_groups(keep_ids: Collection[int] = ()) -> list[WorkingGroup]:
    """Groups in use, plus any retired one the record being edited already names."""
    in_use = WorkingGroup.retired_at.is_(None)
    return offered_rows(WorkingGroup, in_use, keep_ids, WorkingGroup.name)


def _validate(data: GroupInput, group_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    problem = text_problem(data.name, "name", NAME_LIMIT)
    if problem:
        errors["name"] = [problem]
    else:
        clash = db.session.scalar(
            select(WorkingGroup.id).where(func.lower(WorkingGroup.name) == data.name.lower())
        )
        if clash is not None and clash != group_id:
            errors["name"] = ["Another working group already has this name."]
    problem = text_problem(data.short_name, "short name", SHORT_LIMIT)
    if problem:
        errors["short_name"] = [problem]
    if errors:
        raise Invalid(
            "The working group was not saved: please correct the fields marked below.", errors
        )


def create_group(actor: User | None, data: GroupInput, *, once: str | None = None) -> WorkingGroup:
    require_administrator(actor, action="add working groups")
    with committed():
        if actor is not None:  # the command line has no form to replay
            spend(once, actor, "create group")
        _validate(data, None)
        group = WorkingGroup(name=data.name, short_name=data.short_name)
        db.session.add(group)
        flush_unique("name", "Another working group already has this name.")
        record("working_group_created", actor, "working_group", group.id, None, _audited(group))
    return group


def _audited(group: WorkingGroup) -> dict[str, object]:
    return snapshot(group, AUDITED)


def update_group(actor: User, group_id: int, data: GroupInput) -> WorkingGroup:
    require_administrator(actor, action="edit working groups")
    with committed():
        group = locked(WorkingGroup, group_id, "working group")
        _validate(data, group.id)
        before = _audited(group)
        group.name, group.short_name = data.name, data.short_name
        flush_unique("name", "Another working group already has this name.")
        after = _audited(group)
        if changed(before, after):
            record("working_group_edited", actor, "working_group", group.id, before, after)
    return group


def set_retired(actor: User, group_id: int, retired: bool) -> WorkingGroup:
    """Retire a group (no new proposals name it; its chairs keep its existing proposals) or
    reinstate it."""
    return set_retired_row(
        actor,
        WorkingGroup,
        group_id,
        retired,
        what="working group",
        action="retire or reinstate working groups",
        event="working_group",
        subject="working_group",
        audited=AUDITED,
        name=lambda group: group.name,
    )


# -- chairs ---------------------------------------------------------------------------------


def chair_terms(group_id: int) -> list[ChairTerm]:
    """Every term of the group, current ones first, then the latest first."""
    return list(
        db.session.scalars(
            select(ChairTerm)
            .options(joinedload(ChairTerm.user))
            .where(ChairTerm.working_group_id == group_id)
            .order_by(ChairTerm.until.is_not(None), ChairTerm.since.desc(), ChairTerm.id.desc())
        )
    )


def chair_candidates() -> list[User]:
    """Active accounts holding the chair role: the people who may be appointed."""
    return active_holders(Role.CHAIR)


def _term_view(term: ChairTerm) -> dict[str, object]:
    return {
        "working_group": term.working_group.name,
        "chair": f"{term.user.name} <{term.user.email}>",
        "since": term.since,
        "until": term.until,
    }


def _date_problem(day: date | None, what: str) -> str | None:
    if day is None:
        return f"Give the date the term {what}."
    if day < EARLIEST:
        return f"Give a date from {EARLIEST:%Y} on."
    if day > today():
        # Current chairs drive access now: a term dated ahead would give (or take) access
        # before its day. Record it on the day.
        return f"Give today's date or an earlier one: a term {what} when it happens."
    return None


def appoint_chair(
    actor: User,
    group_id: int,
    user_id: int | None,
    since: date | None,
    *,
    once: str | None = None,
) -> ChairTerm:
    """A chair's term from `since`: recorded, and she becomes a current chair of the group."""
    require_administrator(actor, action="appoint working-group chairs")
    with committed():
        spend(once, actor, "appoint chair")
        group = locked(WorkingGroup, group_id, "working group")
        errors: dict[str, list[str]] = {}
        person = db.session.get(User, user_id) if user_id else None
        if person is None:
            errors["user_id"] = ["Choose the person from the list."]
        elif not person.has_role(Role.CHAIR) or not person.active:
            errors["user_id"] = [
                f"{person.name} does not hold the working-group chair role (or her account is "
                "disabled): give her the role on the Users page first."
            ]
        problem = _date_problem(since, "starts")
        if problem:
            errors["since"] = [problem]
        if group.retired_at is not None:
            errors["user_id"] = [f"{group.name} is retired: reinstate it first."]
        if person is not None and since is not None and not errors:
            overlap = db.session.scalar(
                select(ChairTerm).where(
                    ChairTerm.working_group_id == group.id,
                    ChairTerm.user_id == person.id,
                    or_(ChairTerm.until.is_(None), ChairTerm.until >= since),
                )
            )
            if overlap is not None:
                errors["since"] = [
                    f"{person.name} already chairs {group.short_name} from "
                    f"{long_date(overlap.since)}"
                    + (f" to {long_date(overlap.until)}" if overlap.until else "")
                    + ": a new term starts after the last one ended."
                ]
        if errors:
            raise Invalid("The chair was not appointed: please correct the fields.", errors)
        assert person is not None and since is not None
        term = ChairTerm(working_group=group, user=person, since=since)
        db.session.add(term)
        if person not in group.chairs:
            group.chairs.append(person)
        try:
            db.session.flush()
        except IntegrityError:
            raise Conflict(
                f"{person.name} was appointed chair of {group.short_name} in the meantime. "
                "Nothing was recorded twice."
            ) from None
        record("chair_appointed", actor, "chair_term", term.id, None, _term_view(term))
    return term


def end_chair_term(actor: User, term_id: int, until: date | None) -> ChairTerm:
    """The term ends on `until`: kept in the history, and she is no longer a current chair."""
    require_administrator(actor, action="end working-group chairs' terms")
    with committed():
        term = locked(ChairTerm, term_id, "chair's term")
        if term.until is not None:
            raise Conflict(
                f"This term of {term.user.name} already ended on {long_date(term.until)}. "
                "Nothing changed."
            )
        problem = _date_problem(until, "ends")
        if problem is None and until is not None and until < term.since:
            problem = f"The term started on {long_date(term.since)}: give that date or a later one."
        if problem:
            raise Invalid("The term was not ended.", {"until": [problem]})
        before = _term_view(term)
        term.until = until
        group = term.working_group
        if term.user in group.chairs:
            group.chairs.remove(term.user)
        record("chair_term_ended", actor, "chair_term", term.id, before, _term_view(term))
    return term


def reopenable(terms: Collection[ChairTerm]) -> set[int]:
    """The ended terms whose end may be undone: each person's last term, when it ended."""
    last: dict[int, ChairTerm] = {}
    for term in terms:
        if term.user_id not in last or term.since > last[term.user_id].since:
            last[term.user_id] = term
    return {t.id for t in last.values() if t.until is not None}


def reopen_chair_term(actor: User, term_id: int) -> ChairTerm:
    """Undo a term's end recorded by mistake (an end entered today takes effect at once, and
    a new term could only start tomorrow): she is a current chair again, from the term's
    first day. The end and its undoing both stay in the audit trail. Not a term she has a
    later term after, nor one of an account that could not be appointed today."""
    require_administrator(actor, action="change working-group chairs' terms")
    with committed():
        term = locked(ChairTerm, term_id, "chair's term")
        group = locked(WorkingGroup, term.working_group_id, "working group")
        if term.until is None:
            raise Conflict(f"The term of {term.user.name} has not ended. Nothing changed.")
        later = db.session.scalar(
            select(ChairTerm.since).where(
                ChairTerm.working_group_id == group.id,
                ChairTerm.user_id == term.user_id,
                ChairTerm.since > term.until,
            )
        )
        if later is not None:
            raise Conflict(
                f"{term.user.name} has a later term of {group.short_name}, from "
                f"{long_date(later)}: that one is current or ended, not this one. Nothing changed."
            )
        person = term.user
        if not person.active or not person.has_role(Role.CHAIR):
            raise Conflict(
                f"{person.name} does not hold the working-group chair role (or her account is "
                "disabled): give her the role on the Users page first. Nothing changed."
            )
        if group.retired_at is not None:
            raise Conflict(f"{group.name} is retired: reinstate it first. Nothing changed.")
        before = _term_view(term)
        term.until = None
        if person not in group.chairs:
            group.chairs.append(person)
        record("chair_term_reopened", actor, "chair_term", term.id, before, _term_view(term))
    return term


def group_id_of(term_id: int) -> int:
    group_id = db.session.scalar(select(ChairTerm.working_group_id).where(ChairTerm.id == term_id))
    if group_id is None:
        raise NotFound(f"There is no chair's term number {term_id}.")
    return group_id
