"""Passwords only their owners know. An administrator never types one: she gives the owner a
one-time, expiring link, and the owner sets her password herself. Only the SHA-256 of a
link's token is stored, so the database alone does not open anyone's account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from prb.extensions import db
from prb.models import PasswordLink, User, utcnow
from prb.services import audit, calendar, passwords, throttle
from prb.services.access import require_administrator
from prb.services.accounts.people import NO_PASSWORD, UserInput, acting_role, create
from prb.services.errors import Gone, Invalid, NotAllowed, NotFound
from prb.services.mail import enqueue
from prb.services.once import spend
from prb.services.transaction import committed


@dataclass(frozen=True)
class IssuedLink:
    """A link as issued: the token exists only here, shown once to whoever issued it."""

    user: User
    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audited(event: str, actor: User | None, user: User, comment: str) -> None:
    entry = audit.record(event, actor=actor, role=acting_role(actor), comment=comment)
    entry.subject, entry.subject_id = "user", user.id


def issue(user: User, *, actor: User | None, valid_for: timedelta) -> IssuedLink:
    """A new link for `user` in the caller's transaction; her older unused links stop
    working, so only the latest one given out opens her account."""
    now = utcnow()
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + valid_for
    db.session.add(
        PasswordLink(
            user_id=user.id,
            token_hash=token_hash(token),
            created_by_id=actor.id if actor else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    _audited(
        "password_link_issued",
        actor,
        user,
        f"{user.email}: valid until {expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return IssuedLink(user=user, token=token, expires_at=expires_at)


def invite_user(
    actor: User | None,
    data: UserInput,
    *,
    valid_for: timedelta,
    once: str | None = None,
    link_base: str | None = None,
) -> IssuedLink:
    """A new account and its one-time set-password link, together or not at all; with
    `link_base` (the set-password page's address without the token) the link is also
    e-mailed to her, in the same transaction."""
    with committed():
        if actor is not None:  # the command line has no form to replay
            spend(once, actor, "create user")
        user = create(actor, data)
        link = issue(user, actor=actor, valid_for=valid_for)
        if link_base is not None and user.active:
            enqueue(
                to=user,
                kind="invitation",
                subject="Your PRB account: choose your password",
                text=invitation_text(
                    user, link_base + link.token, calendar.utc_time(link.expires_at)
                ),
                secret=True,
                # Delivered after its link expired, it invites her to a dead end: left
                # expired, the administrator sees it under Outgoing e-mail and issues another.
                send_before=link.expires_at,
            )
    return link


def invitation_text(user: User, link: str, expires: str) -> str:
    return "\n".join(
        [
            f"Dear {user.name},",
            "",
            "An account in PRB, the Programme Review Board's system, has been opened for you.",
            f"Choose your password with this link before {expires} (it works once):",
            "",
            link,
        ]
    )


def issue_password_link(actor: User | None, user_id: int, *, valid_for: timedelta) -> IssuedLink:
    """A new set-password link for someone else (a reset); `actor` None: the command line."""
    require_administrator(actor, action="give out set-password links")
    if actor is not None and actor.id == user_id:
        raise NotAllowed(
            "Change your own password on your account page; a link is for someone else."
        )
    with committed():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound(f"There is no user number {user_id}.")
        if not user.active:
            raise Invalid(f"The account of {user.name} is disabled: enable it first.")
        link = issue(user, actor=actor, valid_for=valid_for)
    return link


def _usable_link(token: str, *, for_update: bool = False) -> PasswordLink:
    stmt = select(PasswordLink).where(PasswordLink.token_hash == token_hash(token))
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    link = db.session.scalars(stmt).one_or_none()
    if link is None:
        raise NotFound(
            "This set-password link is not known. Check that the whole link was copied, "
            "or ask an administrator for a new one."
        )
    if link.used_at is not None:
        raise Gone(
            "This set-password link has already been used, or a newer link replaced it. "
            "Sign in with your password, or ask an administrator for a new link."
        )
    if link.expires_at <= utcnow():
        raise Gone("This set-password link has expired. Ask an administrator for a new one.")
    user = db.session.get(User, link.user_id)
    if user is None or not user.active:
        raise Gone("This account is disabled. Ask an administrator.")
    return link


def link_owner(token: str) -> User:
    """Whose password the link sets (for the page), or NotFound/Gone; changes nothing."""
    link = _usable_link(token)
    user = db.session.get(User, link.user_id)
    assert user is not None
    return user


def _set(user: User, new_password: str) -> None:
    problems = passwords.problems(new_password, email=user.email, name=user.name)
    if problems:
        raise Invalid("The password was not set.", {"password": problems})
    user.set_password(new_password)
    user.password_changed_at = utcnow()
    user.session_version += 1  # whoever was signed in with the old password is signed out
    # Wrong two-step codes were tried by someone who had the old password: a refusal for the
    # day (`throttle.SECOND_STEP_FAILURES_PER_DAY`) ends with it.
    throttle.forget_failures(throttle.second_step_key(user.email))


def set_password_with_link(token: str, new_password: str, confirmation: str) -> User:
    """The owner of the link sets her password; the link (and any other) is spent."""
    with committed():
        link = _usable_link(token, for_update=True)
        user = db.session.get(User, link.user_id)
        assert user is not None
        if new_password != confirmation:
            raise Invalid(
                "The password was not set.", {"confirmation": ["The two passwords differ."]}
            )
        _set(user, new_password)
        now = utcnow()
        # Compare-and-set: of two submissions of one link at once, only one sets a password.
        spent = db.session.execute(
            update(PasswordLink)
            .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
            .values(used_at=now)
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            raise Gone("This set-password link has just been used. Sign in with your password.")
        db.session.execute(
            update(PasswordLink)
            .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
            .values(used_at=now)
        )
        _audited("password_set", user, user, f"{user.email}: through a set-password link")
    return user


def change_own_password(actor: User, current: str, new_password: str, confirmation: str) -> User:
    """Every signed-in person changes her own password, knowing the current one. Her other
    sessions end; the caller keeps this one by signing it in again."""
    with committed():
        user = db.session.get(User, actor.id)
        assert user is not None
        if user.password_hash == NO_PASSWORD or not user.check_password(current):
            raise Invalid(
                "The password was not changed.",
                {"current_password": ["This is not your current password."]},
            )
        if new_password != confirmation:
            raise Invalid(
                "The password was not changed.", {"confirmation": ["The two passwords differ."]}
            )
        if new_password == current:
            raise Invalid(
                "The password was not changed.",
                {"password": ["Choose a password different from the current one."]},
            )
        _set(user, new_password)
        _audited("password_changed", user, user, f"{user.email}: by herself")
    return user
