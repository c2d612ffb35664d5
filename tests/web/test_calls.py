"""Calls for proposals in the browser's terms: pages per role, the window refusal as a chair
sees it, the call's guidance and the results pick list on the proposal form, carry-over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Call, Proposal, utcnow
from tests import factories
from tests.board_helpers import item_under_review
from tests.call_helpers import DAY, administrator, call, next_programme, outputs
from tests.conftest import sign_in
from tests.web.test_proposals import form_data
from workflows import ProposalState

S = ProposalState


def _minute(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.strftime("%Y-%m-%dT%H:%M")


def _call_form(programme, groups, **changes) -> dict[str, object]:  # type: ignore[no-untyped-def]
    now = utcnow()
    data: dict[str, object] = {
        "programme_id": programme.id,
        "title": "Call for proposals 2019–2020",
        "opens_at": _minute(now + 2 * DAY),
        "closes_at": _minute(now + 30 * DAY),
        "working_group_ids": [g.id for g in groups],
        "guidance": "Two pages at most. <script>alert(1)</script>",
    }
    data.update(changes)
    return data


def _calls() -> int:
    return db.session.scalar(select(func.count(Call.id))) or 0


def test_an_administrator_opens_a_call_in_utc(client, world) -> None:
    admin = administrator(world)
    programme = next_programme()
    sign_in(client, admin)
    page = client.get("/calls/new").get_data(as_text=True)
    assert "Opens (UTC)" in page and "Closes (UTC)" in page
    assert "not your local time" in page
    assert 'name="csrf_token"' in page or "csrf_token" in page
    response = client.post("/calls/new", data=_call_form(programme, [world.group_a]))
    assert response.status_code == 303
    created = db.session.scalars(select(Call).where(Call.programme_id == programme.id)).one()
    page = client.get(response.location).get_data(as_text=True)
    assert "<h1>Call for proposals 2019–2020</h1>" in page
    assert f"{created.opens_at.day} {created.opens_at:%B %Y, %H:%M} UTC" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Opened the call" in page and "Ana Admin" in page


def test_a_call_form_with_mistakes_saves_nothing_and_says_why(client, world) -> None:
    sign_in(client, administrator(world))
    before = _calls()
    response = client.post(
        "/calls/new",
        data=_call_form(
            next_programme(), [], closes_at=_minute(utcnow() - DAY), opens_at="tomorrow"
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a date and time" in page
    response = client.post(
        "/calls/new", data=_call_form(next_programme("P-2"), [], title="Kept title")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose at least one working group." in page and 'value="Kept title"' in page
    assert _calls() == before


def test_the_secretariat_reads_calls_but_cannot_write_them(client, world) -> None:
    sign_in(client, world.secretariat)
    assert client.get("/calls/").status_code == 200
    page = client.get(f"/calls/{world.call.id}").get_data(as_text=True)
    assert "Open call (test world)" in page and "Edit the call" not in page
    assert "Open a call" not in client.get("/calls/").get_data(as_text=True)
    assert client.get("/calls/new").status_code == 403
    assert (
        client.post("/calls/new", data=_call_form(next_programme(), [world.group_a])).status_code
        == 403
    )
    response = client.post(
        f"/calls/{world.call.id}/edit",
        data={"closes_at": _minute(utcnow() + DAY), "guidance": "changed"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert _calls() == 1 and world.call.guidance == ""
    assert not db.session.scalar(
        select(func.count(AuditRecord.id)).where(AuditRecord.subject == "call")
    )


def test_board_and_finance_read_the_list_and_a_chair_sees_her_groups_calls(client, world) -> None:
    only_b = call(next_programme(), [world.group_b], title="Legal group only")
    for reader in (world.board_undp, world.finance):
        sign_in(client, reader)
        page = client.get("/calls/").get_data(as_text=True)
        assert "Open call (test world)" in page and "Legal group only" in page
        client.post("/logout")
    sign_in(client, world.chair_a)
    page = client.get("/calls/").get_data(as_text=True)
    assert "Open call (test world)" in page and "Legal group only" not in page
    assert client.get(f"/calls/{only_b.id}").status_code == 404
    page = client.get(f"/calls/{world.call.id}").get_data(as_text=True)
    assert "Write a proposal for this call" in page


def test_once_open_the_edit_form_offers_only_closing_time_and_guidance(client, world) -> None:
    admin = administrator(world)
    opened = call(next_programme(), [world.group_a], title="Open one")
    sign_in(client, admin)
    page = client.get(f"/calls/{opened.id}/edit").get_data(as_text=True)
    assert "only its closing time (not before now) and its guidance can change" in page
    assert 'type="hidden" name="programme_id"' in page
    new_close = opened.closes_at + 7 * DAY
    form = {
        "programme_id": opened.programme_id,
        "title": opened.title,
        "opens_at": _minute(opened.opens_at),
        "working_group_ids": [world.group_a.id],
        "closes_at": _minute(new_close),
        "guidance": "Extended by a week.",
    }
    assert client.post(f"/calls/{opened.id}/edit", data=form).status_code == 303
    db.session.expire_all()
    assert opened.closes_at == new_close and opened.guidance == "Extended by a week."
    page = client.get(f"/calls/{opened.id}").get_data(as_text=True)
    assert "Closes:" in page and "Extended by a week." in page
    too_early = dict(form, closes_at=_minute(utcnow() - timedelta(hours=1)))
    response = client.post(f"/calls/{opened.id}/edit", data=too_early)
    assert response.status_code == 422
    assert "would close before now" in response.get_data(as_text=True)
    renamed = dict(form, title="Renamed")
    response = client.post(f"/calls/{opened.id}/edit", data=renamed)
    assert response.status_code == 422
    assert "this can no longer change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert opened.title == "Open one" and opened.closes_at == new_close


def test_a_chair_submitting_outside_the_window_is_told_why_and_nothing_changes(
    client, world
) -> None:
    programme = next_programme()
    now = utcnow()
    call(programme, [world.group_a], opens=now - 30 * DAY, closes=now - DAY, title="Call 2019")
    draft = factories.proposal(world, programme=programme)
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert "Not possible yet" in page and "The last call, “Call 2019”, was open from" in page
    response = client.post(
        f"/proposals/{draft.id}/actions/submit", data={"expected_status": S.DRAFT}
    )
    assert response.status_code == 409
    assert "No call is open for Border Management and Law Enforcement in UNCCT-2019-02-79" in (
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert draft.status == S.DRAFT and draft.submitted_at is None

    # Save and submit from the form: refused as a whole, what she typed is kept.
    before = db.session.scalar(select(func.count(Proposal.id)))
    response = client.post(
        "/proposals/new",
        data=form_data(world, programme_id=programme.id, title="Kept", submit_proposal="x"),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The proposal was not saved; “Save draft” keeps it as a draft." in page
    assert 'value="Kept"' in page
    assert db.session.scalar(select(func.count(Proposal.id))) == before


def test_the_proposal_form_shows_the_guidance_of_its_call(client, world) -> None:
    programme = next_programme()
    chosen = call(
        programme, [world.group_a], title="Call 2019", guidance="Align with Outcome 4.\nUSD only."
    )
    sign_in(client, world.chair_a)
    page = client.get(f"/proposals/new?call_id={chosen.id}").get_data(as_text=True)
    assert "Call for proposals: Call 2019" in page and "Align with Outcome 4.\nUSD only." in page
    assert f'<option selected value="{chosen.id}">' in page
    assert f'<option selected value="{programme.id}">' in page
    response = client.post(
        "/proposals/new",
        data=form_data(world, programme_id=programme.id, call_id=chosen.id, submit_proposal="x"),
    )
    assert response.status_code == 302
    proposal = db.session.scalars(select(Proposal).where(Proposal.title.like("Bio%"))).one()
    assert proposal.call_id == chosen.id and proposal.status == S.SUBMITTED
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Call for proposals</dt><dd><bdi>Call 2019" in page
    # Without a chosen call, the form shows the call open to her group and programme.
    page = client.get("/proposals/new").get_data(as_text=True)
    assert "Call for proposals: " in page


def test_with_no_call_open_the_form_says_so(client, world) -> None:
    db.session.delete(world.call)
    db.session.commit()
    sign_in(client, world.chair_a)
    page = client.get("/proposals/new").get_data(as_text=True)
    assert "No call is open, or about to open, to your working groups." in page


def test_the_results_framework_is_a_pick_list_on_the_form(client, world) -> None:
    outputs(
        world.programme,
        "Outcome 4, Output 4.2",
        "Outcome 1, Output 1.1",
        retired=("Outcome 9, Output 9.9",),
    )
    sign_in(client, world.chair_a)
    page = client.get("/proposals/new").get_data(as_text=True)
    # A pick list still says it is needed to submit.
    select = (
        '<select aria-describedby="results_alignment-hint" aria-invalid="false" '
        'aria-required="true" id="results_alignment"'
    )
    assert select in page
    assert page.index("Outcome 1, Output 1.1") < page.index("Outcome 4, Output 4.2")
    assert "Outcome 9, Output 9.9" not in page
    response = client.post(
        "/proposals/new", data=form_data(world, results_alignment="Typed freely", save="x")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose an output of the UNCCT-2017-73 results framework from the list." in page
    assert "Typed freely (not on the list)" in page  # what she sent stays visible
    response = client.post("/proposals/new", data=form_data(world, save="x"))
    assert response.status_code == 302


def test_without_a_results_framework_the_field_stays_free_text(client, world) -> None:
    sign_in(client, world.chair_a)
    page = client.get("/proposals/new").get_data(as_text=True)
    assert 'name="results_alignment" type="text"' in page


def test_the_secretariat_carries_a_proposal_over(client, world) -> None:
    proposal = factories.proposal(
        world, status=S.UNDER_REVIEW, call_id=world.call.id, title="Supporting victims"
    )
    programme = next_programme()
    later = call(
        programme, [world.group_a], opens=utcnow() + DAY, closes=utcnow() + 60 * DAY, title="2019"
    )
    sign_in(client, world.chair_a)
    assert client.get(f"/proposals/{proposal.id}/carry-over").status_code == 403
    client.post("/logout")
    sign_in(client, world.secretariat)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Carry over to a later call or programme" in page
    page = client.get(f"/proposals/{proposal.id}/carry-over").get_data(as_text=True)
    assert "<h1>Carry over" in page and "2019 (UNCCT-2019-02-79" in page
    response = client.post(
        f"/proposals/{proposal.id}/carry-over",
        data={"call_id": later.id, "reason": "Under consideration."},
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert (
        "Carried over from UNCCT-2017-73, call “Open call (test world)” to "
        "UNCCT-2019-02-79, call “2019”. Under consideration." in page
    )
    assert "by Nadia Haddad (secretariat)" in page


def test_carry_over_refusals_on_the_page(client, world) -> None:
    item = item_under_review(world)
    programme = next_programme()
    sign_in(client, world.secretariat)
    response = client.post(
        f"/proposals/{item.proposal_id}/carry-over", data={"programme_id": programme.id}
    )
    assert response.status_code == 409
    assert "which is still open" in response.get_data(as_text=True)
    other = factories.proposal(world, status=S.SUBMITTED, title="Not on an agenda")
    response = client.post(f"/proposals/{other.id}/carry-over", data={})
    assert response.status_code == 422
    assert "Choose the call, or the programme" in response.get_data(as_text=True)
    db.session.expire_all()
    assert item.proposal.programme_id == world.programme.id
