"""Sign-in throttling per account and per address, shared by every worker (it lives in the
database). After a few failures sign-in is slowed, after more it is refused with 429 — the
same whether or not the account exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from prb.extensions import db
from prb.models import SignInAttempt, utcnow


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    delay: float  # seconds to wait before answering
    retry_after: int  # > 0: refuse, and say when to try again

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


def _failures(column, value: str, since):  # type: ignore[no-untyped-def]
    last_success = (
        select(func.max(SignInAttempt.at))
        .where(column == value, SignInAttempt.succeeded.is_(True))
        .scalar_subquery()
    )
    return (
        db.session.scalar(
            select(func.count(SignInAttempt.id)).where(
                column == value,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at >= since,
                SignInAttempt.at > func.coalesce(last_success, since),
            )
        )
        or 0
    )


def verdict(email: str, address: str) -> Verdict:
    config = current_app.config
    window = timedelta(minutes=int(config["SIGNIN_WINDOW_MINUTES"]))
    since = utcnow() - window
    failures = max(
        _failures(SignInAttempt.account, account_key(email), since),
        # an address is allowed more, as several people may share it
        _failures(SignInAttempt.address, address, since) // 3,
    )
    if failures >= int(config["SIGNIN_REFUSE_AFTER"]):
        return Verdict(0.0, int(window.total_seconds()))
    slow_after = int(config["SIGNIN_SLOW_AFTER"])
    if failures >= slow_after:
        return Verdict(min(0.5 * 2 ** (failures - slow_after), 4.0), 0)
    return Verdict(0.0, 0)


def record(email: str, address: str, *, succeeded: bool) -> None:
    db.session.add(
        SignInAttempt(account=account_key(email), address=address[:64], succeeded=succeeded)
    )
    # Keep the table small: attempts older than a day no longer matter.
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.at < utcnow() - timedelta(days=1)))
    db.session.commit()
