"""Password strength by zxcvbn's estimate, the common-password list kept, and the owner's
own name and address refused (issue 13 §6). Each message says why and what would do."""

from __future__ import annotations

import pytest

from prb.services import passwords

EMAIL, NAME = "helene.cote@prb.example", "Hélène Côté-Martin"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "spaces or invisible characters"),
        ("\u200b" * 12, "spaces or invisible characters"),
        ("\u200b \u200b \u200b \u200b \u200b abc", "spaces or invisible characters"),
        ("a" * 12, "too easy to guess"),
        ("123456789012", "too easy to guess"),
        ("qwertyuiop12", "too"),
        ("password1234", "too common"),
        ("helene.cote@prb.example", "your name or e-mail address"),
        ("my name is helene.cote!", "your name or e-mail address"),
        ("Hélène CÔTÉ MARTIN forever", "your name or e-mail address"),
        ("helene cote is the best!", "your name or e-mail address"),
    ],
)
def test_weak_passwords_are_refused_saying_why_and_what_would_do(password: str, why: str) -> None:
    found = passwords.problems(password, email=EMAIL, name=NAME)
    assert len(found) == 1 and why in found[0], found
    if "at most" not in found[0]:
        assert "unrelated words" in found[0]  # what would do


@pytest.mark.parametrize(
    "password",
    [
        "plum orbit kettle wander",
        "correct horse battery staple",
        "Tr0ub4dor&3xx",
        "the administrator's own password",  # the words of a name alone are not refused
    ],
)
def test_strong_passwords_pass(password: str) -> None:
    assert passwords.problems(password, email=EMAIL, name=NAME) == []
