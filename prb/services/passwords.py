"""Password rules (OWASP ASVS 5.0, chapter 6): length, not a common password, not the
account's own name or address. No composition rules."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH, MAX_LENGTH = 12, 128
COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    lowered = password.lower()
    if lowered in _common() or lowered.strip("0123456789!.") in _common():
        return ["This password is too common; choose one that others are unlikely to use."]
    own = {email.lower(), email.split("@")[0].lower(), name.lower().replace(" ", "")}
    if lowered.replace(" ", "") in own - {""}:
        return ["Do not use your name or e-mail address as the password."]
    return []
