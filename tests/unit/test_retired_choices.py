"""Retired reference data is not offered for new records, and a form that names it anyway is
refused (422) — except where the record being edited already names it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Proposal, utcnow
from prb.services import proposal_choices, proposals
from prb.services.accounts import people
from prb.services.errors import Invalid
from tests import factories
from tests.call_helpers import next_programme, proposal_input
from workflows import Role


def retire(*rows: object) -> None:
    for row in rows:
        row.retired_at = utcnow()  # type: ignore[attr-defined]
    db.session.commit()


def count_proposals() -> int:
    return db.session.scalar(select(func.count(Proposal.id))) or 0


def test_the_proposal_form_offers_nothing_retired_or_closed(world) -> None:
    closed = next_programme()
    closed.open_for_proposals = False
    retire(world.undp)
    # Amina chairs both groups; one of them is retired.
    world.chair_a.chaired_groups.append(world.group_b)
    retire(world.group_b)
    ctx = proposal_choices.form_context(
        world.chair_a, programme_id=None, working_group_id=None, call_id=None
    )
    assert [p.code for p in ctx.programmes] == [world.programme.code]
    assert ctx.groups == [world.group_a] and ctx.working_group_id == world.group_a.id
    assert world.undp not in ctx.entities and world.cted in ctx.entities
    retire(world.programme)
    ctx = proposal_choices.form_context(
        world.chair_a, programme_id=None, working_group_id=None, call_id=None
    )
    assert ctx.programmes == []


def test_editing_a_draft_still_offers_what_it_already_names(world) -> None:
    draft = factories.proposal(world, implementing_entities=[world.undp])
    retire(world.programme, world.group_a, world.cted, world.undp)
    ctx = proposal_choices.form_context(
        world.chair_a,
        programme_id=draft.programme_id,
        working_group_id=draft.working_group_id,
        call_id=None,
        proposal=draft,
    )
    assert ctx.programmes == [world.programme]
    assert ctx.groups == [world.group_a]
    assert {world.cted, world.undp} <= set(ctx.entities)
    # ... and saving it keeps them.
    proposals.update_proposal(
        world.chair_a,
        draft.id,
        proposal_input(draft, title="Kept as it was", implementing_entity_ids=[world.undp.id]),
        seen_version=draft.version,
    )
    db.session.expire_all()
    assert draft.title == "Kept as it was"
    assert (draft.programme, draft.working_group, draft.lead_entity) == (
        world.programme,
        world.group_a,
        world.cted,
    )
    assert draft.implementing_entities == [world.undp]


@pytest.mark.parametrize(
    ("forged", "field", "message"),
    [
        ("lead", "lead_entity_id", "UNDP is retired: choose a current entity."),
        ("implementing", "implementing_entity_ids", "UNDP is retired: choose a current entity."),
        ("group", "working_group_id", "is retired: it proposes nothing new."),
        ("programme", "programme_id", "UNCCT-2019-02-79 is retired: choose a current programme."),
        ("closed", "programme_id", "UNCCT-2019-02-79 is closed for proposals"),
    ],
)
def test_a_new_proposal_naming_retired_data_is_refused(
    world, forged: str, field: str, message: str
) -> None:
    template = factories.proposal(world)
    other = next_programme()
    world.chair_a.chaired_groups.append(world.group_b)
    db.session.commit()
    changes: dict[str, object] = {"call_id": None}
    if forged == "lead":
        retire(world.undp)
        changes["lead_entity_id"] = world.undp.id
    elif forged == "implementing":
        retire(world.undp)
        changes["implementing_entity_ids"] = [world.undp.id]
    elif forged == "group":
        retire(world.group_b)
        changes["working_group_id"] = world.group_b.id
    elif forged == "programme":
        retire(other)
        changes["programme_id"] = other.id
    else:
        other.open_for_proposals = False
        db.session.commit()
        changes["programme_id"] = other.id
    before = count_proposals()
    with pytest.raises(Invalid) as refused:
        proposals.create_proposal(world.chair_a, proposal_input(template, **changes))
    assert refused.value.status_code == 422
    assert any(message in m for m in refused.value.fields[field]), refused.value.fields
    assert count_proposals() == before


def test_a_draft_cannot_take_up_retired_data_it_did_not_name(world) -> None:
    draft = factories.proposal(world)
    retire(world.undp)
    with pytest.raises(Invalid) as refused:
        proposals.update_proposal(
            world.chair_a,
            draft.id,
            proposal_input(draft, lead_entity_id=world.undp.id, title="Changed"),
            seen_version=draft.version,
        )
    assert refused.value.fields["lead_entity_id"] == ["UNDP is retired: choose a current entity."]
    db.session.expire_all()
    assert draft.lead_entity == world.cted and draft.title != "Changed"


def test_an_account_keeps_its_retired_entity_but_none_takes_it_up(world) -> None:
    admin = factories.administrator(world)
    retire(world.undp)
    member = world.board_undp
    kept = people.update_user(
        admin,
        member.id,
        people.UserInput(
            email=member.email,
            name="Renamed Member",
            entity_id=world.undp.id,
            roles={Role.BOARD_MEMBER},
        ),
    ).user
    assert kept.name == "Renamed Member" and kept.entity == world.undp
    with pytest.raises(Invalid) as refused:
        people.update_user(
            admin,
            world.finance.id,
            people.UserInput(
                email=world.finance.email,
                name=world.finance.name,
                entity_id=world.undp.id,
                roles={Role.FINANCE},
            ),
        )
    assert refused.value.status_code == 422
    assert refused.value.fields["entity_id"] == ["UNDP is retired; choose a current entity."]
    db.session.expire_all()
    assert world.finance.entity == world.unoct
