"""The administration pages: reference data through the browser's forms, per role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import ChairTerm, Entity, EnvelopeChange, FundingProgramme, WorkingGroup
from tests import factories
from tests.conftest import sign_in
from tests.factories import today
from tests.reference_helpers import administrator, changes
from workflows import Role


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_administration_page_lists_its_pages_for_administrators_only(client, world) -> None:
    sign_in(client, world.secretariat)
    page = text(client.get("/"))
    assert ">Administration<" not in page
    assert client.get("/admin").status_code == 403
    client.post("/logout")
    sign_in(client, administrator(world))
    page = text(client.get("/"))
    assert 'href="/admin">Administration</a>' in page
    page = text(client.get("/admin"))
    for href in ("/admin/users", "/admin/entities", "/admin/groups", "/admin/programmes"):
        assert f'href="{href}"' in page, href
    assert 'href="/admin/audit"' in page
    assert page.count("<h1>") == 1


def test_an_administrator_adds_edits_and_retires_an_entity(client, world) -> None:
    sign_in(client, administrator(world))
    response = client.post("/admin/entities/new", data={"code": "WCO", "name": "World Customs"})
    assert response.status_code == 303
    wco = db.session.scalars(select(Entity).where(Entity.code == "WCO")).one()
    page = text(client.get("/admin/entities"))
    assert "World Customs" in page and "Entity WCO saved." in page
    response = client.post(
        f"/admin/entities/{wco.id}", data={"code": "WCO", "name": "World Customs Organization"}
    )
    assert response.status_code == 303
    assert client.post(f"/admin/entities/{wco.id}/retire").status_code == 303
    db.session.expire_all()
    assert wco.name == "World Customs Organization" and wco.retired_at is not None
    page = text(client.get("/admin/entities"))
    assert "Retired" in page and "Reinstate WCO" in page
    # Retiring again (a second tab): a conflict with its message, nothing changed.
    again = client.post(f"/admin/entities/{wco.id}/retire")
    assert again.status_code == 409 and "WCO is already retired" in text(again)
    assert [len(changes(e)) for e in ("entity_created", "entity_edited", "entity_retired")] == [
        1,
        1,
        1,
    ]


def test_a_duplicate_entity_code_is_a_422_with_the_message(client, world) -> None:
    sign_in(client, administrator(world))
    response = client.post("/admin/entities/new", data={"code": "unodc", "name": "Twice"})
    assert response.status_code == 422
    assert f"UNODC is already the code of {world.unodc.name}." in text(response)
    assert count(Entity) == 4


def test_the_secretariat_reads_the_lists_but_changes_nothing(client, world) -> None:
    sign_in(client, world.secretariat)
    page = text(client.get("/admin/entities"))
    assert "CTED" in page and "Add an entity" not in page and "Retire" not in page
    assert client.get("/admin/programmes").status_code == 200
    assert client.get(f"/admin/groups/{world.group_a.id}").status_code == 200
    attempts = [
        ("/admin/entities/new", {"code": "WCO", "name": "WCO"}),
        (f"/admin/entities/{world.cted.id}", {"code": "CTED", "name": "Renamed"}),
        (f"/admin/entities/{world.cted.id}/retire", {}),
        ("/admin/groups/new", {"name": "New group", "short_name": "New"}),
        (
            f"/admin/groups/{world.group_a.id}/chairs",
            {"user_id": world.chair_b.id, "since": today().isoformat()},
        ),
        (
            "/admin/programmes/new",
            {"code": "P-1", "title": "T", "start_year": "2019", "end_year": "2019"},
        ),
        (
            f"/admin/programmes/{world.programme.id}/envelope",
            {"effective_on": today().isoformat(), "amount": "1", "reason": "x"},
        ),
        (f"/admin/programmes/{world.programme.id}/outputs", {"label": "Outcome 1"}),
    ]
    for url, data in attempts:
        response = client.post(url, data=data)
        assert response.status_code == 403, url
    db.session.expire_all()
    assert (count(Entity), count(WorkingGroup), count(FundingProgramme)) == (4, 2, 1)
    assert count(ChairTerm) == 0 and count(EnvelopeChange) == 0
    assert world.cted.name != "Renamed" and world.cted.retired_at is None


def test_chairs_are_appointed_and_their_terms_ended_on_the_group_page(client, world) -> None:
    admin = administrator(world)
    newcomer = factories.user("new.chair@prb.example", world.undp, Role.CHAIR, name="Zara Khan")
    db.session.commit()
    sign_in(client, admin)
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert "Zara Khan (UNDP)" in page  # offered: she holds the chair role
    assert f'<option value="{world.finance.id}"' not in page  # finance is not a chair
    assert "Current chairs without a recorded term: Paolo Rossi" in page
    response = client.post(
        f"/admin/groups/{world.group_b.id}/chairs",
        data={"user_id": newcomer.id, "since": "2019-03-01"},
    )
    assert response.status_code == 303
    term = db.session.scalars(select(ChairTerm)).one()
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert "Zara Khan" in page and "1 March 2019" in page and "current" in page
    # A date ahead of today is refused on the page, next to the field.
    response = client.post(
        f"/admin/chair-terms/{term.id}/end", data={"until": date(2100, 1, 1).isoformat()}
    )
    assert response.status_code == 422 and "Give today's date or an earlier one" in text(response)
    response = client.post(f"/admin/chair-terms/{term.id}/end", data={"until": "2020-06-30"})
    assert response.status_code == 303
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert "30 June 2020" in page
    db.session.expire_all()
    assert newcomer not in world.group_b.chairs
    # A non-chair is refused with the reason.
    response = client.post(
        f"/admin/groups/{world.group_b.id}/chairs",
        data={"user_id": world.finance.id, "since": "2019-03-01"},
    )
    assert response.status_code == 422
    assert "does not hold the working-group chair role" in text(response)


def test_an_end_recorded_by_mistake_is_undone_and_she_chairs_again(client, world) -> None:
    """Ended today by mistake, a term could otherwise only start again tomorrow (a new term
    may not overlap the last): the administrator undoes the end, on the record."""
    admin = administrator(world)
    chair = factories.user("new.chair@prb.example", world.undp, Role.CHAIR, name="Zara Khan")
    db.session.commit()
    sign_in(client, admin)
    client.post(
        f"/admin/groups/{world.group_b.id}/chairs",
        data={"user_id": chair.id, "since": "2019-03-01"},
    )
    term = db.session.scalars(select(ChairTerm)).one()
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert f"/admin/chair-terms/{term.id}/reopen" not in page  # current: nothing to undo
    ended = client.post(f"/admin/chair-terms/{term.id}/end", data={"until": today().isoformat()})
    assert ended.status_code == 303
    # Appointing her again today is refused: the ended term covers today.
    again = client.post(
        f"/admin/groups/{world.group_b.id}/chairs",
        data={"user_id": chair.id, "since": today().isoformat()},
    )
    assert again.status_code == 422 and "already chairs" in text(again)
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert f"/admin/chair-terms/{term.id}/reopen" in page and "Undo the end" in page

    response = client.post(f"/admin/chair-terms/{term.id}/reopen")
    assert response.status_code == 303
    db.session.expire_all()
    assert term.until is None and chair in world.group_b.chairs
    assert "chairs the group again" in text(client.get(response.headers["Location"]))
    [(_, ended_after)] = changes("chair_term_ended")
    [(reopened_before, reopened_after)] = changes("chair_term_reopened")
    assert ended_after == reopened_before and reopened_after["until"] is None
    # Done twice (a second window): a conflict, nothing changes.
    twice = client.post(f"/admin/chair-terms/{term.id}/reopen")
    assert twice.status_code == 409 and "has not ended" in text(twice)


def test_only_her_last_term_is_reopened_and_only_while_she_may_chair(client, world) -> None:
    from prb.services.accounts.people import UserInput, update_user
    from prb.services.reference import groups

    admin = administrator(world)
    chair = factories.user("new.chair@prb.example", world.undp, Role.CHAIR, name="Zara Khan")
    db.session.commit()
    first = groups.appoint_chair(admin, world.group_b.id, chair.id, date(2019, 3, 1))
    groups.end_chair_term(admin, first.id, date(2019, 12, 31))
    second = groups.appoint_chair(admin, world.group_b.id, chair.id, date(2020, 3, 1))
    groups.end_chair_term(admin, second.id, date(2020, 12, 31))
    sign_in(client, admin)
    page = text(client.get(f"/admin/groups/{world.group_b.id}"))
    assert f"/admin/chair-terms/{second.id}/reopen" in page
    assert f"/admin/chair-terms/{first.id}/reopen" not in page
    response = client.post(f"/admin/chair-terms/{first.id}/reopen")
    assert response.status_code == 409 and "has a later term" in text(response)
    # Her account no longer holds the chair role: she may not chair again.
    update_user(
        admin, chair.id, UserInput(chair.email, chair.name, world.undp.id, {Role.BOARD_MEMBER})
    )
    response = client.post(f"/admin/chair-terms/{second.id}/reopen")
    assert response.status_code == 409 and "does not hold the working-group chair role" in text(
        response
    )
    db.session.expire_all()
    assert (first.until, second.until) == (date(2019, 12, 31), date(2020, 12, 31))
    assert chair not in world.group_b.chairs


def programme_form(**changes_: str) -> dict[str, str]:
    data = {
        "code": "UNCCT-2019-02-79",
        "title": "Seed funding 2019–2020",
        "start_year": "2019",
        "end_year": "2020",
        "envelope": "900000.00",
        "code_style": "upper",
        "code_first_letter": "D",
        "open_for_proposals": "y",
        "note": "",
    }
    data.update(changes_)
    return data


def test_a_programme_is_set_up_and_its_envelope_changed_with_a_dated_reason(client, world) -> None:
    sign_in(client, administrator(world))
    assert client.get("/admin/programmes/new").status_code == 200
    response = client.post("/admin/programmes/new", data=programme_form())
    assert response.status_code == 303
    p = db.session.scalars(select(FundingProgramme).where(FundingProgramme.code.like("%-79"))).one()
    page = text(client.get(f"/admin/programmes/{p.id}"))
    assert "UNCCT-2019-02-79-D</span> onwards (upper-case letters)" in page
    assert "1 January 2019 <strong>(in force)</strong>" in page
    assert "USD 900,000.00" in page
    response = client.post(
        f"/admin/programmes/{p.id}/envelope",
        data={"effective_on": "2019-07-01", "amount": "1200000", "reason": "Second pledge"},
    )
    assert response.status_code == 303
    page = text(client.get(f"/admin/programmes/{p.id}"))
    assert "1 July 2019 <strong>(in force)</strong>" in page and "Second pledge" in page
    assert "USD 1,200,000.00" in page
    # The edit form has no envelope field: the envelope changes only by a dated row.
    edit = text(client.get(f"/admin/programmes/{p.id}/edit"))
    assert 'name="envelope"' not in edit and "dated row" in edit
    response = client.post(
        f"/admin/programmes/{p.id}/edit",
        data=programme_form(title="Seed funding, second round", open_for_proposals=""),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert p.title == "Seed funding, second round" and not p.open_for_proposals
    assert p.envelope == Decimal("1200000.00")
    assert len(changes("programme_edited")) == 1


def test_an_envelope_cut_below_the_approved_total_is_shown_with_the_figures(client, world) -> None:
    factories.project(world, budget=Decimal("500000.00"), code="UNCCT-2017-73-a")
    sign_in(client, administrator(world))
    response = client.post(
        f"/admin/programmes/{world.programme.id}/envelope",
        data={"effective_on": today().isoformat(), "amount": "400000", "reason": "Cut"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "USD 100,000.00 below the USD 500,000.00 that UNCCT-2017-73 has already" in page
    assert "Give at least USD 500,000.00, the amount already approved." in page
    db.session.expire_all()
    assert world.programme.envelope == Decimal("1356000.00") and count(EnvelopeChange) == 0


def test_programme_form_errors_are_422_next_to_the_fields(client, world) -> None:
    sign_in(client, administrator(world))
    response = client.post(
        "/admin/programmes/new",
        data=programme_form(code="uncct-2017-73", code_first_letter="d", end_year="2018"),
    )
    assert response.status_code == 422
    page = text(response)
    assert "uncct-2017-73 is already a programme's code." in page
    assert "Give an upper-case letter" in page
    assert "The last year cannot come before the first." in page
    response = client.post("/admin/programmes/new", data=programme_form(start_year="soon"))
    assert response.status_code == 422 and "Enter a year" in text(response)
    assert count(FundingProgramme) == 1


def test_results_outputs_are_added_and_retired_on_the_programme_page(client, world) -> None:
    sign_in(client, administrator(world))
    url = f"/admin/programmes/{world.programme.id}"
    assert client.post(f"{url}/outputs", data={"label": "Outcome 4, Output 4.2"}).status_code == 303
    again = client.post(f"{url}/outputs", data={"label": "Outcome 4, Output 4.2"})
    assert again.status_code == 422 and "already has" in text(again)
    page = text(client.get(url))
    assert "Outcome 4, Output 4.2" in page and "Offered" in page
    from prb.models import ResultsOutput

    output = db.session.scalars(select(ResultsOutput)).one()
    assert client.post(f"/admin/outputs/{output.id}/retire").status_code == 303
    assert "Retired" in text(client.get(url))
    assert client.post(f"/admin/outputs/{output.id}/retire").status_code == 409


def test_a_working_group_is_added_edited_and_retired(client, world) -> None:
    sign_in(client, administrator(world))
    response = client.post(
        "/admin/groups/new",
        data={"name": "Resource Mobilization, Monitoring & Evaluation", "short_name": "RM&E"},
    )
    assert response.status_code == 303
    group = db.session.scalars(select(WorkingGroup).where(WorkingGroup.short_name == "RM&E")).one()
    assert response.headers["Location"].endswith(f"/admin/groups/{group.id}")
    duplicate = client.post(
        "/admin/groups/new", data={"name": world.group_a.name, "short_name": "Again"}
    )
    assert duplicate.status_code == 422
    assert "Another working group already has this name." in text(duplicate)
    response = client.post(
        f"/admin/groups/{group.id}/edit", data={"name": group.name, "short_name": "Resources"}
    )
    assert response.status_code == 303
    assert client.post(f"/admin/groups/{group.id}/retire").status_code == 303
    page = text(client.get("/admin/groups"))
    assert "Resources" in page and "Retired" in page
    page = text(client.get(f"/admin/groups/{group.id}"))
    assert "Reinstate the group" in page and "Appoint a chair" not in page


def test_every_administration_page_opens_for_an_administrator(app, client, world) -> None:
    admin = administrator(world)
    from prb.services.reference import groups, outputs

    term = groups.appoint_chair(admin, world.group_a.id, world.chair_a.id, date(2018, 1, 1))
    outputs.add_output(admin, world.programme.id, "Outcome 4, Output 4.2")
    values = {
        "entity_id": world.cted.id,
        "group_id": world.group_a.id,
        "programme_id": world.programme.id,
        "term_id": term.id,
    }
    sign_in(client, admin)
    opened = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("reference", "audit") and "GET" in rule.methods:
            with app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            response = client.get(url)
            assert response.status_code == 200, url
            if response.mimetype == "text/html":
                assert text(response).count("<h1") == 1, url
            opened.append(rule.endpoint)
    assert len(opened) == 14
