"""Signing in and out, and the audit of sign-ins and refusals."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from prb.extensions import db
from prb.models import AuditRecord, User, utcnow
from prb.services import audit
from prb.services.mail.outbox import enqueue
from prb.services.transaction import committed

# Her second step refused for the day (`throttle.SECOND_STEP_FAILURES_PER_DAY`).
CODE_GUESSING_EVENT = "two_step_guessing"


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or "$" not in user.password_hash:
        # Spend the same time as a real check, so timing reveals neither unknown addresses
        # nor accounts whose owner has not yet set a password.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def pending_user(session_id: str) -> User | None:
    """Whose second step is awaited: `session_id` is the account's id and session version
    when her password was accepted (a sign-out or password change since voids it)."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user if user.totp_enabled_at is not None else None


def record_second_step_failed(user: User, address: str) -> None:
    audit.record("two_step_failed", actor=user, comment=f"from {address}")
    db.session.commit()


def warn_of_code_guessing(user: User, address: str) -> None:
    """Her second step was refused for the rest of the day: someone who has her password is
    guessing codes. She hears of it by e-mail, once a day; the audit keeps the day's."""
    with committed():
        already = db.session.scalar(
            select(func.count(AuditRecord.id)).where(
                AuditRecord.event == CODE_GUESSING_EVENT,
                AuditRecord.actor_id == user.id,
                AuditRecord.at >= utcnow() - timedelta(days=1),
            )
        )
        if already:
            return
        audit.record(CODE_GUESSING_EVENT, actor=user, comment=f"the latest from {address}")
        enqueue(
            to=user,
            kind="security_notice",
            subject="PRB: someone with your password is trying to sign in",
            text="\n".join(
                [
                    f"Dear {user.name},",
                    "",
                    "Your PRB password was typed correctly, and then too many wrong two-step "
                    f"codes, the latest from {address}. Two-step sign-in from a browser that "
                    "has not signed in to your account before is now refused for a day; your "
                    "own browsers still get in.",
                    "",
                    "If this was not you, someone knows your password: change it on your "
                    "account page (or ask for a link on the sign-in page). A new password "
                    "stops the refusals at once.",
                ]
            ),
        )


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
