"""A programme's results framework as a pick list for proposals ("Outcome 4, Output 4.2")."""

from __future__ import annotations

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import FundingProgramme, ResultsOutput, User
from prb.services.access import require_administrator
from prb.services.errors import Invalid, NotFound
from prb.services.once import spend
from prb.services.reference.common import (
    flush_unique,
    record,
    set_retired_row,
    snapshot,
    text_problem,
)
from prb.services.transaction import committed, locked

AUDITED = ("programme_id", "label", "retired_at")
LABEL_LIMIT = ResultsOutput.__table__.c.label.type.length


def outputs_for(programme_id: int) -> list[ResultsOutput]:
    """The outputs a new proposal of the programme may be aligned to (retired ones not)."""
    return list(
        db.session.scalars(
            select(ResultsOutput)
            .where(ResultsOutput.programme_id == programme_id, ResultsOutput.retired_at.is_(None))
            .order_by(ResultsOutput.label)
        )
    )


def all_outputs(programme_id: int) -> list[ResultsOutput]:
    return list(
        db.session.scalars(
            select(ResultsOutput)
            .where(ResultsOutput.programme_id == programme_id)
            .order_by(ResultsOutput.retired_at.is_not(None), ResultsOutput.label)
        )
    )


def add_output(
    actor: User, programme_id: int, label: str, *, once: str | None = None
) -> ResultsOutput:
    require_administrator(actor, action="change a programme's results framework")
    label = " ".join(label.split())
    with committed():
        spend(once, actor, "add results output")
        programme = locked(FundingProgramme, programme_id, "funding programme")
        problem = text_problem(label, "outcome and output", LABEL_LIMIT)
        if problem is None:
            clash = db.session.scalar(
                select(ResultsOutput).where(
                    ResultsOutput.programme_id == programme.id,
                    func.lower(ResultsOutput.label) == label.lower(),
                )
            )
            if clash is not None:
                problem = f"{programme.code} already has “{clash.label}”" + (
                    " (retired: reinstate it instead)." if clash.retired_at else "."
                )
        if problem:
            raise Invalid("The output was not added.", {"label": [problem]})
        output = ResultsOutput(programme_id=programme.id, label=label)
        db.session.add(output)
        flush_unique("label", f"{programme.code} already has “{label}”.")
        record("output_added", actor, "results_output", output.id, None, _audited(output))
    return output


def _audited(output: ResultsOutput) -> dict[str, object]:
    return snapshot(output, AUDITED)


def set_retired(actor: User, output_id: int, retired: bool) -> ResultsOutput:
    return set_retired_row(
        actor,
        ResultsOutput,
        output_id,
        retired,
        what="results output",
        action="change a programme's results framework",
        event="output",
        subject="results_output",
        audited=AUDITED,
        name=lambda output: f"“{output.label}”",
    )


def programme_id_of(output_id: int) -> int:
    programme_id = db.session.scalar(
        select(ResultsOutput.programme_id).where(ResultsOutput.id == output_id)
    )
    if programme_id is None:
        raise NotFound(f"There is no results output number {output_id}.")
    return programme_id
