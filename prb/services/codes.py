"""Project codes in the seed document's styles: the programme's code plus a letter —
lower case as UNCCT-2017-73-a, upper case as UNCCT-2019-02-79-D — or a code the
secretariat types at approval."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import count, product
from string import ascii_lowercase, ascii_uppercase

from sqlalchemy import func, literal, select

from prb.extensions import db
from prb.models import CodeStyle, FundingProgramme, Proposal
from prb.services.errors import Invalid

TYPED_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,38}[A-Za-z0-9]$")


def _suffixes(alphabet: str, first: str) -> Iterator[str]:
    """first, the letters after it, then two letters: a … z, aa, ab … (or A … Z, AA …)."""
    started = False
    for length in count(1):
        for letters in product(alphabet, repeat=length):
            suffix = "".join(letters)
            started = started or suffix == first
            if started:
                yield suffix


def first_letter_problem(style: str, first: str) -> str | None:
    """Why `first` cannot start the codes of a programme of this style (None: it can)."""
    if style == CodeStyle.TYPED:
        return None
    alphabet = ascii_uppercase if style == CodeStyle.UPPER else ascii_lowercase
    if not first or any(c not in alphabet for c in first) or len(first) > 2:
        case = "an upper-case" if style == CodeStyle.UPPER else "a lower-case"
        return f"Give {case} letter (or two), for example {alphabet[0]}."
    return None


def next_project_code(programme: FundingProgramme) -> str:
    """The programme's code with the first letter (from its first letter on) that no project
    of it uses yet.

    The caller holds a lock on the programme row (see `lock_programme`), so two approvals at
    once cannot take the same letter; the unique constraint on the code is the safety net.
    """
    if programme.code_style == CodeStyle.TYPED:
        raise Invalid(
            f"Projects of {programme.code} take a code typed at approval: give the project code.",
            {"project_code": ["Type the project code."]},
        )
    alphabet = ascii_uppercase if programme.code_style == CodeStyle.UPPER else ascii_lowercase
    first = programme.code_first_letter or alphabet[0]
    if first_letter_problem(programme.code_style, first):
        first = alphabet[0]
    prefix = f"{programme.code}-"
    taken = set(
        db.session.scalars(
            select(Proposal.project_code).where(Proposal.project_code.startswith(prefix))
        )
    )
    for suffix in _suffixes(alphabet, first):
        code = prefix + suffix
        if code not in taken:
            return code
    raise AssertionError("unreachable: the suffixes never run out")


def check_typed_code(code: str) -> str:
    """A project code typed by the secretariat: its shape, and that no project has it."""
    code = code.strip()
    if not TYPED_CODE.match(code):
        raise Invalid(
            "Check the project code.",
            {"project_code": ["Use letters, digits and hyphens, e.g. UNCCT-2019-02-79-D."]},
        )
    taken = db.session.scalar(
        select(Proposal.project_code).where(func.lower(Proposal.project_code) == code.lower())
    )
    if taken is not None:
        # Whatever its case: UNCCT-2019-02-79-d and -D would read as one project.
        raise Invalid(
            f"{code} is already a project's code.",
            {"project_code": [f"{taken} is already taken."]},
        )
    return code


def code_in_pattern(programme: FundingProgramme, code: str) -> str:
    """A code typed at approval: free in a typed-code programme; in a pattern programme,
    the programme's code, a hyphen and one or two letters of its case."""
    code = check_typed_code(code)
    if programme.code_style == CodeStyle.TYPED:
        _refuse_if_another_programmes(programme, code)
        return code
    letters = "[A-Z]" if programme.code_style == CodeStyle.UPPER else "[a-z]"
    if not re.fullmatch(re.escape(programme.code) + "-" + letters + "{1,2}", code):
        example = programme.code + ("-A" if programme.code_style == CodeStyle.UPPER else "-a")
        raise Invalid(
            f"{code} does not follow the pattern of {programme.code}.",
            {
                "project_code": [
                    f"Codes of {programme.code} follow its pattern (e.g. {example}): type one "
                    "like it, or leave the code empty for the next letter."
                ]
            },
        )
    return code


def _refuse_if_another_programmes(programme: FundingProgramme, code: str) -> None:
    """A code that reads as another programme's (its code and a hyphen, the longest such
    code deciding) is refused: the project would be listed under that programme's code, and
    take a letter of its sequence. Found exploring: UNCCT-2025-01-e typed for a project of
    UNCCT-2025-02."""
    owner = db.session.scalar(
        select(FundingProgramme)
        .where(
            func.lower(FundingProgramme.code + "-")
            == func.substr(literal(code.lower()), 1, func.length(FundingProgramme.code) + 1)
        )
        .order_by(func.length(FundingProgramme.code).desc())
        .limit(1)
    )
    if owner is not None and owner.id != programme.id:
        raise Invalid(
            f"{code} reads as a code of {owner.code}, another programme.",
            {
                "project_code": [
                    f"Give a code that does not begin with {owner.code}-: this project is "
                    f"of {programme.code}."
                ]
            },
        )


def lock_programme(programme_id: int) -> FundingProgramme:
    stmt = (
        select(FundingProgramme)
        .where(FundingProgramme.id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).one()
