"""Funding programmes: code, title, years, the pattern of their projects' codes, whether they
take proposals. The envelope has its own history (`envelopes`), the results framework its
pick list (`outputs`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import CENT, CodeStyle, EnvelopeChange, FundingProgramme, Proposal, User
from prb.services.access import require_administrator
from prb.services.codes import first_letter_problem
from prb.services.errors import Invalid
from prb.services.once import spend
from prb.services.reference.common import (
    changed,
    flush_unique,
    found,
    offered_rows,
    record,
    require_reader,
    set_retired_row,
    snapshot,
    text_problem,
)
from prb.services.reference.envelopes import amount_problem
from prb.services.transaction import committed, locked

AUDITED = (
    "code",
    "title",
    "start_year",
    "end_year",
    "envelope",
    "code_style",
    "code_first_letter",
    "open_for_proposals",
    "note",
    "retired_at",
    "progress_report_months",
    "final_report_months",
)
# The reporting schedule's bounds: a progress report at least once every two years, the
# final report at most a year after the end (0: due on the end date).
PROGRESS_MONTHS = (1, 24)
FINAL_MONTHS = (0, 12)
# A project's code is the programme's plus "-" and up to two letters, within the 40
# characters of a project code.
CODE_LIMIT = Proposal.__table__.c.project_code.type.length - 4
CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
TITLE_LIMIT = FundingProgramme.__table__.c.title.type.length
NOTE_LIMIT = 2000
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass
class ProgrammeInput:
    code: str
    title: str
    start_year: int | None
    end_year: int | None
    code_style: str = CodeStyle.LOWER
    code_first_letter: str = ""
    open_for_proposals: bool = True
    note: str = ""
    # The envelope at creation (its first dated row); changed later only by a dated change.
    envelope: Decimal | None = None
    # The reporting schedule of its projects (prb.services.progress_reports.schedule).
    progress_report_months: int | None = 6
    final_report_months: int | None = 3

    def __post_init__(self) -> None:
        self.code = self.code.strip()
        self.title = " ".join(self.title.split())
        self.code_first_letter = self.code_first_letter.strip()
        self.note = self.note.strip()


def list_programmes(actor: User) -> list[FundingProgramme]:
    require_reader(actor, "see the funding programmes")
    return list(
        db.session.scalars(
            select(FundingProgramme).order_by(
                FundingProgramme.start_year.desc(), FundingProgramme.code
            )
        )
    )


def get_programme(actor: User, programme_id: int) -> FundingProgramme:
    require_reader(actor, "see the funding programmes")
    return found(FundingProgramme, programme_id, "funding programme")


def offered_programmes(keep_ids: Collection[int] = ()) -> list[FundingProgramme]:
    """Programmes a new proposal may name (in use and open for proposals), plus any the
    record being edited already names."""
    in_use = FundingProgramme.retired_at.is_(None) & FundingProgramme.open_for_proposals
    return offered_rows(FundingProgramme, in_use, keep_ids, FundingProgramme.code)


def _validate(data: ProgrammeInput, programme: FundingProgramme | None) -> str:
    """Messages per field, or the first letter to store."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    problem = text_problem(data.code, "code", CODE_LIMIT)
    if problem is None and not CODE.match(data.code):
        problem = "Use letters, digits and hyphens, for example UNCCT-2019-02-79."
    if problem:
        add("code", problem)
    else:
        clash = db.session.scalar(
            select(FundingProgramme.id).where(
                func.lower(FundingProgramme.code) == data.code.lower()
            )
        )
        if clash is not None and (programme is None or clash != programme.id):
            add("code", f"{data.code} is already a programme's code.")
        if programme is not None and data.code != programme.code and _has_project_codes(programme):
            add(
                "code",
                f"Projects already carry codes made from {programme.code}: "
                "the programme's code can no longer change.",
            )
    problem = text_problem(data.title, "title", TITLE_LIMIT)
    if problem:
        add("title", problem)
    for name, year, label in (
        ("start_year", data.start_year, "first"),
        ("end_year", data.end_year, "last"),
    ):
        if year is None:
            add(name, f"Give the programme's {label} year.")
        elif not FIRST_YEAR <= year <= LAST_YEAR:
            add(name, f"Give a year between {FIRST_YEAR} and {LAST_YEAR}.")
    if data.start_year and data.end_year and data.end_year < data.start_year:
        add("end_year", "The last year cannot come before the first.")
    first = data.code_first_letter
    if data.code_style not in set(CodeStyle):
        add("code_style", "Choose how the projects' codes end.")
    elif data.code_style == CodeStyle.TYPED:
        first = ""
    else:
        alphabet_start = "A" if data.code_style == CodeStyle.UPPER else "a"
        first = first or alphabet_start
        problem = first_letter_problem(data.code_style, first)
        if problem:
            add("code_first_letter", problem)
    for name, (low, high), what in (
        ("progress_report_months", PROGRESS_MONTHS, "A progress report is due every"),
        ("final_report_months", FINAL_MONTHS, "The final report is due"),
    ):
        months = getattr(data, name)
        if months is None or not low <= months <= high:
            add(name, f"{what} {low} to {high} months.")
    if len(data.note) > NOTE_LIMIT:
        add("note", f"Keep the note under {NOTE_LIMIT} characters (it has {len(data.note)}).")
    if programme is None:
        problem = amount_problem(data.envelope)
        if problem:
            add("envelope", problem)
    if errors:
        raise Invalid(
            "The programme was not saved: please correct the fields marked below.", errors
        )
    return first


