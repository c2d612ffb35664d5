"""Sign-in throttling, shared by every worker (it lives in the database).

Failures are counted per account-and-address pair, so a stranger guessing at an account uses
up only her own allowance, never the owner's. Looser caps per account (all addresses) and per
address (all accounts) stop a guesser spreading out; a browser the owner has signed in from
before (a signed device cookie) is exempt from those two, so a stranger cannot lock the owner
out. A refused attempt is answered at once with 429 and `Retry-After`: nothing sleeps in the
worker. The same counts, under their own key, guard the two-step code.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from prb.extensions import db
from prb.models import AuditRecord, SignInAttempt, utcnow
from prb.services import audit
from prb.services.transaction import committed

# The per-account and per-address caps, as multiples of the pair cap (SIGNIN_REFUSE_AFTER).
WIDER_CAP_FACTOR = 5
REFUSED_EVENT = "sign_in_throttled"
# Wrong two-step codes per account in a day, from browsers that never signed in to it. The
# window caps alone allow 50 guesses every 15 minutes, day after day: about one chance in
# three a month for someone who has the password. At 20 a day it is under 2 % a year.
SECOND_STEP_FAILURES_PER_DAY = 20
DAY = timedelta(days=1)


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def second_step_key(email: str) -> str:
    """The two-step code's own count: a correct password (which clears the password's count)
    must not clear the count of wrong codes."""
    return f"two-step:{email.strip().lower()}"


@dataclass(frozen=True)
class Verdict:
    attempt_id: int | None  # the attempt counted, to be settled by `settle`
    retry_after: int  # > 0: refused, and when to try again (seconds)
    reason: str = ""

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


@dataclass(frozen=True)
class Caps:
    window: timedelta
    pair: int
    account: int
    address: int


def caps() -> Caps:
    pair = int(current_app.config["SIGNIN_REFUSE_AFTER"])
    return Caps(
        window=timedelta(minutes=int(current_app.config["SIGNIN_WINDOW_MINUTES"])),
        pair=pair,
        account=pair * WIDER_CAP_FACTOR,
        address=pair * WIDER_CAP_FACTOR,
    )


def decide(
    counts: dict[str, tuple[int, datetime | None]], limits: Caps, now: datetime, trusted: bool
) -> tuple[int, str]:
    """(seconds to wait, which cap) given the failures in the window (this attempt included)
    and the oldest of them, per scope; (0, "") when the attempt may go ahead."""
    checked = ["pair"] if trusted else ["pair", "account", "address"]
    for scope in checked:
        failures, oldest = counts[scope]
        if failures > getattr(limits, scope):
            ends = (oldest or now) + limits.window
            return max(1, math.ceil((ends - now).total_seconds())), scope
    return 0, ""


def serialise(account: str, address: str) -> None:
    """Make concurrent attempts on one account or address take turns, so that the count each
    reads includes every attempt before it. SQLite already serialises writers (the INSERT
    that follows takes the database's write lock); PostgreSQL takes transaction-scoped
    advisory locks, always account before address so that two attempts cannot deadlock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in (f"sign-in:{account}", f"sign-in-address:{address}"):
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _failures(condition: ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        select(func.count(SignInAttempt.id), func.min(SignInAttempt.at)).where(
            condition, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since
        )
    ).one()
    return int(count or 0), oldest


def attempt(
    email: str, address: str, *, trusted: bool = False, per_day: int | None = None
) -> Verdict:
    """Count an attempt before the password (or code) is checked. The attempt is written as a
    failure first and the counts read after it, under the account's lock, so four attempts at
    once cannot all read the same count; `settle` turns it into a success. `per_day`: a cap
    on the account's failures in a day besides the window's (not for a trusted browser)."""
    account, address = account_key(email), address[:64]
    limits, now = caps(), utcnow()
    since = now - limits.window
    with committed():
        serialise(account, address)
        row = SignInAttempt(account=account, address=address, succeeded=False, at=now)
        db.session.add(row)
        db.session.flush()
        counts = {
            "pair": _failures(
                (SignInAttempt.account == account) & (SignInAttempt.address == address), since
            ),
            "account": _failures(SignInAttempt.account == account, since),
            "address": _failures(SignInAttempt.address == address, since),
        }
        retry_after, scope = decide(counts, limits, now, trusted)
        if not retry_after and per_day is not None and not trusted:
            failures, oldest = _failures(SignInAttempt.account == account, now - DAY)
            if failures > per_day:
                retry_after = max(1, math.ceil(((oldest or now) + DAY - now).total_seconds()))
                scope = "day"
        if retry_after:
            # A refused attempt is not counted (the caps bound guesses, and refusals are
            # not guesses); it is summarised in the audit, once per pair and window.
            db.session.delete(row)
            _summarise_refusal(email, address, scope, now, limits.window, retry_after)
            return Verdict(None, retry_after, scope)
        # Keep the table small: attempts older than a day no longer matter.
        db.session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - DAY))
        return Verdict(row.id, 0)


def _summarise_refusal(
    email: str, address: str, scope: str, now: datetime, window: timedelta, retry_after: int
) -> None:
    since, until = now - window, now + timedelta(seconds=retry_after)
    marker = f"[{account_key(email)[:16]}@{address}]"
    already = db.session.scalar(
        select(func.count(AuditRecord.id)).where(
            AuditRecord.event == REFUSED_EVENT,
            AuditRecord.at >= since,
            AuditRecord.comment.endswith(marker),
        )
    )
    if already:
        return
    summary = audit.record(
        REFUSED_EVENT,
        actor=None,
        comment=(
            f"Sign-ins for {email[:254]!r} from {address} refused until {until:%H:%M} UTC "
            f"(too many failures per {scope}); further refusals in this window are not "
            f"recorded one by one. {marker}"
        ),
    )
    summary.at = now  # on the throttle's clock, which the next refusal compares with


def forget_failures(email: str) -> None:
    """Clear the failures counted against an account (all addresses), in the caller's
    transaction: a new password ends what the old one let anyone try."""
    db.session.execute(
        delete(SignInAttempt).where(
            SignInAttempt.account == account_key(email), SignInAttempt.succeeded.is_(False)
        )
    )


def settle(email: str, address: str, verdict: Verdict, *, succeeded: bool) -> None:
    """After the check: a success clears the failures of its own (account, address) pair
    only; a failure stays counted as it was written."""
    if not succeeded or verdict.attempt_id is None:
        return
    account, address = account_key(email), address[:64]
    with committed():
        db.session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.account == account,
                SignInAttempt.address == address,
                SignInAttempt.succeeded.is_(False),
            )
        )
        db.session.add(SignInAttempt(account=account, address=address, succeeded=True, at=utcnow()))
