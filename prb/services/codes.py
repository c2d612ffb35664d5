"""Project codes in the seed document's style: programme code plus the next free letter."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count, product
from string import ascii_lowercase

from sqlalchemy import select

from prb.extensions import db
from prb.models import FundingProgramme, Proposal


def _suffixes() -> Iterator[str]:
    """a, b, … z, aa, ab, … — letters as in UNCCT-2017-73-a."""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)


def next_project_code(programme: FundingProgramme) -> str:
    """The programme's code with the first letter no project of it uses yet.

    The caller holds a lock on the programme row (see `lock_programme`), so two approvals at
    once cannot take the same letter; the unique constraint on the code is the safety net.
    """
    prefix = f"{programme.code}-"
    taken = set(
        db.session.scalars(
            select(Proposal.project_code).where(Proposal.project_code.startswith(prefix))
        )
    )
    for suffix in _suffixes():
        code = prefix + suffix
        if code not in taken:
            return code
    raise AssertionError("unreachable: the suffixes never run out")


def lock_programme(programme_id: int) -> FundingProgramme:
    stmt = (
        select(FundingProgramme)
        .where(FundingProgramme.id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).one()
