"""The audit page and its CSV export, per role."""

from __future__ import annotations

from types import SimpleNamespace

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import board
from prb.services.reference import entities
from tests import factories
from tests.board_helpers import item_under_review
from tests.conftest import make_app, sign_in
from tests.csv_helpers import csv_of
from tests.reference_helpers import administrator
from tests.web.test_query_counts import counting


def test_administrator_filters_the_trail_and_exports_it(client, world) -> None:
    admin = administrator(world)
    entities.create_entity(admin, entities.EntityInput("WCO", '=HYPERLINK("http://evil")'))
    entities.update_entity(
        admin, world.cted.id, entities.EntityInput("CTED", "Counter-Terrorism Executive Dir.")
    )
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Audit trail" in page and "Entity created" in page and "Entity edited" in page
    assert "CTED (test entity) → Counter-Terrorism Executive Dir." in page
    assert "Some filters were not understood" not in page
    filtered = client.get("/admin/audit?event=entity_edited").get_data(as_text=True)
    assert "Entity edited" in filtered and "Entity created" not in filtered
    assert 'href="/admin/audit.csv?event=entity_edited"' in filtered
    rows = csv_of(client.get("/admin/audit.csv?event=entity_created"))
    assert len(rows) == 1
    assert rows[0]["event"] == "entity_created" and rows[0]["actor_email"] == admin.email
    assert 'Name: — → =HYPERLINK("http://evil")' in rows[0]["changes"]
    by_actor = csv_of(client.get(f"/admin/audit.csv?actor_id={world.finance.id}"))
    assert by_actor == []


def test_the_csv_neutralises_cells_that_start_a_formula(client, world) -> None:
    db.session.add(AuditRecord(event="signed_in", actor=world.finance, comment="=1+2"))
    db.session.add(AuditRecord(event="signed_in", actor=world.finance, comment="-3"))
    db.session.commit()
    sign_in(client, administrator(world))
    comments = {r["comment"] for r in csv_of(client.get("/admin/audit.csv?event=signed_in"))}
    assert {"'=1+2", "'-3"} <= comments


def test_bad_filters_are_ignored_with_a_warning(client, world) -> None:
    sign_in(client, administrator(world))
    response = client.get("/admin/audit?event=nonsense&since=yesterday")
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored." in response.get_data(as_text=True)
    response = client.get("/admin/audit?since=2019-02-02&until=2019-02-01")
    assert "comes before the" in response.get_data(as_text=True)


def test_votes_stay_with_the_secretariat(client, world) -> None:
    item = item_under_review(world)
    board.cast_vote(world.board_undp, item.id, "approve")
    sign_in(client, administrator(world))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Vote cast" not in page and "shown to the secretariat only" in page
    assert client.get("/admin/audit?event=vote_cast").status_code == 200
    assert not [r for r in csv_of(client.get("/admin/audit.csv")) if r["event"] == "vote_cast"]
    client.post("/logout")
    sign_in(client, world.secretariat)
    assert "Vote cast" in client.get("/admin/audit").get_data(as_text=True)
    assert [r for r in csv_of(client.get("/admin/audit.csv")) if r["event"] == "vote_cast"]


def test_only_administrators_and_the_secretariat_see_the_trail(client, world) -> None:
    for person in (world.board_undp, world.finance, world.chair_a):
        sign_in(client, person)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
        client.post("/logout")


def test_the_page_costs_the_same_statements_for_few_and_many_rows(app, client, world) -> None:
    """Each row's actor and proposal come with the page's query, not one query per row."""
    admin = administrator(world)
    people = [world.chair_a, world.chair_b, world.secretariat, admin, world.board_undp]
    for i in range(42):
        p = factories.proposal(world, title=f"Proposal {i}")
        person = world.finance if i < 2 else people[i % len(people)]
        db.session.add(AuditRecord(event="edited", actor=person, proposal_id=p.id))
    db.session.commit()
    finance_id = world.finance.id
    app.config["PAGE_SIZE"] = 50
    sign_in(client, admin)

    def statements(url: str) -> int:
        # Nothing cached from the set-up: every row's actor must come from the database.
        db.session.expunge_all()
        client.get(url)
        db.session.expunge_all()
        with counting() as seen:
            response = client.get(url)
        assert response.status_code == 200
        return len(seen)

    few = statements(f"/admin/audit?actor_id={finance_id}")
    many = statements("/admin/audit")
    assert many == few
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.count('href="/proposals/') >= 42


def test_the_export_streams_whole_when_each_request_has_its_own_session(  # type: ignore[no-untyped-def]
    app, world, database_url
) -> None:
    """As served: each request opens and closes its own session (the suite's client shares
    the fixture's), and Flask closes it before the answer streams. More records than the
    export reads at a time (500), every one of them in the file."""
    for n in range(520):
        db.session.add(AuditRecord(event="export_probe", subject="test", comment=f"probe {n}"))
    db.session.commit()
    secretariat = SimpleNamespace(email=world.secretariat.email)
    db.session.rollback()  # the test's own transaction holds SQLite's write lock: end it
    served = make_app(database_url)
    client = served.test_client()
    sign_in(client, secretariat)
    rows = csv_of(client.get("/admin/audit.csv"))
    probes = sorted(r["comment"] for r in rows if r["event"] == "export_probe")
    assert probes == sorted(f"probe {n}" for n in range(520))
    with served.app_context():
        db.engine.dispose()


def test_a_transition_recorded_after_the_fact_shows_the_day_it_took_effect(client, world) -> None:
    from datetime import date

    from prb.services import lifecycle
    from tests.unit.test_minutes_envelope_as_at import admin
    from tests.web.test_transition_effective_date import approved_and_initiated
    from workflows import ProposalState, ProposalTrigger

    p = approved_and_initiated(world)
    lifecycle.fire(
        world.secretariat,
        p.id,
        ProposalTrigger.CANCEL,
        comment="Partner withdrew",
        effective_on=date(2025, 6, 30),
    )
    submitted = factories.proposal(world, status=ProposalState.SUBMITTED)
    lifecycle.fire(world.secretariat, submitted.id, ProposalTrigger.START_REVIEW)  # today
    sign_in(client, admin(world))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "took effect 30 June 2025" in page
    rows = csv_of(client.get("/admin/audit.csv"))
    days = {r["to_state"]: r["effective_on"] for r in rows if r["to_state"]}
    assert days["cancelled"] == "2025-06-30"
    assert days["approved"] == "2025-02-10"  # the meeting's day, entered today
    # Recorded the day it took effect: nothing more to say.
    assert days["under_review"] == ""  # the review started today
    # Cancelled, approved and initiated after the fact: those three only.
    assert len([r for r in rows if r["effective_on"]]) == 3
    assert all(r["effective_on"] == "" for r in rows if not r["to_state"])
