from __future__ import annotations

from decimal import Decimal
from secrets import token_hex

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Proposal
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState

S = ProposalState


def form_data(world, **changes) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "programme_id": world.programme.id,
        "working_group_id": world.group_a.id,
        "title": "Biometrics compendium leaflet",
        "lead_entity_id": world.cted.id,
        "implementing_entity_ids": [world.unodc.id],
        "objective": "Print and translate the compendium",
        "description": "A leaflet in the six official languages.",
        "thematic_area": "Border management",
        "scope": "Global",
        "scope_detail": "",
        "results_alignment": "Outcome 4, Output 4.2",
        "requested_budget": "45000.50",
        "duration_months": "4",
        "planned_start": "2019-01-01",
        "once": token_hex(8),  # the form's one-time token, as the page carries it
    }
    data.update(changes)
    return data


def count_proposals() -> int:
    return db.session.scalar(select(func.count(Proposal.id))) or 0


def test_chair_creates_edits_and_submits_a_proposal(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post("/proposals/new", data=form_data(world, save="Save draft"))
    assert response.status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.status == S.DRAFT
    assert proposal.requested_budget == Decimal("45000.50")
    assert [e.code for e in proposal.implementing_entities] == ["UNODC"]
    page = client.get(response.location).get_data(as_text=True)
    assert f"Draft {proposal.reference} was saved" in page
    assert "Submit to the Board" in page

    response = client.post(
        f"/proposals/{proposal.id}/edit",
        data=form_data(
            world,
            title="Biometrics leaflet, six languages",
            save="Save draft",
            version=str(proposal.version),
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Biometrics leaflet, six languages"

    response = client.post(
        f"/proposals/{proposal.id}/actions/submit", data={"expected_status": S.DRAFT}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == S.SUBMITTED
    assert proposal.submitted_at is not None
    history = db.session.scalars(
        select(AuditRecord).where(AuditRecord.proposal_id == proposal.id).order_by(AuditRecord.id)
    ).all()
    assert [(h.event, h.from_state, h.to_state) for h in history] == [
        ("created", None, S.DRAFT),
        ("edited", None, None),
        ("submit", S.DRAFT, S.SUBMITTED),
    ]
    assert all(h.actor_id == world.chair_a.id and h.actor_role == "chair" for h in history)
    assert all(h.at.tzinfo is not None for h in history)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Draft → Submitted" in page
    assert "Withdraw proposal" in page  # the only action left for the chair


def test_save_and_submit_in_one_step(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post("/proposals/new", data=form_data(world, submit_proposal="x"))
    assert response.status_code == 302
    assert db.session.scalars(select(Proposal.status)).one() == S.SUBMITTED


def test_invalid_input_shows_messages_next_to_fields_and_saves_nothing(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post(
        "/proposals/new",
        data=form_data(
            world,
            title="",
            requested_budget="-10",
            duration_months="61",
            planned_start="2019-02-30",
            objective="x" * 501,
            save="Save draft",
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in (
        "Give the proposal a title.",
        "The requested budget must be more than USD 0.",
        "The duration must be 1 to 60 months.",
        "Enter a real date as year-month-day",
        "Keep this under 500 characters",
    ):
        assert message in page
    assert 'aria-invalid="true"' in page
    # what the user typed is kept
    assert "x" * 501 in page
    assert "A leaflet in the six official languages." in page
    assert 'value="-10"' in page
    assert count_proposals() == 0
    assert db.session.scalar(select(func.count(AuditRecord.id))) == 1  # only the sign-in


def test_absurd_budget_and_fractions_of_cents_are_refused(client, world) -> None:
    sign_in(client, world.chair_a)
    for amount, message in (
        ("99999999999", "is more than the USD 10,000,000.00 limit"),
        ("2000000", "whole envelope of USD 1,356,000.00"),
        ("10.555", "two decimals at most"),
        ("lots", "Enter an amount in US dollars"),
    ):
        response = client.post(
            "/proposals/new", data=form_data(world, requested_budget=amount, save="x")
        )
        assert response.status_code == 422, amount
        assert message in response.get_data(as_text=True), amount
    assert count_proposals() == 0


def test_submitting_needs_every_required_field(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post(
        "/proposals/new",
        data=form_data(world, objective="", requested_budget="", submit_proposal="x"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Objective is required to submit." in page
    assert "Requested budget is required to submit." in page
    assert count_proposals() == 0
    # the same content is fine as a draft, and the page says why it cannot be submitted yet
    response = client.post(
        "/proposals/new", data=form_data(world, objective="", requested_budget="", save="x")
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Complete these fields before submitting: objective, requested budget." in page
    proposal = db.session.scalars(select(Proposal)).one()
    response = client.post(f"/proposals/{proposal.id}/actions/submit", data={})
    assert response.status_code == 409
    db.session.expire_all()
    assert proposal.status == S.DRAFT


def test_regional_scope_needs_the_region(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post(
        "/proposals/new", data=form_data(world, scope="Regional", submit_proposal="x")
    )
    assert response.status_code == 422
    assert "Countries or region is required to submit." in response.get_data(as_text=True)


def test_chair_cannot_propose_for_a_group_she_does_not_chair(client, world) -> None:
    sign_in(client, world.chair_a)
    response = client.post(
        "/proposals/new", data=form_data(world, working_group_id=world.group_b.id, save="x")
    )
    assert response.status_code == 422
    assert "only propose for a working group you chair" in response.get_data(as_text=True)
    assert count_proposals() == 0


def test_another_chair_can_neither_see_nor_edit_nor_submit_her_draft(client, world) -> None:
    draft = factories.proposal(world, group=world.group_a)
    sign_in(client, world.chair_b)
    assert client.get(f"/proposals/{draft.id}").status_code == 404
    assert client.get(f"/proposals/{draft.id}/edit").status_code == 404
    response = client.post(f"/proposals/{draft.id}/edit", data=form_data(world, save="x"))
    assert response.status_code == 404
    assert client.post(f"/proposals/{draft.id}/actions/submit").status_code == 404
    listing = client.get("/proposals/").get_data(as_text=True)
    assert draft.title not in listing
    db.session.expire_all()
    assert draft.status == S.DRAFT and draft.title == "Compendium of good practices"


def test_board_and_secretariat_do_not_see_drafts(client, world) -> None:
    draft = factories.proposal(world, title="Secret draft")
    factories.proposal(world, title="Submitted one", status=S.SUBMITTED)
    for person in (world.secretariat, world.board_undp, world.finance):
        sign_in(client, person)
        assert client.get(f"/proposals/{draft.id}").status_code == 404
        listing = client.get("/proposals/").get_data(as_text=True)
        assert "Secret draft" not in listing and "Submitted one" in listing
        client.post("/logout")


def test_secretariat_starts_the_review(client, world) -> None:
    proposal = factories.proposal(world, status=S.SUBMITTED)
    sign_in(client, world.secretariat)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Start Board review" in page
    response = client.post(
        f"/proposals/{proposal.id}/actions/start_review",
        data={"expected_status": S.SUBMITTED, "comment": "On the agenda of PRB/2018/03"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == S.UNDER_REVIEW
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "start_review")
    ).one()
    assert (record.actor_id, record.actor_role) == (world.secretariat.id, "secretariat")
    assert record.comment == "On the agenda of PRB/2018/03"


def test_forbidden_trigger_is_refused_by_the_service_not_just_hidden(client, world) -> None:
    proposal = factories.proposal(world, status=S.SUBMITTED)
    sign_in(client, world.board_undp)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Start Board review" not in page
    response = client.post(f"/proposals/{proposal.id}/actions/start_review")
    assert response.status_code == 403
    assert "Only a secretariat may" in response.get_data(as_text=True)
    response = client.post(f"/proposals/{proposal.id}/actions/approve")
    assert response.status_code == 403
    assert "only through a recorded Board decision" in response.get_data(as_text=True)
    assert client.post(f"/proposals/{proposal.id}/actions/teleport").status_code == 404
    db.session.expire_all()
    assert proposal.status == S.SUBMITTED
    assert (
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.proposal_id == proposal.id)
        )
        == 0
    )


def test_trigger_in_the_wrong_state_is_a_conflict(client, world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    sign_in(client, world.secretariat)
    response = client.post(f"/proposals/{proposal.id}/actions/start_review")
    assert response.status_code == 409
    assert "not possible while the proposal is Under review" in response.get_data(as_text=True)


def test_stale_page_gets_a_409_and_changes_nothing(client, world) -> None:
    proposal = factories.proposal(world, status=S.UNDER_REVIEW)
    sign_in(client, world.chair_a)
    response = client.post(
        f"/proposals/{proposal.id}/actions/withdraw",
        data={"expected_status": S.SUBMITTED, "comment": "No longer needed"},
    )
    assert response.status_code == 409
    assert "changed while you were looking at it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.status == S.UNDER_REVIEW


def test_withdrawal_needs_a_reason(client, world) -> None:
    proposal = factories.proposal(world, status=S.SUBMITTED)
    sign_in(client, world.chair_a)
    response = client.post(f"/proposals/{proposal.id}/actions/withdraw", data={"comment": " "})
    assert response.status_code == 422
    assert "A reason is required to withdraw" in response.get_data(as_text=True) or (
        "Please give a reason to withdraw" in response.get_data(as_text=True)
    )
    response = client.post(
        f"/proposals/{proposal.id}/actions/withdraw", data={"comment": "Merged with another"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == S.WITHDRAWN


def test_submitted_proposal_can_no_longer_be_edited(client, world) -> None:
    proposal = factories.proposal(world, status=S.SUBMITTED)
    sign_in(client, world.chair_a)
    response = client.get(f"/proposals/{proposal.id}/edit")
    assert response.status_code == 302
    response = client.post(
        f"/proposals/{proposal.id}/edit", data=form_data(world, title="Changed", save="x")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Compendium of good practices"


def test_edit_from_a_stale_form_is_refused_and_keeps_the_input(client, world) -> None:
    proposal = factories.proposal(world)
    sign_in(client, world.chair_a)
    stale = str(proposal.version)
    client.post(
        f"/proposals/{proposal.id}/edit",
        data=form_data(world, title="First tab", save="x", version=stale),
    )
    response = client.post(
        f"/proposals/{proposal.id}/edit",
        data=form_data(world, title="Second tab", save="x", version=stale),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed by someone else after you opened it" in page
    assert 'value="Second tab"' in page
    db.session.expire_all()
    assert proposal.title == "First tab"


def test_lists_filter_and_page(client, world) -> None:
    for i in range(7):
        factories.proposal(world, title=f"Border project {i}", status=S.SUBMITTED)
    for i in range(3):
        factories.proposal(
            world,
            group=world.group_b,
            created_by=world.chair_b,
            title=f"Legal project {i}",
            status=S.UNDER_REVIEW,
        )
    sign_in(client, world.secretariat)
    page1 = client.get("/proposals/").get_data(as_text=True)
    assert "10 proposals; page 1 of 2" in page1
    page2 = client.get("/proposals/?page=2").get_data(as_text=True)
    assert "page 2 of 2" in page2
    filtered = client.get(f"/proposals/?status={S.UNDER_REVIEW}").get_data(as_text=True)
    assert "3 proposals" in filtered and "Legal project 0" in filtered
    assert "Border project" not in filtered
    by_group = client.get(f"/proposals/?working_group_id={world.group_a.id}").get_data(as_text=True)
    assert "7 proposals" in by_group
    year = db.session.scalars(select(Proposal.created_at)).first().year
    assert "10 proposals" in client.get(f"/proposals/?year={year}").get_data(as_text=True)
    assert "No proposals match" in client.get(f"/proposals/?year={year - 5}").get_data(as_text=True)
    bad = client.get("/proposals/?status=nonsense&year=abc")
    assert bad.status_code == 200
    assert "were not understood and were ignored" in bad.get_data(as_text=True)
    client.post("/logout")
    sign_in(client, world.chair_b)
    mine = client.get("/proposals/").get_data(as_text=True)
    assert "3 proposals" in mine and "Border project" not in mine


def test_dashboard_shows_what_needs_action(client, world) -> None:
    factories.proposal(world, title="My draft")
    factories.proposal(world, title="Waiting for review", status=S.SUBMITTED)
    sign_in(client, world.chair_a)
    page = client.get("/").get_data(as_text=True)
    assert "Needs my action" in page and "My draft" in page
    client.post("/logout")
    sign_in(client, world.secretariat)
    page = client.get("/").get_data(as_text=True)
    assert "to put under Board review" in page and "Waiting for review" in page
    assert "My draft" not in page


def test_user_typed_text_is_escaped(client, world) -> None:
    factories.proposal(world, title="<script>alert(1)</script>", status=S.SUBMITTED)
    sign_in(client, world.secretariat)
    page = client.get("/proposals/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_lifecycle_page_is_generated_from_the_definition(client, world) -> None:
    sign_in(client, world.board_undp)
    page = client.get("/workflow/").get_data(as_text=True)
    assert "stateDiagram-v2" in page
    assert "under_review --&gt; approved: approve" in page
    assert "Revision requested" in page


def test_lists_stop_counting_at_the_cap(client, world, monkeypatch) -> None:
    monkeypatch.setattr("prb.services.proposals.COUNT_CAP", 6)
    for i in range(9):
        factories.proposal(world, title=f"Project {i}", status=S.SUBMITTED)
    sign_in(client, world.secretariat)
    page = client.get("/proposals/").get_data(as_text=True)
    assert "More than 6 proposals: filter to narrow them down; page 1 of 2." in page
    assert "page 2 of 2" in client.get("/proposals/?page=9").get_data(as_text=True)


def test_a_chair_of_two_groups_moves_a_draft_and_the_notice_names_the_new_group(
    client, world
) -> None:
    # The submission's notice named the group the draft was saved under before.
    from prb.models import Notification

    world.chair_a.chaired_groups.append(world.group_b)
    db.session.commit()
    sign_in(client, world.chair_a)
    client.post("/proposals/new", data=form_data(world, save="Save draft"))
    draft = db.session.scalars(select(Proposal)).one()
    response = client.post(
        f"/proposals/{draft.id}/edit",
        data=form_data(
            world,
            working_group_id=world.group_b.id,
            submit_proposal="x",
            version=str(draft.version),
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert draft.status == S.SUBMITTED and draft.working_group_id == world.group_b.id
    told = db.session.scalars(select(Notification.subject)).all()
    assert told and all(world.group_a.name not in t for t in told), told
    assert any(world.group_b.name in t for t in told), told


def test_a_proposal_the_board_has_seen_stays_in_its_working_group(client, world) -> None:
    # Moved on revision to a group its call does not take, it was resubmitted unchecked.
    world.chair_a.chaired_groups.append(world.group_b)
    db.session.commit()
    p = factories.proposal(world, status=S.REVISION_REQUESTED)
    sign_in(client, world.chair_a)
    response = client.post(
        f"/proposals/{p.id}/edit",
        data=form_data(world, working_group_id=world.group_b.id, save="x", version=str(p.version)),
    )
    assert response.status_code == 422
    assert "it stays that group" in response.get_data(as_text=True).replace("&#39;", "'")
    db.session.expire_all()
    assert p.working_group_id == world.group_a.id
