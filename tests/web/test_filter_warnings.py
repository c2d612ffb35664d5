"""A list warns about its filters only when the user gave one that was not understood: the
menu's link (no filter at all) and blank filters are not worth a warning."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.reference_helpers import administrator

WARNING = "Some filters were not understood and were ignored."


@pytest.mark.parametrize("who", ["secretariat", "chair_a", "board_undp", "finance"])
def test_the_proposals_menu_link_warns_nobody(client, world, who: str) -> None:
    sign_in(client, getattr(world, who))
    for query in ("", "?status=", "?status=&working_group_id=&year=", "?page=1"):
        response = client.get("/proposals/" + query)
        assert response.status_code == 200, query
        assert WARNING not in response.get_data(as_text=True), query


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?year=abc", "?working_group_id=999999", "?status=%20x"]
)
def test_a_typed_filter_that_was_ignored_is_warned_about(client, world, query: str) -> None:
    sign_in(client, world.secretariat)
    response = client.get("/proposals/" + query)
    assert response.status_code == 200
    assert WARNING in response.get_data(as_text=True)


def test_the_audit_trail_warns_only_about_typed_filters(client, world) -> None:
    sign_in(client, administrator(world))
    for query in ("", "?event=&subject=&actor_id=&since=&until="):
        assert WARNING not in client.get("/admin/audit" + query).get_data(as_text=True), query
    assert WARNING in client.get("/admin/audit?event=bogus").get_data(as_text=True)
    assert WARNING in client.get("/admin/audit?actor_id=abc").get_data(as_text=True)
