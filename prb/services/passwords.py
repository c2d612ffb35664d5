"""Password rules (OWASP ASVS 5.0, chapter 6): length, not a common password, not the
account's own name or address, and strong enough by zxcvbn's estimate of the guesses it
would take (which sees repeats, sequences, keyboard patterns and dictionary words that hand
rules miss). No composition rules."""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_LENGTH, MAX_LENGTH = 12, 128
# zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" for an online attack
# that is throttled, and a hashed store).
MIN_SCORE = 3
# zxcvbn's cost grows with the length; the first characters decide whether it is weak.
ESTIMATE_CHARS = 64
# A name or an e-mail local part this short is too common to refuse inside a password.
OWN_PART_MIN = 3
COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
WHAT_WOULD_DO = (
    "Four or five unrelated words, with spaces between, are strong and easy to remember."
)


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _visible(text: str) -> str:
    """The password without spaces and invisible characters (format, control, separators)."""
    return "".join(c for c in text if unicodedata.category(c)[0] not in "CZ")


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _own(email: str, name: str) -> set[str]:
    """The account's name and address (and its local part), letters and digits only: a
    password containing any of them, however spaced or punctuated, is refused."""
    local = email.split("@")[0]
    return {p for p in map(_letters, (email, local, name)) if len(p) >= OWN_PART_MIN}


def _words(email: str, name: str) -> list[str]:
    """The words of the name and address, which zxcvbn counts as easy to guess."""
    return sorted({w for w in re.split(r"[^\w]+", f"{email} {name}".lower()) if w})


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. {WHAT_WOULD_DO}"]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    visible = _visible(password).lower()
    if len(visible) < MIN_LENGTH // 2:
        return [f"This password is mostly spaces or invisible characters. {WHAT_WOULD_DO}"]
    lowered = password.lower()
    if lowered in _common() or lowered.strip("0123456789!.") in _common():
        return [
            "This password is too common; choose one that others are unlikely to use. "
            + WHAT_WOULD_DO
        ]
    if any(own in _letters(password) for own in _own(email, name)):
        return [f"Do not use your name or e-mail address in the password. {WHAT_WOULD_DO}"]
    estimate = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=_words(email, name))
    if estimate["score"] < MIN_SCORE:
        feedback = estimate["feedback"]
        why = feedback.get("warning") or "It would be guessed too quickly."
        hints = " ".join(feedback.get("suggestions") or [])
        return [f"This password is too easy to guess: {why} {hints} {WHAT_WOULD_DO}".strip()]
    return []
