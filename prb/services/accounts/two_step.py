"""Two-step sign-in: after the password, a code from an authenticator app (TOTP, RFC 6238)
or one of ten single-use recovery codes. Required for the roles an office names
(`PRB_TWO_STEP_ROLES`), optional for everyone else."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

import pyotp
from sqlalchemy import delete, select, update

from prb.extensions import db
from prb.models import RecoveryCode, User, utcnow
from prb.services import audit
from prb.services.access import require_administrator
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.transaction import committed
from workflows import Role

ISSUER = "PRB"
RECOVERY_CODES = 10
# A code is accepted one 30-second step early or late, for clocks that drift a little.
DRIFT_STEPS = 1
_SECRET = re.compile(r"^[A-Z2-7]{32}$")
# ASCII digits only: `\d` also matches other scripts' digits, which the comparison refuses.
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


def required_for(user: User, roles: Collection[Role]) -> bool:
    """Whether this person must sign in with two steps (she holds one of `roles`)."""
    return bool(roles) and user.has_role(*roles)


def enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """What the QR code holds: an authenticator app reads the account and the secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step whose code this is (within the drift allowed), if later than `after`."""
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalise(code: str) -> str:
    """Without spaces and hyphens, in lower case, and with any script's digits as ASCII
    digits: an Arabic-Indic or full-width 123456 typed on a phone is 123456."""
    code = re.sub(r"[\s-]", "", code).lower()
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in code)


def _recovery_hash(code: str) -> str:
    # Recovery codes are random (40 bits) and sign-in is throttled: a fast hash suffices.
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes


def _audit(event: str, actor: User | None, user: User, before: bool, after: bool) -> None:
    role = str(Role.ADMINISTRATOR) if actor is not None and actor.id != user.id else None
    audit.record_change(
        event,
        actor=actor,
        role=role,
        subject="user",
        subject_id=user.id,
        before={"email": user.email, "two_step": before},
        after={"email": user.email, "two_step": after},
    )


def _own_account(actor: User) -> User:
    user = db.session.scalars(
        select(User)
        .where(User.id == actor.id)
        .with_for_update(of=User)
        .execution_options(populate_existing=True)
    ).one()
    return user


def enable_two_step(actor: User, secret: str, code: str) -> list[str]:
    """Turn two-step sign-in on once the person has shown a first code from her app; returns
    her recovery codes, which are shown once and stored hashed."""
    if not _SECRET.match(secret or ""):
        raise Invalid("Start the set-up again: the page had expired.")
    with committed():
        user = _own_account(actor)
        if enrolled(user):
            raise Conflict("Two-step sign-in is already on for your account.")
        step = _matching_step(secret, _normalise(code), after=None)
        if step is None:
            raise Invalid(
                "Two-step sign-in was not turned on.",
                {
                    "code": [
                        "This code does not match. Type the 6 digits your app shows now "
                        "(check that your phone's clock is right)."
                    ]
                },
            )
        user.totp_secret = secret
        user.totp_enabled_at = utcnow()
        user.totp_last_step = step  # the code just shown cannot also sign in
        codes = _new_recovery_codes(user)
        _audit("two_step_enabled", user, user, False, True)
    return codes


@dataclass(frozen=True)
class SecondStep:
    accepted: bool
    recovery_code_used: bool = False
    recovery_codes_left: int = 0


def verify_second_step(user_id: int, code: str) -> SecondStep:
    """Check the second step of `user_id`'s sign-in. A TOTP code counts once (a later code
    is needed next time); a recovery code is spent. The caller throttles attempts."""
    typed = _normalise(code)
    with committed():
        user = db.session.scalars(
            select(User)
            .where(User.id == user_id)
            .with_for_update(of=User)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if user is None or not user.active or not enrolled(user) or not user.totp_secret:
            return SecondStep(accepted=False)
        if _TOTP_CODE.match(typed):
            step = _matching_step(user.totp_secret, typed, after=user.totp_last_step)
            if step is None:
                return SecondStep(accepted=False)
            user.totp_last_step = step
            return SecondStep(accepted=True)
        spent = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _recovery_hash(typed),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            return SecondStep(accepted=False)
        left = len(
            db.session.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
                )
            ).all()
        )
        entry = audit.record(
            "recovery_code_used", actor=user, comment=f"{left} recovery code(s) left"
        )
        entry.subject, entry.subject_id = "user", user.id
    return SecondStep(accepted=True, recovery_code_used=True, recovery_codes_left=left)


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def require_enrolled(user: User) -> None:
    """409 for a change to someone's own two-step sign-in once it is off (a page from before
    she turned it off): there is nothing to renew or turn off."""
    if not enrolled(user):
        raise Conflict("Two-step sign-in is off for your account: nothing was changed.")


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise Invalid("Nothing was changed.", {"password": ["This is not your current password."]})


def disable_own_two_step(actor: User, password: str, *, required_roles: Collection[Role]) -> None:
    """Someone for whom two-step sign-in is optional turns it off (password required)."""
    with committed():
        user = _own_account(actor)
        if required_for(user, required_roles):
            raise NotAllowed("Two-step sign-in is required for your role; it cannot be turned off.")
        require_enrolled(user)
        _check_password(user, password)
        _clear(user)
        _audit("two_step_disabled", user, user, True, False)


def renew_recovery_codes(actor: User, password: str) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working); password required."""
    with committed():
        user = _own_account(actor)
        require_enrolled(user)
        _check_password(user, password)
        codes = _new_recovery_codes(user)
        entry = audit.record("recovery_codes_renewed", actor=user)
        entry.subject, entry.subject_id = "user", user.id
    return codes


def reset_two_step(actor: User | None, user_id: int) -> User:
    """An administrator turns off someone's two-step sign-in (a lost phone); she enrols
    again at her next sign-in if her role requires it. `actor` None: the command line."""
    require_administrator(actor, action="reset two-step sign-in")
    if actor is not None and actor.id == user_id:
        raise NotAllowed("You cannot reset your own two-step sign-in: ask another administrator.")
    with committed():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound(f"There is no user number {user_id}.")
        if not enrolled(user):
            raise Conflict(f"{user.name} has no two-step sign-in to reset.")
        _clear(user)
        user.session_version += 1  # whoever held her second step is signed out
        _audit("two_step_reset", actor, user, True, False)
    return user
