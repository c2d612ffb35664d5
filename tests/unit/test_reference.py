"""Reference data: entities, working groups and chairs' terms, funding programmes with their
envelope history and results framework — each change by an administrator only, audited with
its values before and after, refused with a clear message otherwise."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    ChairTerm,
    CodeStyle,
    Entity,
    EnvelopeChange,
    FundingProgramme,
    ResultsOutput,
    WorkingGroup,
)
from prb.services import access, board
from prb.services.errors import Conflict, Invalid, NotAllowed, NotFound
from prb.services.reference import entities, envelopes, groups, outputs, programmes
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.factories import today
from tests.reference_helpers import administrator, audit_count, changes
from workflows import ProposalState, Role

S = ProposalState


def programme_input(**changes_: object) -> programmes.ProgrammeInput:
    values: dict[str, object] = {
        "code": "UNCCT-2019-02-79",
        "title": "Seed funding 2019–2020",
        "start_year": 2019,
        "end_year": 2020,
        "code_style": CodeStyle.UPPER,
        "code_first_letter": "A",
        "envelope": Decimal("900000.00"),
    }
    values.update(changes_)
    return programmes.ProgrammeInput(**values)  # type: ignore[arg-type]


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# -- entities -------------------------------------------------------------------------------


def test_entity_create_edit_retire_reinstate_each_leave_their_before_and_after(world) -> None:
    admin = administrator(world)
    interpol = entities.create_entity(admin, entities.EntityInput("INTERPOL", " Interpol  "))
    entities.update_entity(
        admin, interpol.id, entities.EntityInput("INTERPOL", "International Criminal Police")
    )
    entities.set_retired(admin, interpol.id, True)
    assert interpol.retired_at is not None
    entities.set_retired(admin, interpol.id, False)
    assert interpol.retired_at is None
    assert changes("entity_created") == [
        (None, {"code": "INTERPOL", "name": "Interpol", "retired_at": None})
    ]
    [(before, after)] = changes("entity_edited")
    assert (before["name"], after["name"]) == ("Interpol", "International Criminal Police")
    [(before, after)] = changes("entity_retired")
    assert before["retired_at"] is None and after["retired_at"] is not None
    [(before, after)] = changes("entity_reinstated")
    assert before["retired_at"] is not None and after["retired_at"] is None


def test_an_edit_that_changes_nothing_writes_no_audit_row(world) -> None:
    admin = administrator(world)
    before = audit_count()
    entities.update_entity(admin, world.cted.id, entities.EntityInput("CTED", world.cted.name))
    assert audit_count() == before


def test_entity_codes_are_unique_whatever_the_case(world) -> None:
    admin = administrator(world)
    with pytest.raises(Invalid) as refused:
        entities.create_entity(admin, entities.EntityInput("cted", "Another CTED"))
    assert refused.value.fields["code"] == [f"CTED is already the code of {world.cted.name}."]
    with pytest.raises(Invalid):
        entities.update_entity(admin, world.unodc.id, entities.EntityInput("Cted", "UNODC"))
    assert count(Entity) == 4 and world.unodc.code == "UNODC"


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [
        ("", "Somebody", "code"),
        ("=cmd", "Formula", "code"),
        ("WCO", "", "name"),
        ("X" * 33, "Long", "code"),
    ],
)
def test_entity_fields_are_checked(world, code: str, name: str, field: str) -> None:
    admin = administrator(world)
    with pytest.raises(Invalid) as refused:
        entities.create_entity(admin, entities.EntityInput(code, name))
    assert field in refused.value.fields
    assert count(Entity) == 4


def test_a_duplicate_that_slips_past_the_check_is_still_a_form_error(world, monkeypatch) -> None:
    """Two administrators at once both pass the check; the database's unique constraint
    refuses the second, which must read as the same clear message, not a server error."""
    admin = administrator(world)
    monkeypatch.setattr(entities, "_validate", lambda data, entity_id: None)
    with pytest.raises(Invalid) as refused:
        entities.create_entity(admin, entities.EntityInput("CTED", "Second CTED"))
    assert refused.value.fields == {"code": ["CTED is already an entity's code."]}
    monkeypatch.setattr(groups, "_validate", lambda data, group_id: None)
    with pytest.raises(Invalid) as refused:
        groups.create_group(admin, groups.GroupInput(world.group_a.name, "Dup"))
    assert "name" in refused.value.fields
    monkeypatch.setattr(programmes, "_validate", lambda data, programme: "a")
    with pytest.raises(Invalid) as refused:
        programmes.create_programme(admin, programme_input(code=world.programme.code))
    assert "code" in refused.value.fields
    # The session is usable afterwards and nothing was half-saved.
    assert (count(Entity), count(WorkingGroup), count(FundingProgramme)) == (4, 2, 1)
    assert count(EnvelopeChange) == 0


def test_retiring_twice_is_a_conflict_and_changes_nothing(world) -> None:
    admin = administrator(world)
    entities.set_retired(admin, world.undp.id, True)
    rows = audit_count()
    with pytest.raises(Conflict):
        entities.set_retired(admin, world.undp.id, True)
    assert audit_count() == rows


def test_retired_entities_are_not_offered_but_stay_on_their_records(world) -> None:
    admin = administrator(world)
    entities.set_retired(admin, world.undp.id, True)
    assert world.undp not in entities.offered_entities()
    assert world.undp in entities.offered_entities(keep_ids={world.undp.id})
    assert world.undp in entities.list_entities(world.secretariat)
    assert world.board_undp.entity == world.undp


# -- who may change reference data ----------------------------------------------------------


def edits(world, admin_user):  # type: ignore[no-untyped-def]
    """Every editing use case, as a call taking the acting user."""
    term = ChairTerm(working_group=world.group_a, user=world.chair_a, since=date(2018, 1, 1))
    output = ResultsOutput(programme_id=world.programme.id, label="Outcome 1, Output 1.1")
    db.session.add_all([term, output])
    db.session.commit()
    return {
        "create entity": lambda u: entities.create_entity(u, entities.EntityInput("WCO", "WCO")),
        "edit entity": lambda u: entities.update_entity(
            u, world.cted.id, entities.EntityInput("CTED", "Renamed")
        ),
        "retire entity": lambda u: entities.set_retired(u, world.cted.id, True),
        "create group": lambda u: groups.create_group(u, groups.GroupInput("Resource", "RM")),
        "edit group": lambda u: groups.update_group(
            u, world.group_a.id, groups.GroupInput("Renamed", "R")
        ),
        "retire group": lambda u: groups.set_retired(u, world.group_a.id, True),
        "appoint chair": lambda u: groups.appoint_chair(
            u, world.group_b.id, world.chair_a.id, today()
        ),
        "end term": lambda u: groups.end_chair_term(u, term.id, today()),
        "create programme": lambda u: programmes.create_programme(u, programme_input()),
        "edit programme": lambda u: programmes.update_programme(
            u, world.programme.id, programme_input(code=world.programme.code)
        ),
        "retire programme": lambda u: programmes.set_retired(u, world.programme.id, True),
        "change envelope": lambda u: envelopes.change_envelope(
            u,
            world.programme.id,
            envelopes.EnvelopeChangeInput(today(), Decimal("2000000.00"), "Pledge"),
        ),
        "add output": lambda u: outputs.add_output(u, world.programme.id, "Outcome 2"),
        "retire output": lambda u: outputs.set_retired(u, output.id, True),
    }


def test_only_an_administrator_changes_reference_data(world) -> None:
    admin = administrator(world)
    # Two roles each, none of them administrator: the secretariat with a Board seat, finance
    # who also chairs a group.
    secretariat = factories.user(
        "sec.board@prb.example", world.unoct, Role.SECRETARIAT, Role.BOARD_MEMBER
    )
    finance_chair = factories.user(
        "fin.chair@prb.example", world.unoct, Role.FINANCE, Role.CHAIR, chairs=(world.group_b,)
    )
    db.session.commit()
    cases = edits(world, admin)
    rows = audit_count()
    for person in (world.secretariat, secretariat, finance_chair, world.board_chair):
        for name, call in cases.items():
            with pytest.raises(NotAllowed):
                call(person)
                pytest.fail(f"{person.email} could {name}")
    db.session.expire_all()
    assert audit_count() == rows
    assert world.cted.name != "Renamed" and world.group_a.retired_at is None
    assert world.programme.envelope == Decimal("1356000.00")


def test_an_administrator_who_is_also_secretariat_may_change_it(world) -> None:
    both = administrator(world, Role.SECRETARIAT)
    entities.create_entity(both, entities.EntityInput("WCO", "World Customs Organization"))
    assert changes("entity_created")


def test_lists_are_read_by_the_office_but_not_by_chairs(world) -> None:
    for person in (world.secretariat, world.board_undp, world.finance, administrator(world)):
        assert entities.list_entities(person)
        assert groups.list_groups(person)
        assert programmes.list_programmes(person)
    with pytest.raises(NotAllowed):
        entities.list_entities(world.chair_a)


# -- working groups and chairs --------------------------------------------------------------


def test_working_group_create_edit_retire_with_audit(world) -> None:
    admin = administrator(world)
    group = groups.create_group(
        admin,
        groups.GroupInput("Resource Mobilization, Monitoring & Evaluation", "Resources"),
    )
    groups.update_group(admin, group.id, groups.GroupInput(group.name, "RM&E"))
    groups.set_retired(admin, group.id, True)
    assert changes("working_group_created")[0][1]["short_name"] == "Resources"
    [(before, after)] = changes("working_group_edited")
    assert (before["short_name"], after["short_name"]) == ("Resources", "RM&E")
    assert changes("working_group_retired")[0][1]["retired_at"] is not None
    assert group not in groups.offered_working_groups()
    with pytest.raises(Invalid) as refused:
        groups.create_group(admin, groups.GroupInput(world.group_a.name.upper(), "Again"))
    assert refused.value.fields["name"] == ["Another working group already has this name."]


def test_appointing_a_chair_records_her_term_and_gives_her_the_group(world) -> None:
    admin = administrator(world)
    draft = factories.proposal(world, group=world.group_b, title="Legal draft")
    newcomer = factories.user("newcomer@prb.example", world.undp, Role.CHAIR)
    db.session.commit()
    with pytest.raises(NotFound):  # not hers yet
        access.get_visible_proposal(newcomer, draft.id)
    since = today() - timedelta(days=30)
    term = groups.appoint_chair(admin, world.group_b.id, newcomer.id, since)
    assert (term.since, term.until) == (since, None)
    assert newcomer in world.group_b.chairs
    assert access.get_visible_proposal(newcomer, draft.id) == draft
    [(before, after)] = changes("chair_appointed")
    assert before is None
    assert after == {
        "working_group": world.group_b.name,
        "chair": f"{newcomer.name} <{newcomer.email}>",
        "since": since.isoformat(),
        "until": None,
    }


def test_ending_a_term_keeps_it_and_takes_the_group_away(world) -> None:
    admin = administrator(world)
    draft = factories.proposal(world, group=world.group_a, title="Border draft")
    term = groups.appoint_chair(admin, world.group_a.id, world.chair_a.id, date(2018, 1, 1))
    groups.end_chair_term(admin, term.id, today())
    db.session.expire_all()
    assert term.until == today()
    assert world.chair_a not in world.group_a.chairs
    with pytest.raises(NotFound):  # no longer hers
        access.get_visible_proposal(world.chair_a, draft.id)
    [(before, after)] = changes("chair_term_ended")
    assert (before["until"], after["until"]) == (None, today().isoformat())
    assert [t.id for t in groups.chair_terms(world.group_a.id)] == [term.id]
    # She may be appointed again, from a day after her last term.
    with pytest.raises(Invalid):
        groups.appoint_chair(admin, world.group_a.id, world.chair_a.id, today())
    with pytest.raises(Conflict):
        groups.end_chair_term(admin, term.id, today())


def test_appointments_are_refused_with_a_reason(world) -> None:
    admin = administrator(world)
    rows = audit_count()
    cases = [
        (world.finance.id, today(), "user_id"),  # not a chair
        (world.chair_b.id, today() + timedelta(days=1), "since"),  # ahead of today
        (world.chair_b.id, None, "since"),
        (None, today(), "user_id"),
        (987654, today(), "user_id"),
    ]
    for user_id, since, field in cases:
        with pytest.raises(Invalid) as refused:
            groups.appoint_chair(admin, world.group_a.id, user_id, since)
        assert field in refused.value.fields, (user_id, since)
    groups.appoint_chair(admin, world.group_a.id, world.chair_b.id, date(2019, 5, 1))
    with pytest.raises(Invalid) as refused:  # overlaps her current term
        groups.appoint_chair(admin, world.group_a.id, world.chair_b.id, date(2020, 1, 1))
    assert "already chairs" in refused.value.fields["since"][0]
    term = db.session.scalars(select(ChairTerm)).one()
    with pytest.raises(Invalid):  # ends before it started
        groups.end_chair_term(admin, term.id, date(2019, 4, 30))
    assert audit_count() == rows + 1


# -- programmes -----------------------------------------------------------------------------


def test_a_programme_starts_its_envelope_history_on_1_january(world) -> None:
    admin = administrator(world)
    p = programmes.create_programme(admin, programme_input())
    row = db.session.scalars(select(EnvelopeChange)).one()
    assert (row.programme_id, row.effective_on, row.amount) == (
        p.id,
        date(2019, 1, 1),
        Decimal("900000.00"),
    )
    assert p.envelope == Decimal("900000.00") and p.code_style == CodeStyle.UPPER
    [(before, after)] = changes("programme_created")
    assert before is None
    assert after["envelope"] == "900000.00" and after["code_first_letter"] == "A"
    assert envelopes.envelope_on(p.id, date(2018, 12, 31)) == Decimal("0.00")
    assert envelopes.envelope_on(p.id, date(2019, 1, 1)) == Decimal("900000.00")


@pytest.mark.parametrize(
    ("changes_", "field"),
    [
        ({"code": "UNCCT 2019"}, "code"),
        ({"code": "UNCCT-"}, "code"),
        ({"code": "uncct-2017-73"}, "code"),  # the world's programme, in lower case
        ({"code": "U" * 37}, "code"),
        ({"title": ""}, "title"),
        ({"start_year": None}, "start_year"),
        ({"end_year": 2018}, "end_year"),
        ({"code_style": "roman"}, "code_style"),
        ({"code_first_letter": "a"}, "code_first_letter"),  # upper-case programme
        ({"code_first_letter": "7"}, "code_first_letter"),
        ({"envelope": None}, "envelope"),
        ({"envelope": Decimal("-1")}, "envelope"),
        ({"envelope": Decimal("1.005")}, "envelope"),
    ],
)
def test_programme_fields_are_checked(world, changes_, field: str) -> None:
    admin = administrator(world)
    with pytest.raises(Invalid) as refused:
        programmes.create_programme(admin, programme_input(**changes_))
    assert field in refused.value.fields
    assert count(FundingProgramme) == 1 and count(EnvelopeChange) == 0


def test_editing_a_programme_is_audited_and_keeps_codes_already_given(world) -> None:
    admin = administrator(world)
    data = programme_input(
        code=world.programme.code,
        title=world.programme.title,
        start_year=2017,
        end_year=2018,
        code_style=CodeStyle.LOWER,
        code_first_letter="",
        open_for_proposals=False,
    )
    programmes.update_programme(admin, world.programme.id, data)
    [(before, after)] = changes("programme_edited")
    assert (before["open_for_proposals"], after["open_for_proposals"]) == (True, False)
    assert after["code_first_letter"] == "a"  # empty: the alphabet's first
    assert world.programme not in programmes.offered_programmes()
    assert world.programme in programmes.offered_programmes(keep_ids={world.programme.id})
    factories.project(world, code="UNCCT-2017-73-a")
    with pytest.raises(Invalid) as refused:
        programmes.update_programme(
            admin, world.programme.id, programme_input(code="UNCCT-2017-74")
        )
    assert "can no longer change" in refused.value.fields["code"][0]
    assert world.programme.code == "UNCCT-2017-73"


def test_a_retired_programme_is_not_offered(world) -> None:
    admin = administrator(world)
    programmes.set_retired(admin, world.programme.id, True)
    assert programmes.offered_programmes() == []
    [(before, after)] = changes("programme_retired")
    assert before["retired_at"] is None and after["retired_at"]


# -- the envelope ---------------------------------------------------------------------------


def change(admin, programme, day, amount, reason="Donor pledge"):  # type: ignore[no-untyped-def]
    return envelopes.change_envelope(
        admin, programme.id, envelopes.EnvelopeChangeInput(day, Decimal(amount), reason)
    )


def test_an_envelope_change_is_a_dated_row_and_the_latest_is_in_force(world) -> None:
    admin = administrator(world)
    p = programmes.create_programme(admin, programme_input(envelope=Decimal("1000000.00")))
    change(admin, p, date(2019, 6, 1), "1500000.00", "Second pledge")
    assert p.envelope == Decimal("1500000.00")
    # A correction of an earlier period is recorded without changing the envelope in force.
    change(admin, p, date(2019, 3, 1), "1200000.00", "Correction for March")
    assert p.envelope == Decimal("1500000.00")
    assert envelopes.envelope_on(p.id, date(2019, 2, 28)) == Decimal("1000000.00")
    assert envelopes.envelope_on(p.id, date(2019, 3, 1)) == Decimal("1200000.00")
    assert envelopes.envelope_on(p.id, date(2019, 5, 31)) == Decimal("1200000.00")
    assert envelopes.envelope_on(p.id, today()) == Decimal("1500000.00")
    rows = envelopes.history(p.id)
    assert [(r.change.effective_on, r.in_force, r.recorded_by) for r in rows] == [
        (date(2019, 6, 1), True, admin.name),
        (date(2019, 3, 1), False, admin.name),
        (date(2019, 1, 1), False, admin.name),
    ]
    first, second = changes("envelope_changed")
    assert first[0] == {"envelope": "1000000.00"}
    assert first[1]["envelope"] == "1500000.00"
    assert first[1]["change_reason"] == "Second pledge"
    assert second[0] == {"envelope": "1500000.00"}
    assert second[1]["envelope"] == "1500000.00" and second[1]["change_amount"] == "1200000.00"


def test_an_envelope_cut_below_what_is_approved_is_refused_with_the_figures(world) -> None:
    admin = administrator(world)
    factories.project(world, budget=Decimal("400000.00"), code="UNCCT-2017-73-a")
    factories.project(world, budget=Decimal("300000.00"), code="UNCCT-2017-73-b")
    rows = audit_count()
    with pytest.raises(Invalid) as refused:
        change(admin, world.programme, today(), "699999.99", "Budget cut")
    assert refused.value.message == (
        "An envelope of USD 699,999.99 would be USD 0.01 below the USD 700,000.00 that "
        "UNCCT-2017-73 has already approved (envelope now USD 1,356,000.00). "
        "Nothing was recorded."
    )
    assert refused.value.fields["amount"] == [
        "Give at least USD 700,000.00, the amount already approved."
    ]
    db.session.expire_all()
    assert world.programme.envelope == Decimal("1356000.00")
    assert count(EnvelopeChange) == 0 and audit_count() == rows
    change(admin, world.programme, today(), "700000.00", "Cut to what is approved")
    assert world.programme.envelope == Decimal("700000.00")


def test_envelope_dates_and_reason_are_checked(world) -> None:
    admin = administrator(world)
    p = programmes.create_programme(admin, programme_input())
    for day, amount, reason, field in [
        (today() + timedelta(days=1), "1", "Ahead", "effective_on"),
        (None, "1", "No date", "effective_on"),
        (today(), "1", "  ", "reason"),
        (today(), "-5", "Negative", "amount"),
    ]:
        with pytest.raises(Invalid) as refused:
            envelopes.change_envelope(
                admin, p.id, envelopes.EnvelopeChangeInput(day, Decimal(amount), reason)
            )
        assert field in refused.value.fields, (day, amount, reason)
    assert count(EnvelopeChange) == 1


def test_an_envelope_dated_before_the_programmes_first_year_is_recorded(world) -> None:
    # The Board approved one of its projects in December 2018, before the programme's first
    # year: the envelope in force then is recorded, not refused (the 2018 annual section
    # said "a total budget of USD 0.00"); the envelope in force today is unchanged.
    admin = administrator(world)
    p = programmes.create_programme(admin, programme_input(envelope=Decimal("1000000.00")))
    assert envelopes.envelope_on(p.id, date(2018, 12, 11)) == Decimal("0")
    change(admin, p, date(2018, 12, 1), "1000000.00", "Pledged before the first year")
    assert envelopes.envelope_on(p.id, date(2018, 12, 11)) == Decimal("1000000.00")
    assert p.envelope == Decimal("1000000.00")


def test_a_programme_that_has_not_started_takes_changes_dated_at_its_start(world) -> None:
    admin = administrator(world)
    year = today().year + 1
    p = programmes.create_programme(
        admin, programme_input(code=f"UNCCT-{year}-01", start_year=year, end_year=year + 1)
    )
    change(admin, p, date(year, 1, 1), "950000.00", "Revised pledge before the start")
    assert p.envelope == Decimal("950000.00")
    with pytest.raises(Invalid):
        change(admin, p, date(year, 1, 2), "1.00")


def test_a_programme_without_history_keeps_its_one_envelope(world) -> None:
    assert envelopes.envelope_on(world.programme.id, date(2001, 1, 1)) == Decimal("1356000.00")


# -- results framework ----------------------------------------------------------------------


def test_outputs_are_a_pick_list_per_programme(world) -> None:
    admin = administrator(world)
    other = programmes.create_programme(admin, programme_input())
    a = outputs.add_output(admin, world.programme.id, "Outcome 4, Output 4.2")
    b = outputs.add_output(admin, world.programme.id, " Outcome 1,  Output 1.1 ")
    outputs.add_output(admin, other.id, "Outcome 4, Output 4.2")  # same label elsewhere: fine
    assert b.label == "Outcome 1, Output 1.1"
    with pytest.raises(Invalid) as refused:
        outputs.add_output(admin, world.programme.id, "outcome 4, output 4.2")
    assert "already has" in refused.value.fields["label"][0]
    outputs.set_retired(admin, a.id, True)
    assert outputs.outputs_for(world.programme.id) == [b]
    assert outputs.all_outputs(world.programme.id) == [b, a]
    with pytest.raises(Invalid) as refused:
        outputs.add_output(admin, world.programme.id, "Outcome 4, Output 4.2")
    assert "reinstate it" in refused.value.fields["label"][0]
    outputs.set_retired(admin, a.id, False)
    assert outputs.outputs_for(world.programme.id) == [b, a]
    assert changes("output_added")[0] == (
        None,
        {"label": "Outcome 4, Output 4.2", "programme_id": world.programme.id, "retired_at": None},
    )
    assert len(changes("output_retired")) == 1 and len(changes("output_reinstated")) == 1


# -- project codes by the programme's pattern -----------------------------------------------


def approve_through_the_board(world, programme, title):  # type: ignore[no-untyped-def]
    m = meeting(world, number=f"PRB/2019/{title}")
    item = item_under_review(world, m, programme=programme, title=title)
    for member in (world.board_chair, world.board_undp):  # board_cted is recused (CTED-led)
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    assert item.proposal.status == S.APPROVED
    return item.proposal.project_code


def test_approved_projects_take_codes_in_their_programme_pattern(world) -> None:
    admin = administrator(world)
    lower = programmes.create_programme(
        admin,
        programme_input(
            code="UNCCT-2017-74", code_style=CodeStyle.LOWER, code_first_letter="a", start_year=2017
        ),
    )
    upper = programmes.create_programme(admin, programme_input())  # UNCCT-2019-02-79, from A
    from_d = programmes.create_programme(
        admin, programme_input(code="UNCCT-2019-02-80", code_first_letter="D")
    )
    assert [approve_through_the_board(world, lower, t) for t in ("01", "02")] == [
        "UNCCT-2017-74-a",
        "UNCCT-2017-74-b",
    ]
    assert approve_through_the_board(world, upper, "03") == "UNCCT-2019-02-79-A"
    assert approve_through_the_board(world, from_d, "04") == "UNCCT-2019-02-80-D"
    assert approve_through_the_board(world, from_d, "05") == "UNCCT-2019-02-80-E"


def test_reinstating_a_group_or_a_programme_is_audited_too(world) -> None:
    admin = administrator(world)
    groups.set_retired(admin, world.group_b.id, True)
    groups.set_retired(admin, world.group_b.id, False)
    programmes.set_retired(admin, world.programme.id, True)
    programmes.set_retired(admin, world.programme.id, False)
    for event in ("working_group_reinstated", "programme_reinstated"):
        [(before, after)] = changes(event)
        assert before["retired_at"] is not None and after["retired_at"] is None, event
    assert world.group_b in groups.offered_working_groups()
    assert world.programme in programmes.offered_programmes()
