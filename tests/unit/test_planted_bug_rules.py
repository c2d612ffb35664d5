"""Rules whose planted bugs the suite did not catch (issue 13 §10). Each test names the bug
it kills; each was seen red with the bug planted (see the issue-13 report).

The chairs-this-group guard on withdrawal and on extension requests, and withdrawing an
extension already on an agenda, are in tests/web/test_permission_guards.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import ExtensionRequest, Vote
from prb.services import board, extensions, finance, lifecycle
from prb.services.errors import Invalid, NotAllowed
from tests import factories
from tests.board_helpers import item_under_review
from workflows import ProposalState

S = ProposalState
D = Decimal


def test_a_member_from_an_implementing_entity_is_recused(world) -> None:
    """Bug: only the lead entity's member recused. UNDP implements a CTED-led proposal."""
    item = item_under_review(world, implementing_entities=[world.undp])
    assert board.automatic_recusal(world.board_undp, item.proposal) == (
        "UNDP is an implementing entity"
    )
    with pytest.raises(NotAllowed, match="implementing entity"):
        board.cast_vote(world.board_undp, item.id, "approve")
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert item not in board.awaiting_vote(world.board_undp)
    # a member of an entity with no part in it still votes
    board.cast_vote(world.board_chair, item.id, "approve")


def _ongoing_paid(world, paid: str = "50000.00"):  # type: ignore[no-untyped-def]
    p = factories.project(
        world,
        status=S.ONGOING,
        budget=D("100000.00"),
        start=date(2018, 1, 1),
        months=12,
        actual_start=date(2018, 1, 1),
    )
    for kind in ("commitment", "disbursement"):
        finance.record_entry(
            world.finance, p.id, finance.EntryInput(kind, D(paid), date(2018, 3, 1), "T")
        )
    return p


def _return(world, p, amount: str):  # type: ignore[no-untyped-def]
    return finance.record_entry(
        world.finance, p.id, finance.EntryInput("return", D(amount), date(2018, 9, 1), "R")
    )


def test_a_cancelled_project_records_a_return(world) -> None:
    """Bug: returns refused once a project is cancelled (its unspent money must come back)."""
    p = _ongoing_paid(world)
    lifecycle.fire(world.secretariat, p.id, "cancel", comment="Partner withdrew")
    entry = _return(world, p, "20000.00")
    db.session.expire_all()
    assert entry.id and p.status == S.CANCELLED
    assert finance.balances(p).returned == D("20000.00")
    assert finance.balances(p).net_disbursed == D("30000.00")


def test_a_return_after_cancellation_gives_the_money_back_to_the_envelope(world) -> None:
    """Bug: a cancelled project keeps what it was paid *gross*, so money it returns after
    cancellation never comes back to the envelope."""
    p = _ongoing_paid(world)
    total = world.programme.envelope
    assert finance.envelope(world.programme).used == D("100000.00")
    lifecycle.fire(world.secretariat, p.id, "cancel", comment="Partner withdrew")
    db.session.expire_all()
    # cancelled: only what it was paid stays used
    assert finance.envelope(world.programme).used == D("50000.00")
    _return(world, p, "20000.00")
    db.session.expire_all()
    env = finance.envelope(world.programme)
    assert env.used == D("30000.00")
    assert env.left == total - D("30000.00")


def test_the_24_month_limit_holds_when_the_extension_is_given_by_its_end_date(world) -> None:
    """Bug: the limit checked only on a number of months; an end date 25 months on passed."""
    p = factories.project(world, status=S.ONGOING, start=date(2018, 1, 1), months=12)
    # The current end is 31 December 2018: the extension starts on 1 January 2019.
    with pytest.raises(Invalid) as refused:
        extensions.request_extension(
            world.chair_a, p.id, extensions.ExtensionInput(None, date(2021, 1, 31), None, "x")
        )
    assert refused.value.fields["new_end"] == ["An extension lasts at most 24 months."]
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 0
    # exactly 24 months is allowed
    ext = extensions.request_extension(
        world.chair_a, p.id, extensions.ExtensionInput(None, date(2020, 12, 31), None, "x")
    )
    assert (ext.months, ext.new_end) == (24, date(2020, 12, 31))
