"""The proposal and account forms offer no retired reference data (nor a programme closed for
proposals), except what the record being edited already names; a forged choice is a 422."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Proposal, utcnow
from tests import factories
from tests.call_helpers import next_programme
from tests.conftest import sign_in
from tests.web.test_proposals import form_data


class _Choices(HTMLParser):
    """The values a form offers for each field: options of a select, or checkboxes."""

    def __init__(self) -> None:
        super().__init__()
        self.offered: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and a.get("value"):
            self.offered.setdefault(self._select, set()).add(str(a["value"]))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and a.get("name"):
            self.offered.setdefault(str(a["name"]), set()).add(str(a.get("value")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def offered(response) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    parser = _Choices()
    parser.feed(response.get_data(as_text=True))
    return parser.offered


def ids(*rows) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(r.id) for r in rows}


def test_a_new_proposal_is_offered_nothing_retired_or_closed(client, world) -> None:
    closed, retired = next_programme(), next_programme("UNCCT-2021-01")
    closed.open_for_proposals = False
    retired.retired_at = world.undp.retired_at = world.group_b.retired_at = utcnow()
    world.chair_a.chaired_groups.append(world.group_b)
    db.session.commit()
    sign_in(client, world.chair_a)
    choices = offered(client.get("/proposals/new"))
    assert choices["programme_id"] == ids(world.programme)
    assert choices["working_group_id"] == ids(world.group_a)
    for name in ("lead_entity_id", "implementing_entity_ids"):
        assert choices[name] == ids(world.cted, world.unodc, world.unoct), name


def test_editing_a_proposal_offers_and_keeps_the_retired_data_it_names(client, world) -> None:
    draft = factories.proposal(world, implementing_entities=[world.undp])
    world.programme.open_for_proposals = False
    for row in (world.group_a, world.cted, world.undp):
        row.retired_at = utcnow()
    db.session.commit()
    sign_in(client, world.chair_a)
    choices = offered(client.get(f"/proposals/{draft.id}/edit"))
    assert choices["programme_id"] == ids(world.programme)
    assert choices["working_group_id"] == ids(world.group_a)
    assert ids(world.cted, world.undp) <= choices["lead_entity_id"]
    assert ids(world.undp) <= choices["implementing_entity_ids"]
    data = form_data(
        world,
        title="Still in its programme and group",
        implementing_entity_ids=[world.undp.id],
        save="Save draft",
        version=str(draft.version),
    )
    assert client.post(f"/proposals/{draft.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert draft.title == "Still in its programme and group"


def test_a_forged_choice_of_retired_data_is_refused_on_the_page(client, world) -> None:
    world.undp.retired_at = world.group_b.retired_at = utcnow()
    world.chair_a.chaired_groups.append(world.group_b)
    db.session.commit()
    sign_in(client, world.chair_a)
    forged = [
        ({"lead_entity_id": world.undp.id}, "UNDP is retired: choose a current entity."),
        ({"implementing_entity_ids": [world.undp.id]}, "UNDP is retired"),
        ({"working_group_id": world.group_b.id}, "is retired: it proposes nothing new."),
    ]
    for changes, message in forged:
        response = client.post("/proposals/new", data=form_data(world, save="Save", **changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_the_account_form_offers_a_retired_entity_only_to_its_members(client, world) -> None:
    world.undp.retired_at = utcnow()
    db.session.commit()
    sign_in(client, factories.administrator(world))
    assert str(world.undp.id) not in offered(client.get("/admin/users/new"))["entity_id"]
    choices = offered(client.get(f"/admin/users/{world.board_undp.id}"))
    assert str(world.undp.id) in choices["entity_id"]
    assert (
        str(world.undp.id)
        not in offered(client.get(f"/admin/users/{world.finance.id}"))["entity_id"]
    )
