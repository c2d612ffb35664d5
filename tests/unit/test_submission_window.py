"""A chair submits only while a call of the proposal's programme is open to her group; a
resubmission after a revision request is exempt. Refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Proposal, utcnow
from prb.services import lifecycle, proposals
from prb.services.errors import Conflict, Invalid
from tests import factories
from tests.call_helpers import DAY, call, next_programme, proposal_input
from workflows import ProposalState, ProposalTrigger

S, T = ProposalState, ProposalTrigger


def _submit_refused(world, proposal: Proposal, words: str) -> None:  # type: ignore[no-untyped-def]
    version = proposal.version
    with pytest.raises(Conflict) as refused:
        lifecycle.fire(world.chair_a, proposal.id, T.SUBMIT)
    assert words in refused.value.message
    db.session.expire_all()
    assert proposal.status == S.DRAFT
    assert proposal.submitted_at is None and proposal.version == version
    assert not db.session.scalar(
        select(func.count(AuditRecord.id)).where(AuditRecord.proposal_id == proposal.id)
    )


def test_inside_the_open_call_a_submission_is_accepted_and_records_its_call(world) -> None:
    draft = factories.proposal(world)
    assert draft.call_id is None  # a draft need not choose its call
    lifecycle.fire(world.chair_a, draft.id, T.SUBMIT)
    db.session.expire_all()
    assert draft.status == S.SUBMITTED and draft.call_id == world.call.id


def test_before_the_call_opens_the_submission_is_refused_naming_the_call(world) -> None:
    programme = next_programme()
    now = utcnow()
    call(programme, [world.group_a], opens=now + 3 * DAY, closes=now + 30 * DAY, title="Call 2019")
    draft = factories.proposal(world, programme=programme)
    _submit_refused(
        world,
        draft,
        f"No call is open for {world.group_a.name} in UNCCT-2019-02-79. The next call, "
        "“Call 2019”, is open from ",
    )


def test_after_the_call_closes_the_submission_is_refused_naming_the_call(world) -> None:
    programme = next_programme()
    now = utcnow()
    closed = call(programme, [world.group_a], opens=now - 30 * DAY, closes=now - DAY)
    draft = factories.proposal(world, programme=programme)
    _submit_refused(world, draft, "The last call, “Call 2019”, was open from ")
    # The same when the draft chose that call.
    draft.call_id = closed.id
    db.session.commit()
    _submit_refused(world, draft, "The call “Call 2019” was open from ")
    _submit_refused(world, draft, "it has closed")


def test_a_window_is_closed_from_its_closing_minute(world) -> None:
    programme = next_programme()
    now = utcnow()
    call(programme, [world.group_a], opens=now - DAY, closes=now)
    draft = factories.proposal(world, programme=programme)
    _submit_refused(world, draft, "was open from")


def test_without_any_call_the_message_says_so(world) -> None:
    draft = factories.proposal(world, programme=next_programme())
    _submit_refused(world, draft, f"No call is open for {world.group_a.name} in UNCCT-2019-02-79.")


def test_a_group_the_call_does_not_name_cannot_submit_in_it(world) -> None:
    programme = next_programme()
    only_b = call(programme, [world.group_b])
    draft = factories.proposal(world, programme=programme)
    _submit_refused(world, draft, f"No call is open for {world.group_a.name} in UNCCT-2019-02-79")
    draft.call_id = only_b.id
    db.session.commit()
    _submit_refused(world, draft, f"The call “Call 2019” is not open to {world.group_a.name}.")
    # Group B's chair, whom the call names, submits.
    other = factories.proposal(
        world, programme=programme, group=world.group_b, created_by=world.chair_b
    )
    lifecycle.fire(world.chair_b, other.id, T.SUBMIT)
    assert other.status == S.SUBMITTED and other.call_id == only_b.id


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("closed", "The programme UNCCT-2017-73 is closed for proposals."),
        ("retired", "The programme UNCCT-2017-73 is retired"),
    ],
)
def test_a_programme_closed_for_proposals_takes_none_even_in_an_open_call(
    world, change: str, words: str
) -> None:
    draft = factories.proposal(world)
    if change == "closed":
        world.programme.open_for_proposals = False
    else:
        world.programme.retired_at = utcnow()
    db.session.commit()
    _submit_refused(world, draft, words)


def test_a_draft_written_for_a_call_not_yet_open_points_to_the_open_one(world) -> None:
    now = utcnow()
    later = call(
        world.programme, [world.group_a], opens=now + 50_000 * DAY, closes=now + 50_010 * DAY
    )
    draft = factories.proposal(world, call_id=later.id)
    _submit_refused(
        world, draft, "it has not opened yet. The call “Open call (test world)” is open"
    )


def test_resubmission_after_a_revision_request_is_exempt_from_the_window(world) -> None:
    """The same proposal, the same closed window: SUBMIT is refused, RESUBMIT accepted."""
    programme = next_programme()
    now = utcnow()
    closed = call(programme, [world.group_a], opens=now - 30 * DAY, closes=now - DAY)
    revising = factories.proposal(
        world, programme=programme, status=S.REVISION_REQUESTED, call_id=closed.id
    )
    lifecycle.fire(world.chair_a, revising.id, T.RESUBMIT)
    db.session.expire_all()
    assert revising.status == S.SUBMITTED and revising.call_id == closed.id
    # Also through the edit form's "save and submit", with the programme closed meanwhile.
    programme.open_for_proposals = False
    revised_again = factories.proposal(
        world, programme=programme, status=S.REVISION_REQUESTED, call_id=closed.id
    )
    proposals.update_proposal(
        world.chair_a,
        revised_again.id,
        proposal_input(revised_again, title="Revised as the Board asked"),
        seen_version=revised_again.version,
        submit=True,
    )
    db.session.expire_all()
    assert revised_again.status == S.SUBMITTED
    assert revised_again.title == "Revised as the Board asked"
    draft = factories.proposal(world, programme=programme, call_id=closed.id)
    _submit_refused(world, draft, "closed for proposals")


def test_a_refused_save_and_submit_saves_nothing(world) -> None:
    programme = next_programme()
    data = proposal_input(factories.proposal(world), programme_id=programme.id, title="New one")
    before = db.session.scalar(select(func.count(Proposal.id)))
    with pytest.raises(Conflict, match=r"No call is open.*The proposal was not saved"):
        proposals.create_proposal(world.chair_a, data, submit=True)
    assert db.session.scalar(select(func.count(Proposal.id))) == before

    draft = factories.proposal(world, programme=programme, title="Old title")
    with pytest.raises(Conflict, match="Your changes were not saved"):
        proposals.update_proposal(
            world.chair_a,
            draft.id,
            proposal_input(draft, title="New title"),
            seen_version=draft.version,
            submit=True,
        )
    db.session.expire_all()
    assert (draft.status, draft.title) == (S.DRAFT, "Old title")
    # Saving it as a draft is always possible.
    proposals.update_proposal(
        world.chair_a,
        draft.id,
        proposal_input(draft, title="New title"),
        seen_version=draft.version,
    )
    assert draft.title == "New title" and draft.status == S.DRAFT


def test_the_buttons_follow_the_rule(world) -> None:
    programme = next_programme()
    draft = factories.proposal(world, programme=programme)
    actions = lifecycle.available_actions(world.chair_a, draft)
    assert T.SUBMIT not in [t.trigger for t in actions]
    ((blocked, why),) = lifecycle.blocked_actions(world.chair_a, draft)
    assert blocked.trigger == T.SUBMIT and "No call is open" in why
    call(programme, [world.group_a])
    assert T.SUBMIT in [t.trigger for t in lifecycle.available_actions(world.chair_a, draft)]


def test_a_draft_saved_for_a_call_must_match_its_programme_and_group(world) -> None:
    programme = next_programme()
    only_b = call(programme, [world.group_b], title="Legal only")
    base = factories.proposal(world)
    with pytest.raises(Invalid) as refused:
        proposals.create_proposal(world.chair_a, proposal_input(base, call_id=only_b.id))
    assert "is for UNCCT-2019-02-79" in refused.value.fields["call_id"][0]
    with pytest.raises(Invalid) as refused:
        proposals.create_proposal(
            world.chair_a, proposal_input(base, programme_id=programme.id, call_id=only_b.id)
        )
    assert "not open to the working group chosen" in refused.value.fields["call_id"][0]
    for_a = call(programme, [world.group_a], title="Border too")
    saved = proposals.create_proposal(
        world.chair_a,
        proposal_input(
            base, programme_id=programme.id, call_id=for_a.id, requested_budget=Decimal(1)
        ),
    )
    assert saved.call_id == for_a.id


def test_a_proposal_the_board_has_seen_keeps_its_programme_and_call(world) -> None:
    revising = factories.proposal(world, status=S.REVISION_REQUESTED, call_id=world.call.id)
    with pytest.raises(Invalid) as refused:
        proposals.update_proposal(
            world.chair_a,
            revising.id,
            proposal_input(revising, programme_id=next_programme().id),
            seen_version=revising.version,
        )
    assert "only the secretariat can carry it over" in refused.value.fields["programme_id"][0]
    proposals.update_proposal(
        world.chair_a, revising.id, proposal_input(revising, call_id=None), seen_version=None
    )
    db.session.expire_all()
    assert revising.call_id == world.call.id
