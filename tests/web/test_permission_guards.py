"""Permission refusals are 403, state conflicts 409 (issue 13 §7).

The users who matter here hold two roles: a chair of group B who is also a board member or
a finance officer sees group A's records (her second role opens the portfolio), so the only
thing stopping her from acting on them is the "chairs this working group" guard. That guard
is about who she is: its refusal is 403, whatever state the record is in, and nothing
changes.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, ExtensionRequest
from prb.services import board, extensions
from prb.services.errors import Conflict, NotAllowed
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from workflows import ExtensionState, ProposalState

S = ProposalState
TWO_ROLE_USERS = ("chair_b_board", "chair_b_finance")


@pytest.mark.parametrize("who", TWO_ROLE_USERS)
@pytest.mark.parametrize(
    ("status", "trigger"),
    [
        (S.SUBMITTED, "withdraw"),
        (S.UNDER_REVIEW, "withdraw"),
        (S.REVISION_REQUESTED, "withdraw"),
        (S.REVISION_REQUESTED, "resubmit"),
        # Not possible in this state for anyone, but "not yours" comes first: a stranger is
        # told she may not, not what state another group's proposal is in.
        (S.APPROVED, "withdraw"),
    ],
)
def test_a_chair_of_another_group_with_a_second_role_gets_403(
    client, world, who: str, status: str, trigger: str
) -> None:  # type: ignore[no-untyped-def]
    proposal = factories.proposal(world, status=status)  # group A's
    sign_in(client, getattr(world, who))
    response = client.post(
        f"/proposals/{proposal.id}/actions/{trigger}", data={"comment": "Not mine to withdraw"}
    )
    assert response.status_code == 403, response.get_data(as_text=True)[:400]
    assert "Border Management and Law Enforcement" in response.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.status == status
    # No transition was recorded (the refusal itself may be audited: permission refusals are).
    assert not db.session.scalar(
        select(func.count(AuditRecord.id)).where(AuditRecord.event == trigger)
    )


@pytest.mark.parametrize("who", TWO_ROLE_USERS)
def test_the_same_user_acts_on_her_own_group(client, world, who: str) -> None:  # type: ignore[no-untyped-def]
    proposal = factories.proposal(world, group=world.group_b, status=S.SUBMITTED)
    sign_in(client, getattr(world, who))
    response = client.post(f"/proposals/{proposal.id}/actions/withdraw", data={"comment": "Merged"})
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == S.WITHDRAWN


def test_a_real_state_conflict_is_still_409(client, world) -> None:
    proposal = factories.proposal(world, status=S.APPROVED)
    sign_in(client, world.chair_a)
    response = client.post(
        f"/proposals/{proposal.id}/actions/withdraw", data={"comment": "Too late"}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert proposal.status == S.APPROVED


def _running_project(world):  # type: ignore[no-untyped-def]
    return factories.project(
        world, status=S.ONGOING, start=date(2018, 1, 1), months=12, actual_start=date(2018, 1, 1)
    )


@pytest.mark.parametrize("who", TWO_ROLE_USERS)
def test_extension_requests_of_another_group_are_403(client, world, who: str) -> None:  # type: ignore[no-untyped-def]
    p = _running_project(world)
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, None, "Translations")
    )
    sign_in(client, getattr(world, who))
    # asking for one
    response = client.post(
        f"/proposals/{p.id}/extensions", data={"months": "2", "justification": "Mine now"}
    )
    assert response.status_code == 403
    # withdrawing group A's
    response = client.post(f"/extensions/{ext.id}/withdraw", data={"comment": "Not needed"})
    assert response.status_code == 403, response.get_data(as_text=True)[:400]
    db.session.expire_all()
    assert ext.status == ExtensionState.REQUESTED
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 1


def test_extension_guard_failures_are_told_apart_in_the_service(world) -> None:
    p = _running_project(world)
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, None, "Translations")
    )
    with pytest.raises(NotAllowed):
        extensions.chair_action(world.chair_b_board, ext.id, "withdraw", "no")
    with pytest.raises(NotAllowed):
        extensions.request_extension(
            world.chair_b_finance, p.id, extensions.ExtensionInput(3, None, None, "x")
        )
    db.session.expire_all()
    assert ext.status == ExtensionState.REQUESTED


def test_an_extension_on_an_agenda_cannot_be_withdrawn(client, world) -> None:
    """Once the Board has it, the chair can no longer pull it back: 409, nothing changes."""
    p = _running_project(world)
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(3, None, None, "Translations")
    )
    extensions.review_extension(world.finance, ext.id, "Affordable.")
    item = board.add_extension_to_agenda(world.secretariat, meeting(world).id, ext.id)
    assert ext.status == ExtensionState.UNDER_REVIEW
    with pytest.raises(Conflict):
        extensions.chair_action(world.chair_a, ext.id, "withdraw", "Changed my mind")
    sign_in(client, world.chair_a)
    response = client.post(f"/extensions/{ext.id}/withdraw", data={"comment": "Changed my mind"})
    assert response.status_code == 409
    db.session.expire_all()
    assert ext.status == ExtensionState.UNDER_REVIEW
    assert item.is_open
    # and no button offers it
    assert extensions.chair_actions(world.chair_a, ext) == []