def _has_project_codes(programme: FundingProgramme) -> bool:
    return (
        db.session.scalar(
            select(Proposal.id)
            .where(Proposal.programme_id == programme.id, Proposal.project_code.is_not(None))
            .limit(1)
        )
        is not None
    )


def _apply(programme: FundingProgramme, data: ProgrammeInput, first: str) -> None:
    programme.code = data.code
    programme.title = data.title
    assert data.start_year is not None and data.end_year is not None
    programme.start_year, programme.end_year = data.start_year, data.end_year
    programme.code_style = data.code_style
    programme.code_first_letter = first
    programme.open_for_proposals = data.open_for_proposals
    programme.note = data.note or None
    assert data.progress_report_months is not None and data.final_report_months is not None
    programme.progress_report_months = data.progress_report_months
    programme.final_report_months = data.final_report_months


def create_programme(
    actor: User | None, data: ProgrammeInput, *, once: str | None = None
) -> FundingProgramme:
    """The programme and its first envelope row, effective 1 January of its first year."""
    require_administrator(actor, action="add funding programmes")
    with committed():
        if actor is not None:  # the command line has no form to replay
            spend(once, actor, "create programme")
        first = _validate(data, None)
        assert data.envelope is not None and data.start_year is not None
        envelope = data.envelope.quantize(CENT)
        programme = FundingProgramme(envelope=envelope)
        _apply(programme, data, first)
        db.session.add(programme)
        flush_unique("code", f"{data.code} is already a programme's code.")
        db.session.add(
            EnvelopeChange(
                programme_id=programme.id,
                effective_on=date(data.start_year, 1, 1),
                amount=envelope,
                reason="Envelope when the programme was set up in PRB.",
                recorded_by_id=actor.id if actor else None,
            )
        )
        record("programme_created", actor, "programme", programme.id, None, _audited(programme))
    return programme


def _audited(programme: FundingProgramme) -> dict[str, object]:
    return snapshot(programme, AUDITED)


def update_programme(actor: User, programme_id: int, data: ProgrammeInput) -> FundingProgramme:
    """Everything but the envelope, which changes only by a dated row with its reason."""
    require_administrator(actor, action="edit funding programmes")
    with committed():
        programme = locked(FundingProgramme, programme_id, "funding programme")
        first = _validate(data, programme)
        before = _audited(programme)
        _apply(programme, data, first)
        flush_unique("code", f"{data.code} is already a programme's code.")
        after = _audited(programme)
        if changed(before, after):
            record("programme_edited", actor, "programme", programme.id, before, after)
    return programme


def set_retired(actor: User, programme_id: int, retired: bool) -> FundingProgramme:
    """Retire a programme (no longer offered for new proposals; its projects go on) or
    reinstate it."""
    return set_retired_row(
        actor,
        FundingProgramme,
        programme_id,
        retired,
        what="funding programme",
        action="retire or reinstate funding programmes",
        event="programme",
        subject="programme",
        audited=AUDITED,
        name=lambda programme: programme.code,
    )
