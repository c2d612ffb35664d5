"""A programme with a results framework: the proposal's alignment is one of its outputs."""

from __future__ import annotations

import pytest

from prb.extensions import db
from prb.models import ResultsOutput, utcnow
from prb.services import proposal_choices, proposals
from prb.services.errors import Invalid
from tests import factories
from tests.call_helpers import next_programme, outputs, proposal_input


def test_the_pick_list_is_the_programme_s_current_outputs_by_label(world) -> None:
    outputs(
        world.programme,
        "Outcome 4, Output 4.2",
        "Outcome 1, Output 1.1",
        retired=("Outcome 9, Output 9.9",),
    )
    outputs(next_programme(), "Another programme's output")
    assert proposal_choices.results_outputs(world.programme.id) == [
        "Outcome 1, Output 1.1",
        "Outcome 4, Output 4.2",
    ]


def test_a_picked_value_must_belong_to_the_programme_s_list(world) -> None:
    other = next_programme()
    outputs(world.programme, "Outcome 4, Output 4.2", retired=("Outcome 9, Output 9.9",))
    outputs(other, "Outcome 2, Output 2.1")
    base = factories.proposal(world)
    saved = proposals.create_proposal(world.chair_a, proposal_input(base))
    assert saved.results_alignment == "Outcome 4, Output 4.2"
    for refused_value in ("Outcome 2, Output 2.1", "Outcome 9, Output 9.9", "anything typed"):
        with pytest.raises(Invalid) as refused:
            proposals.create_proposal(
                world.chair_a, proposal_input(base, results_alignment=refused_value)
            )
        assert refused.value.fields["results_alignment"] == [
            "Choose an output of the UNCCT-2017-73 results framework from the list."
        ]
    # Empty is a draft's right (required only to submit).
    assert proposals.create_proposal(world.chair_a, proposal_input(base, results_alignment=""))


def test_without_a_results_framework_the_alignment_is_free_text(world) -> None:
    base = factories.proposal(world)
    saved = proposals.create_proposal(
        world.chair_a, proposal_input(base, results_alignment="Pillar II of the Strategy")
    )
    assert saved.results_alignment == "Pillar II of the Strategy"


def test_an_output_retired_after_it_was_chosen_may_stay_but_not_be_chosen_anew(world) -> None:
    outputs(world.programme, "Outcome 4, Output 4.2", "Outcome 4, Output 4.3")
    draft = proposals.create_proposal(world.chair_a, proposal_input(factories.proposal(world)))
    output = db.session.query(ResultsOutput).filter_by(label="Outcome 4, Output 4.2").one()
    output.retired_at = utcnow()
    db.session.commit()
    proposals.update_proposal(
        world.chair_a, draft.id, proposal_input(draft, title="Edited"), seen_version=draft.version
    )
    assert draft.title == "Edited" and draft.results_alignment == "Outcome 4, Output 4.2"
    with pytest.raises(Invalid):
        proposals.create_proposal(world.chair_a, proposal_input(draft))
