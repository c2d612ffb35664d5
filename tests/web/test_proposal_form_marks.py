"""The proposal form marks the fields a submission needs, in words and for assistive
technology, from the submission rule itself (issue 17)."""

from __future__ import annotations

import re

from prb.services.proposal_rules import LABELS, ProposalInput, missing_field_names
from prb.web.forms import NEEDED_TO_SUBMIT
from tests.conftest import sign_in


def test_the_marks_follow_the_submission_rule() -> None:
    empty = ProposalInput(programme_id=None, working_group_id=None)
    assert set(missing_field_names(empty)) < NEEDED_TO_SUBMIT
    assert {"programme_id", "working_group_id", "title", "requested_budget"} <= NEEDED_TO_SUBMIT
    # optional, or needed only for a regional or national scope
    assert not {"implementing_entity_ids", "duration_note", "call_id", "scope_detail"} & (
        NEEDED_TO_SUBMIT
    )


def test_the_form_marks_what_a_submission_needs(client, world) -> None:
    sign_in(client, world.chair_a)
    page = client.get("/proposals/new").get_data(as_text=True)
    assert "The fields marked “(required)” are needed to submit" in page
    marked = set(re.findall(r'<(?:input|select|textarea)[^>]*aria-required="true"[^>]*>', page))
    ids = {re.search(r'\sid="([^"]+)"', tag).group(1) for tag in marked}  # type: ignore[union-attr]
    assert ids == set(NEEDED_TO_SUBMIT)
    for name in NEEDED_TO_SUBMIT:
        label = re.search(rf'<label for="{name}">(.*?)</label>', page, re.S)
        assert label is not None, name
        assert LABELS[name] in label.group(1) and "(required)" in label.group(1), name
    for name in ("duration_note", "scope_detail"):
        label = re.search(rf'<label for="{name}">(.*?)</label>', page, re.S)
        assert label is not None and "(required)" not in label.group(1), name
