"""The minutes' envelopes are as at the meeting (after its decisions), also for a meeting
entered after the fact: approvals of meetings held later, and envelope changes effective
later, are not in it — whether the figure comes from an item's closing record or, for an
item not closed yet, is worked out when the draft is asked for."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from prb.extensions import db
from prb.models import Entity, Meeting, User, utcnow
from prb.services import board, extensions, finance, lifecycle, minutes
from prb.services.errors import Invalid
from prb.services.portfolio.envelope import envelope_as_at
from prb.services.reference import envelopes
from tests import factories
from tests.board_helpers import meeting as live_meeting
from tests.reference_helpers import administrator
from tests.unit.test_board_data import nobody_recused, on_agenda, past_meeting
from tests.web.test_query_counts import counting
from workflows import ProposalState, ProposalTrigger

D = Decimal
S = ProposalState
EARLY, LATE = date(2018, 2, 15), date(2018, 6, 1)


def envelope_of(m: Meeting) -> dict[str, str]:
    """The programme's row of the draft minutes' envelopes (decisions.json)."""
    data = minutes.minutes_data(
        m, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    [row] = json.loads(minutes.decisions_json(data))["envelopes"]
    return row


def figures(m: Meeting) -> tuple[str, str, str]:
    row = envelope_of(m)
    return row["envelope"], row["used"], row["left"]


def placed(world, m: Meeting, budget: str, title: str):  # type: ignore[no-untyped-def]
    """An item of a meeting entered after the fact, the secretariat entering the votes
    (two for; nobody recused)."""
    unesco = db.session.scalar(select(Entity).where(Entity.code == "UNESCO"))
    lead = {"lead_entity": unesco} if unesco else nobody_recused(world)
    item = on_agenda(world, m, title=title, requested_budget=D(budget), **lead)
    for member in (world.board_chair, world.board_undp):
        board.record_vote(world.secretariat, item.id, member.id, "approve")
    return item


def approve(world, item, budget: str) -> None:  # type: ignore[no-untyped-def]
    board.close_item(world.secretariat, item.id, board.Terms(D(budget), 12, date(2019, 1, 1)))


def admin(world) -> User:  # type: ignore[no-untyped-def]
    found = db.session.scalar(select(User).where(User.email == "admin@prb.example"))
    return found or administrator(world)


def rules_since_2017(world) -> None:  # type: ignore[no-untyped-def]
    """Rules of procedure in force on every meeting's date, whichever is entered first."""
    board.ensure_rules(admin(world), covering=date(2017, 1, 1))


def change_envelope(world, day: date, amount: str) -> None:  # type: ignore[no-untyped-def]
    envelopes.change_envelope(
        admin(world),
        world.programme.id,
        envelopes.EnvelopeChangeInput(day, D(amount), "Pledge"),
    )


def test_an_earlier_meeting_recorded_later_leaves_out_the_later_meetings_approval(
    world,
) -> None:
    rules_since_2017(world)
    # Approved on 10 January 2018, before both meetings: in both envelopes.
    factories.project(world, budget=D("50000.00"), start=date(2018, 1, 10))
    later = past_meeting(world, LATE, "PRB/2018/02")
    approve(world, placed(world, later, "100000.00", "Approved in June"), "100000.00")
    assert figures(later)[1] == "150000.00"

    earlier = past_meeting(world, EARLY, "PRB/2018/01")
    item = placed(world, earlier, "150000.00", "Approved in February")
    # Not closed yet: the draft works the envelope out as at 15 February.
    assert figures(earlier) == ("1356000.00", "50000.00", "1306000.00")
    approve(world, item, "150000.00")
    # Closed: its record has its own approval and the January one, not June's.
    assert figures(earlier) == ("1356000.00", "200000.00", "1156000.00")
    # Today's envelope has all three.
    assert finance.envelope(world.programme).used == D("300000.00")


def test_an_envelope_changed_later_leaves_an_earlier_meetings_envelope(world) -> None:
    change_envelope(world, date(2017, 1, 1), "1356000.00")
    m = past_meeting(world, EARLY)
    item = placed(world, m, "150000.00", "Approved in February")
    assert figures(m)[0] == "1356000.00"
    change_envelope(world, utcnow().date(), "2000000.00")
    assert world.programme.envelope == D("2000000.00")
    # The draft, then the closing record, keep the envelope in force on 15 February 2018.
    assert figures(m) == ("1356000.00", "0.00", "1356000.00")
    approve(world, item, "150000.00")
    assert figures(m) == ("1356000.00", "150000.00", "1206000.00")


def test_a_decision_of_the_same_day_counts_whichever_meeting_took_it(world) -> None:
    """Decisions are dated by day: the minutes' envelope is the one at the end of the
    meeting's day, with another meeting's decisions of that day (the record does not say
    which meeting came first)."""
    rules_since_2017(world)
    other = past_meeting(world, EARLY, "PRB/2018/05")
    approve(world, placed(world, other, "30000.00", "Same day, other meeting"), "30000.00")
    m = past_meeting(world, EARLY, "PRB/2018/01")
    item = placed(world, m, "150000.00", "Approved in February")
    assert figures(m)[1] == "30000.00"
    approve(world, item, "150000.00")
    assert figures(m)[1] == "180000.00"
    # The other meeting's record was taken when it closed, and stays.
    assert figures(other)[1] == "30000.00"


