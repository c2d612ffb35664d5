"""Co-funding: other funders' contributions per project. Validated (funder, ISO 4217 currency,
positive amount and rate, 1 for USD, a date not in the future), converted to USD half-up to
the cent, recorded only by finance staff or the secretariat on a project they can see,
append-only in the database, corrected by a withdrawal that takes it out of every total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from prb.models import AuditRecord, CoFunding
from prb.services import co_funding, finance, portfolio
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests import factories
from workflows import ProposalState as S

TODAY = date(2026, 1, 10)


def _input(**changes: object) -> co_funding.CoFundingInput:
    values: dict[str, object] = {
        "funder": "Government of Switzerland",
        "amount": Decimal("100000.00"),
        "currency": "CHF",
        "rate_to_usd": Decimal("1.05263"),
        "contributed_on": date(2018, 3, 15),
        "note": "",
    }
    values.update(changes)
    return co_funding.CoFundingInput(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),  # three letters, not ISO 4217
        ({"currency": "XXX"}, "currency"),  # ISO 4217's "no currency"
        ({"currency": "xau"}, "currency"),  # gold is no currency a funder pays in
        ({"currency": "CH"}, "currency"),
        ({"currency": "€"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"amount": Decimal("NaN")}, "amount"),
        ({"rate_to_usd": Decimal("0")}, "rate_to_usd"),
        ({"rate_to_usd": Decimal("-1.1")}, "rate_to_usd"),
        ({"rate_to_usd": None}, "rate_to_usd"),
        ({"rate_to_usd": Decimal("1.000000001")}, "rate_to_usd"),
        ({"currency": "USD", "rate_to_usd": Decimal("1.01")}, "rate_to_usd"),
        # less than a cent in USD: nothing to record
        ({"amount": Decimal("0.01"), "rate_to_usd": Decimal("0.0001")}, "amount"),
        ({"contributed_on": None}, "contributed_on"),
        ({"contributed_on": date(2026, 1, 11)}, "contributed_on"),
        ({"funder": "   "}, "funder"),
        ({"funder": "x" * 201}, "funder"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_bad_input_is_refused_by_field(changes: dict[str, object], field: str) -> None:
    errors = co_funding.check(_input(**changes), today=TODAY)
    assert field in errors, errors


def test_good_input_passes_and_currency_codes_are_any_case() -> None:
    assert co_funding.check(_input(), today=TODAY) == {}
    assert co_funding.check(_input(currency="chf"), today=TODAY) == {}
    assert co_funding.check(_input(currency="USD", rate_to_usd=Decimal("1")), today=TODAY) == {}
    assert co_funding.currency_name("EUR") == "Euro"
    assert co_funding.check(_input(currency="XDR"), today=TODAY) == {}  # the IMF's SDR
    assert co_funding.currency_name("ABC") is None


@pytest.mark.parametrize(
    ("amount", "rate", "usd"),
    [
        ("100000.00", "1.05263", "105263.00"),
        ("1.00", "0.125", "0.13"),  # 0.125: half-up gives 0.13 (banker's rounding 0.12)
        ("1.00", "0.135", "0.14"),
        ("0.10", "0.05", "0.01"),  # 0.005 rounds up
        ("3.33", "1", "3.33"),
        ("999.99", "0.00006900", "0.07"),
    ],
)
def test_usd_amount_is_amount_times_rate_half_up_to_the_cent(
    amount: str, rate: str, usd: str
) -> None:
    assert co_funding.usd_amount(Decimal(amount), Decimal(rate)) == Decimal(usd)


_CODES = iter(f"UNCCT-2017-73-{n}" for n in range(1000))


def _project(world, group=None):  # type: ignore[no-untyped-def]
    return factories.project(world, status=S.ONGOING, code=next(_CODES), group=group)


def test_finance_and_the_secretariat_record_and_the_usd_amount_is_stored(world) -> None:
    p = _project(world)
    row = co_funding.record_co_funding(world.finance, p.id, _input(currency="chf"))
    assert (row.currency, row.usd_amount) == ("CHF", Decimal("105263.00"))
    co_funding.record_co_funding(
        world.secretariat, p.id, _input(funder="EU", currency="EUR", rate_to_usd=Decimal("1.2"))
    )
    listing = co_funding.listing(world.board_undp, p)
    assert listing.total_usd == Decimal("225263.00")
    assert not listing.can_record  # a board member reads, does not record
    events = db.session.scalars(
        select(AuditRecord.event).where(AuditRecord.proposal_id == p.id)
    ).all()
    assert events.count("co_funding_recorded") == 2


def test_invalid_input_records_nothing(world) -> None:
    p = _project(world)
    with pytest.raises(Invalid) as refused:
        co_funding.record_co_funding(world.finance, p.id, _input(currency="XYZ"))
    assert "currency" in refused.value.fields
    assert db.session.scalars(select(CoFunding)).all() == []


@pytest.mark.parametrize("who", ["board_undp", "chair_b", "chair_b_board"])
def test_only_finance_or_the_secretariat_record(world, who: str) -> None:
    p = _project(world, group=world.group_b)
    with pytest.raises(NotAllowed):
        co_funding.record_co_funding(getattr(world, who), p.id, _input())


def test_a_chair_in_finance_records_on_any_project_a_chair_alone_on_none(world) -> None:
    # chair of group B who also works in finance: finance sees every project
    theirs = _project(world, group=world.group_a)
    co_funding.record_co_funding(world.chair_b_finance, theirs.id, _input())
    # a chair records nothing, not even on her own group's project (403 for who she is)
    own = _project(world, group=world.group_b)
    with pytest.raises(NotAllowed):
        co_funding.record_co_funding(world.chair_b, own.id, _input())


def test_only_projects_take_co_funding(world) -> None:
    draft = factories.proposal(world, status=S.SUBMITTED)
    with pytest.raises(Conflict):
        co_funding.record_co_funding(world.finance, draft.id, _input())


def _refused(statement: str, **params: object) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement), params)
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE co_funding SET amount = 1 WHERE id = :id",
        "UPDATE co_funding SET withdraws_id = id WHERE id = :id",
        "DELETE FROM co_funding WHERE id = :id",
    ],
)
def test_rows_are_append_only_in_the_database(world, statement: str) -> None:
    p = _project(world)
    row_id = co_funding.record_co_funding(world.finance, p.id, _input()).id
    _refused(statement, id=row_id)
    assert db.session.get(CoFunding, row_id).amount == Decimal("100000.00")


def test_the_database_refuses_a_zero_amount_or_rate(world) -> None:
    p = _project(world)
    row = co_funding.record_co_funding(world.finance, p.id, _input())
    for column in ("amount", "rate_to_usd", "usd_amount"):
        values = {
            "proposal_id": p.id,
            "funder": "x",
            "amount": "1.00",
            "currency": "USD",
            "rate_to_usd": "1",
            "usd_amount": "1.00",
            "contributed_on": "2018-01-01",
            "note": "",
            "recorded_by_id": row.recorded_by_id,
            "recorded_at": "2018-01-01 00:00:00",
            column: "0",
        }
        columns = ", ".join(values)
        params = ", ".join(f":{c}" for c in values)
        with pytest.raises(DatabaseError):
            db.session.execute(
                text(f"INSERT INTO co_funding ({columns}) VALUES ({params})"), values
            )
        db.session.rollback()


def test_a_withdrawal_takes_a_mistake_out_of_every_total_and_keeps_it(world) -> None:
    p = _project(world)
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 1, 5))
    )
    wrong = co_funding.record_co_funding(world.finance, p.id, _input(amount=Decimal("1000000.00")))
    right = co_funding.record_co_funding(world.finance, p.id, _input())
    assert co_funding.usd_totals([p.id]) == {p.id: Decimal("1157893.00")}
    with pytest.raises(Invalid):
        co_funding.withdraw_co_funding(world.finance, p.id, wrong.id, "  ")
    withdrawal = co_funding.withdraw_co_funding(
        world.secretariat, p.id, wrong.id, "Typed a zero too many."
    )
    assert withdrawal.withdraws_id == wrong.id and withdrawal.amount == wrong.amount
    assert co_funding.usd_totals([p.id]) == {p.id: right.usd_amount}
    listing = co_funding.listing(world.finance, p)
    assert [line.counts for line in listing.lines] == [False, True, False]
    assert listing.total_usd == right.usd_amount
    assert [c.id for c in listing.withdrawable] == [right.id]
    with pytest.raises(Conflict):
        co_funding.withdraw_co_funding(world.finance, p.id, wrong.id, "again")
    with pytest.raises(Conflict):
        co_funding.withdraw_co_funding(world.finance, p.id, withdrawal.id, "of a withdrawal")
    other = _project(world, group=world.group_b)
    with pytest.raises(NotFound):  # a contribution of another project
        co_funding.withdraw_co_funding(world.finance, other.id, right.id, "wrong project")
    # the overview as at a date counts what had been contributed by then
    overview = portfolio.overview(world.board_undp, None, 2018, as_at=date(2018, 3, 14))
    assert {r.proposal.id: r.co_funding for r in overview.rows}[p.id] == Decimal("0.00")
    overview = portfolio.overview(world.board_undp, None, 2018)
    by_id = {r.proposal.id: r.co_funding for r in overview.rows}
    assert by_id == {p.id: Decimal("105263.00"), other.id: Decimal("0.00")}
    assert [line[-1] for line in portfolio.csv_rows(overview)] == [
        by_id[r.proposal.id] for r in overview.rows
    ]
