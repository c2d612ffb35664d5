"""Arbitrary input at the call, carry-over and proposal forms: never a 500, and a refused
request writes nothing (calls, proposals, audit)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Call, Proposal
from tests import factories
from tests.call_helpers import administrator, next_programme, outputs
from tests.conftest import sign_in
from tests.web.test_fuzz_input import SETTINGS, values
from workflows import ProposalState

FORMS = {
    "/calls/new": (
        "admin",
        ["programme_id", "title", "opens_at", "closes_at", "working_group_ids", "guidance"],
    ),
    "/calls/{call}/edit": (
        "admin",
        ["programme_id", "title", "opens_at", "closes_at", "working_group_ids", "guidance"],
    ),
    "/proposals/{submitted}/carry-over": ("secretariat", ["call_id", "programme_id", "reason"]),
    "/proposals/new": (
        "chair",
        ["programme_id", "call_id", "working_group_id", "title", "results_alignment", "save"],
    ),
}


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(t)) or 0
        for t in (Call, Proposal, AuditRecord)
    )


@SETTINGS
@given(data=st.data())
def test_call_forms_never_fail_and_refusals_write_nothing(app, world, data) -> None:  # type: ignore[no-untyped-def]
    if not hasattr(world, "_calls_fuzz"):
        outputs(world.programme, "Outcome 4, Output 4.2")
        next_programme()
        submitted = factories.proposal(world, status=ProposalState.SUBMITTED)
        world._calls_fuzz = (  # type: ignore[attr-defined]
            {
                "admin": administrator(world),
                "secretariat": world.secretariat,
                "chair": world.chair_a,
            },
            {"call": world.call.id, "submitted": submitted.id},
        )
    people, ids = world._calls_fuzz  # type: ignore[attr-defined]
    url_template = data.draw(st.sampled_from(sorted(FORMS)))
    role, fields = FORMS[url_template]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    form = {name: data.draw(values) for name in chosen}
    client = app.test_client()
    sign_in(client, people[role])
    before = counts()
    response = client.post(url_template.format(**ids), data=form)
    assert response.status_code < 500, (url_template, form, response.status_code)
    if response.status_code >= 400:
        db.session.expire_all()
        assert counts() == before, (url_template, form)
    db.session.rollback()
