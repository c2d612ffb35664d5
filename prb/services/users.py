"""User accounts: creation and role assignment by the secretariat, and sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from prb.extensions import db
from prb.models import Entity, User, WorkingGroup
from prb.services import audit, passwords
from prb.services.access import require_role
from prb.services.errors import Invalid, NotFound
from prb.services.transaction import committed
from workflows import ASSIGNABLE_ROLES, Role


@dataclass
class UserInput:
    email: str
    name: str
    entity_id: int | None
    roles: set[Role] = field(default_factory=set)
    chaired_group_ids: set[int] = field(default_factory=set)
    is_board_chair: bool = False
    active: bool = True
    password: str | None = None  # None on edit: keep the current password


def _normalise_email(raw: str) -> str:
    try:
        return validate_email(
            raw.strip(), check_deliverability=False, globally_deliverable=False
        ).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("Check the e-mail address.", {"email": [str(exc)]}) from None


def _validate(data: UserInput, *, user_id: int | None) -> tuple[str, Entity, list[WorkingGroup]]:
    errors: dict[str, list[str]] = {}
    email = ""
    try:
        email = _normalise_email(data.email)
    except Invalid as exc:
        errors.update(exc.fields)
    if email:
        clash = db.session.scalar(select(User.id).where(func.lower(User.email) == email))
        if clash is not None and clash != user_id:
            errors["email"] = ["Another account already uses this address."]
    name = data.name.strip()
    if not name:
        errors["name"] = ["Give the person's name."]
    elif len(name) > 120:
        errors["name"] = ["Keep the name under 120 characters."]
    entity = db.session.get(Entity, data.entity_id) if data.entity_id else None
    if entity is None:
        errors["entity_id"] = ["Choose the person's entity."]
    if not data.roles:
        errors["roles"] = ["Give the person at least one role."]
    if set(data.roles) - set(ASSIGNABLE_ROLES):
        errors["roles"] = ["Choose roles from the list."]
    groups = (
        list(
            db.session.scalars(
                select(WorkingGroup).where(WorkingGroup.id.in_(data.chaired_group_ids))
            )
        )
        if data.chaired_group_ids
        else []
    )
    if len(groups) != len(data.chaired_group_ids):
        errors["chaired_group_ids"] = ["Choose working groups from the list."]
    if Role.CHAIR in data.roles and not groups:
        errors["chaired_group_ids"] = ["A working-group chair needs the group(s) she chairs."]
    if groups and Role.CHAIR not in data.roles:
        errors["chaired_group_ids"] = ["Only a working-group chair chairs a working group."]
    if data.is_board_chair and Role.BOARD_MEMBER not in data.roles:
        errors["is_board_chair"] = ["The Board chair must also be a board member."]
    if data.password is not None:
        problems = passwords.problems(data.password, email=data.email, name=data.name)
        if problems:
            errors["password"] = problems
    if errors:
        raise Invalid("The account was not saved: please correct the fields marked below.", errors)
    assert entity is not None
    return email, entity, groups


def _apply(
    user: User, data: UserInput, email: str, entity: Entity, groups: list[WorkingGroup]
) -> None:
    user.email = email
    user.name = data.name.strip()
    user.entity = entity
    user.set_roles(set(data.roles))
    user.chaired_groups = groups
    user.is_board_chair = data.is_board_chair
    user.active = data.active
    if data.password is not None:
        user.set_password(data.password)


def create_user(actor: User | None, data: UserInput) -> User:
    """`actor` None means the command line (an operator with shell access)."""
    if actor is not None:
        require_role(actor, Role.SECRETARIAT, action="add users")
    if data.password is None:
        raise Invalid("Set a password.", {"password": ["Set an initial password."]})
    with committed():
        email, entity, groups = _validate(data, user_id=None)
        user = User(role_rows=[], chaired_groups=[])
        _apply(user, data, email, entity, groups)
        db.session.add(user)
        db.session.flush()
        audit.record(
            "user_created",
            actor=actor,
            role=Role.SECRETARIAT if actor else None,
            comment=f"{user.email}: {', '.join(sorted(user.roles))}",
        )
    return user


def update_user(actor: User, user_id: int, data: UserInput) -> User:
    require_role(actor, Role.SECRETARIAT, action="change users")
    with committed():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound(f"There is no user number {user_id}.")
        if user.id == actor.id and (Role.SECRETARIAT not in data.roles or not data.active):
            raise Invalid(
                "You cannot remove your own secretariat role or disable your own account.",
                {"roles": ["Keep your own secretariat role (ask a colleague to change it)."]},
            )
        email, entity, groups = _validate(data, user_id=user.id)
        was_active = user.active
        _apply(user, data, email, entity, groups)
        if (was_active and not user.active) or data.password is not None:
            user.session_version += 1  # a disabled account or a new password ends sessions
        audit.record(
            "user_updated",
            actor=actor,
            role=Role.SECRETARIAT,
            comment=f"{user.email}: {', '.join(sorted(user.roles))}"
            + ("" if user.active else " (disabled)"),
        )
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))


def get_user(actor: User, user_id: int) -> User:
    require_role(actor, Role.SECRETARIAT, action="see user accounts")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user number {user_id}.")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        # Spend the same time as a real check, so timing does not reveal unknown addresses.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def record_sign_in(user: User, address: str) -> None:
    audit.record("signed_in", actor=user, comment=f"from {address}")
    db.session.commit()


def record_sign_in_failed(email: str, address: str) -> None:
    audit.record("sign_in_failed", actor=None, comment=f"{email[:254]!r} from {address}")
    db.session.commit()


def record_sign_in_refused(email: str, address: str) -> None:
    audit.record("sign_in_throttled", actor=None, comment=f"{email[:254]!r} from {address}")
    db.session.commit()


def sign_out(user: User) -> None:
    """Ends every session of the user on the server side, not only this browser's cookie."""
    user.session_version += 1
    audit.record("signed_out", actor=user)
    db.session.commit()


def record_refusal(user: User | None, path: str, message: str) -> None:
    db.session.rollback()
    audit.record("permission_refused", actor=user, comment=f"{path}: {message}"[:2000])
    db.session.commit()


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")
