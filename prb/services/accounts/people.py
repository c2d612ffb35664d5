"""Accounts and their roles. Only an administrator creates and changes accounts; nobody
changes her own roles or disables herself, so no single person can widen her own power."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import BoardMembership, Entity, User, UserRole, utcnow
from prb.services import audit
from prb.services.access import require_administrator, require_role
from prb.services.errors import Invalid, NotAllowed, NotFound
from prb.services.transaction import committed, locked
from prb.services.typed_text import direction_problem
from workflows import ASSIGNABLE_ROLES, Role

# A stored hash that no password matches: the owner sets hers through a one-time link.
NO_PASSWORD = "!"


@dataclass
class UserInput:
    email: str
    name: str
    entity_id: int | None
    roles: set[Role] = field(default_factory=set)
    active: bool = True


def snapshot(user: User) -> dict[str, Any]:
    """The account as the audit trail keeps it, before and after a change."""
    return {
        "email": user.email,
        "name": user.name,
        "entity": user.entity.code if user.entity else None,
        "roles": sorted(str(r) for r in user.roles),
        "active": user.active,
    }


def normalise_email(raw: str) -> str:
    try:
        return validate_email(
            raw.strip(), check_deliverability=False, globally_deliverable=False
        ).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("Check the e-mail address.", {"email": [str(exc)]}) from None


def email_problem(raw: str, *, user_id: int | None) -> tuple[str, str | None]:
    """The normalised address, and what is wrong with it (None: nothing)."""
    try:
        email = normalise_email(raw)
    except Invalid as exc:
        return "", exc.fields["email"][0]
    clash = db.session.scalar(select(User.id).where(func.lower(User.email) == email))
    if clash is not None and clash != user_id:
        return email, "Another account already uses this address."
    return email, None


def name_problem(raw: str) -> str | None:
    name = raw.strip()
    if not name:
        return "Give the person's name."
    if len(name) > 120:
        return "Keep the name under 120 characters."
    return direction_problem(name)


def roles_problem(roles: Iterable[Role]) -> str | None:
    chosen = set(roles)
    if not chosen:
        return "Give the person at least one role."
    if chosen - set(ASSIGNABLE_ROLES):
        return "Choose roles from the list."
    return None


def _validate(data: UserInput, *, current: User | None) -> tuple[str, Entity]:
    errors: dict[str, list[str]] = {}
    email, problem = email_problem(data.email, user_id=current.id if current else None)
    if problem:
        errors["email"] = [problem]
    if problem := name_problem(data.name):
        errors["name"] = [problem]
    entity = db.session.get(Entity, data.entity_id) if data.entity_id else None
    if entity is None:
        errors["entity_id"] = ["Choose the person's entity."]
    elif entity.retired_at is not None and (current is None or current.entity_id != entity.id):
        errors["entity_id"] = [f"{entity.code} is retired; choose a current entity."]
    if problem := roles_problem(data.roles):
        errors["roles"] = [problem]
    if errors:
        raise Invalid("The account was not saved: please correct the fields marked below.", errors)
    assert entity is not None
    return email, entity


def new_account(email: str, name: str, entity: Entity, roles: set[Role]) -> User:
    """An account without a password (its owner sets one through a link), added to the
    session. The caller has validated the values and audits the creation."""
    user = User(
        email=email,
        name=name.strip(),
        entity=entity,
        password_hash=NO_PASSWORD,
        active=True,
        role_rows=[],
        chaired_groups=[],
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    return user


def acting_role(actor: User | None) -> str | None:
    return str(Role.ADMINISTRATOR) if actor is not None else None


def create(actor: User | None, data: UserInput) -> User:
    require_administrator(actor, action="add user accounts")
    email, entity = _validate(data, current=None)
    user = new_account(email, data.name, entity, set(data.roles))
    user.active = data.active
    record_created(user, actor)
    return user


def record_created(user: User, actor: User | None, comment: str = "") -> None:
    """The audit row of a new account (`actor` None: the command line)."""
    audit.record_change(
        "user_created",
        actor=actor,
        role=acting_role(actor),
        subject="user",
        subject_id=user.id,
        before=None,
        after=snapshot(user),
        comment=comment,
    )


def create_user(actor: User | None, data: UserInput) -> User:
    """A new account, without a password (its owner sets one through a link: see
    `password_links.invite_user`). `actor` None: the command line (an operator)."""
    with committed():
        user = create(actor, data)
    return user


@dataclass(frozen=True)
class SeatFollowed:
    """A Board member moved to another entity: the seat she holds from today, for the new
    entity, and the entity she sat for before today."""

    seat: BoardMembership
    left: Entity


@dataclass(frozen=True)
class SavedAccount:
    user: User
    seat_followed: SeatFollowed | None = None  # set when her Board seat followed a move


def update_user(actor: User, user_id: int, data: UserInput) -> SavedAccount:
    require_role(actor, Role.ADMINISTRATOR, action="change user accounts")
    with committed():
        user = locked(User, user_id, "user")
        if user.id == actor.id:
            if set(data.roles) != set(user.roles):
                raise NotAllowed(
                    "You cannot grant or remove roles on your own account: "
                    "ask another administrator. Nothing was changed."
                )
            if not data.active:
                raise NotAllowed(
                    "You cannot disable your own account: ask another administrator. "
                    "Nothing was changed."
                )
        email, entity = _validate(data, current=user)
        before = snapshot(user)
        was_active = user.active
        left = user.entity
        user.email = email
        user.name = data.name.strip()
        user.entity = entity
        user.set_roles(set(data.roles))
        user.active = data.active
        after = snapshot(user)
        if before == after:
            return SavedAccount(user)
        if was_active and not user.active:
            user.session_version += 1  # a disabled account is signed out everywhere
        audit.record_change(
            "user_updated",
            actor=actor,
            role=str(Role.ADMINISTRATOR),
            subject="user",
            subject_id=user.id,
            before=before,
            after=after,
        )
        followed = None
        if before["entity"] != after["entity"] and left is not None:
            today = utcnow().date()
            changed = follow_move()(actor, user, today)
            held = [
                s for s in changed if s.since <= today and (s.until is None or s.until >= today)
            ]
            followed = SeatFollowed(held[0], left) if held else None
    return SavedAccount(user, followed)


def follow_move():  # type: ignore[no-untyped-def]
    """Imported when used: the seats' service offers this one's board members as seats."""
    from prb.services.board.seats import follow_move

    return follow_move


def list_users(actor: User) -> list[User]:
    require_role(actor, Role.ADMINISTRATOR, action="see user accounts")
    return list(db.session.scalars(select(User).order_by(User.name)))


def get_user(actor: User, user_id: int) -> User:
    require_role(actor, Role.ADMINISTRATOR, action="see user accounts")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user number {user_id}.")
    return user


def active_holders(role: Role) -> list[User]:
    """Active accounts holding `role`, by name: whom a chair's term or a Board seat may go to."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.name)
        ).unique()
    )