def test_a_written_procedure_is_as_at_the_day_its_voting_closed(world) -> None:
    """Opened on 20 February, voting closed on 2 March: a meeting of 25 February decided
    before it did."""
    rules_since_2017(world)
    procedure = past_meeting(
        world,
        date(2018, 2, 20),
        "PRB/2018/04",
        written=True,
        deadline=datetime(2018, 3, 2, 17, 0, tzinfo=UTC),
    )
    item = placed(world, procedure, "150000.00", "By correspondence")
    between = past_meeting(world, date(2018, 2, 25), "PRB/2018/03")
    approve(world, placed(world, between, "40000.00", "Between"), "40000.00")
    later = past_meeting(world, date(2018, 3, 5), "PRB/2018/06")
    approve(world, placed(world, later, "60000.00", "After"), "60000.00")
    assert figures(procedure)[1] == "40000.00"
    approve(world, item, "150000.00")
    assert item.decision.decided_on == date(2018, 3, 2)
    assert figures(procedure)[1] == "190000.00"


def test_before_the_programmes_first_envelope_the_first_applies(world) -> None:
    """A meeting before the date of the programme's first envelope (the Board approving a
    project before the programme's first year) prints that envelope, not USD 0.00; an
    envelope recorded later for that time replaces it."""
    rules_since_2017(world)
    change_envelope(world, date(2018, 6, 1), "1356000.00")
    m = past_meeting(world, EARLY)
    placed(world, m, "150000.00", "Before the first year")
    assert figures(m) == ("1356000.00", "0.00", "1356000.00")
    change_envelope(world, date(2018, 1, 1), "1000000.00")
    assert figures(m)[0] == "1000000.00"


def test_later_additional_funds_and_a_later_cancellation_are_not_in_it(world) -> None:
    """As at 15 February 2018: the extension's additional funds granted today are not yet
    there, and a project cancelled today still takes its whole budget."""
    rules_since_2017(world)
    extended = factories.project(
        world, status=S.ONGOING, budget=D("100000.00"), start=date(2018, 1, 10)
    )
    stopped = factories.project(
        world, status=S.ONGOING, budget=D("80000.00"), start=date(2018, 1, 10)
    )
    for kind in ("commitment", "disbursement"):
        finance.record_entry(
            world.finance,
            stopped.id,
            finance.EntryInput(kind, D("30000.00"), date(2018, 3, 1), "T"),
        )
    lifecycle.fire(world.secretariat, stopped.id, ProposalTrigger.CANCEL, comment="Stopped")
    ext = extensions.request_extension(
        world.chair_a,
        extended.id,
        extensions.ExtensionInput(4, None, D("20000.00"), "More workshops"),
    )
    extensions.review_extension(world.finance, ext.id, "Fine")
    today = live_meeting(world, number="PRB/2030/01")
    ext_item = board.add_extension_to_agenda(world.secretariat, today.id, ext.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, ext_item.id, "approve")
    board.close_item(world.secretariat, ext_item.id)
    assert finance.envelope(world.programme).used == D("150000.00")  # 120,000 + 30,000 paid

    m = past_meeting(world, EARLY)
    placed(world, m, "150000.00", "Approved in February")
    assert figures(m)[1] == "180000.00"  # 100,000 + 80,000
    # As at today it is today's envelope; before any approval, nothing.
    assert envelope_as_at(world.programme, utcnow().date()).used == D("150000.00")
    assert envelope_as_at(world.programme, date(2018, 1, 9)).used == D("0.00")


def test_the_envelope_as_at_a_day_reads_a_fixed_number_of_queries(world) -> None:
    for i in range(2):
        factories.project(world, budget=D("1000.00"), start=date(2018, 6, 1), code=f"X-{i}")
    with counting() as few:
        envelope_as_at(world.programme, EARLY)
    for i in range(2, 8):
        factories.project(world, budget=D("1000.00"), start=date(2018, 6, 1), code=f"X-{i}")
    with counting() as more:
        assert envelope_as_at(world.programme, EARLY).used == D("0.00")
    assert len(more) == len(few)


def test_an_approval_entered_after_the_fact_must_fit_the_envelope_of_its_day(world) -> None:
    """Checked against the envelope as it stood on the day the Board decided: a later rise
    made no room then, and later approvals took none away."""
    change_envelope(world, date(2017, 1, 1), "200000.00")
    change_envelope(world, utcnow().date(), "2000000.00")
    m = past_meeting(world, EARLY)
    too_big = placed(world, m, "300000.00", "More than February's envelope")
    with pytest.raises(Invalid) as refused:
        approve(world, too_big, "300000.00")
    assert "envelope of" in refused.value.message and "on 15 February 2018" in refused.value.message
    assert refused.value.fields["budget"] == [
        "At most USD 200,000.00 was left in the envelope on 15 February 2018."
    ]
    db.session.rollback()
    assert too_big.is_open and finance.envelope(world.programme).used == D("0.00")
    # Today's envelope is nearly used up by an approval made since; February had room.
    factories.project(world, budget=D("1900000.00"), start=utcnow().date())
    fits_then = placed(world, m, "150000.00", "Within February's envelope")
    approve(world, fits_then, "150000.00")
    assert fits_then.decision is not None and fits_then.proposal.status == S.APPROVED
