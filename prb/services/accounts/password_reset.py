"""A forgotten password: the person asks by e-mail address and gets a one-time link by
e-mail (30 minutes, single use, only its SHA-256 kept — the set-password links of
`password_links`). The answer is the same whether or not an account uses the address, and
requests are limited per address asked for and per network address, so the page can be used
neither to find out who has an account nor to flood someone's mailbox."""

from __future__ import annotations

import math
import time
from datetime import timedelta

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import SignInAttempt, User, utcnow
from prb.services.accounts.password_links import issue
from prb.services.mail import enqueue
from prb.services.throttle import account_key, serialise
from prb.services.transaction import committed

VALID_FOR = timedelta(minutes=30)
WINDOW = timedelta(hours=1)
PER_ACCOUNT = 3  # links asked for one e-mail address within the window
PER_ADDRESS = 10  # requests from one network address within the window
# Kept apart from sign-in attempts (same table, own keys): asking for a link is no failed
# sign-in, and a sign-in lock-out does not stop a reset.
_PREFIX = "reset:"
# The clock and the wait that even out the answer's time (the tests replace them).
_clock = time.monotonic
_sleep = time.sleep


def request_reset(email: str, address: str, *, link_base: str, answer_after: float) -> int:
    """Send a reset link to the account using `email`, if there is one. Returns 0 when the
    request was taken (whatever the address), else the seconds to wait before asking again.
    `link_base`: the set-password page's address without the token.

    A taken request returns `answer_after` seconds after it began, whatever the address:
    issuing the link and writing the message take milliseconds that an unknown address
    skips (measured: 3.4 against 1.5 ms on SQLite, 6.6 against 3.1 on PostgreSQL), and
    the page's time would otherwise tell who has an account. Only a request whose own work
    outlasts `answer_after` (a database stalled for that long) answers later."""
    began = _clock()
    wait = _ask(email, address, link_base)
    if not wait:
        _sleep(max(0.0, began + answer_after - _clock()))
    return wait


def _ask(email: str, address: str, link_base: str) -> int:
    email = email.strip().lower()
    account = account_key(_PREFIX + email)
    network = (_PREFIX + address)[:64]
    now = utcnow()
    since = now - WINDOW
    with committed():
        # Its own keys (the account hashed with the prefix, the prefixed address): reset
        # requests take turns with each other, never with sign-ins.
        serialise(account, network)
        for condition, cap in (
            (SignInAttempt.account == account, PER_ACCOUNT),
            (SignInAttempt.address == network, PER_ADDRESS),
        ):
            count, oldest = db.session.execute(
                select(func.count(SignInAttempt.id), func.min(SignInAttempt.at)).where(
                    condition, SignInAttempt.at >= since
                )
            ).one()
            if (count or 0) >= cap:
                ends = (oldest or now) + WINDOW
                return max(1, math.ceil((ends - now).total_seconds()))
        db.session.add(SignInAttempt(account=account, address=network, succeeded=False, at=now))
        user = db.session.scalars(
            select(User).where(func.lower(User.email) == email, User.active.is_(True))
        ).first()
        if user is not None:
            link = issue(user, actor=None, valid_for=VALID_FOR)
            enqueue(
                to=user,
                kind="password_reset",
                subject="PRB: set a new password",
                text=reset_text(user, link_base + link.token),
                secret=True,
                # A link that no longer works, delivered late, only sends her to ask again.
                send_before=link.expires_at,
            )
    return 0


def reset_text(user: User, link: str) -> str:
    return "\n".join(
        [
            f"Dear {user.name},",
            "",
            "Someone — probably you — asked to set a new password for your PRB account.",
            f"Open this link within {int(VALID_FOR.total_seconds() // 60)} minutes to choose "
            "one (it works once):",
            "",
            link,
            "",
            "If you did not ask, ignore this message: your password stays as it is.",
        ]
    )
