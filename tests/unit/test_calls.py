"""Calls for proposals: who opens and edits them, what may change once open, and the audit
of every change (service level, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Call, utcnow
from prb.services import calls
from prb.services.calls import CallInput, CallPhase, phase, window_problems
from prb.services.errors import Invalid, NotAllowed, NotFound
from tests import factories
from tests.call_helpers import DAY, administrator, call, next_programme
from workflows import Role

NOW = datetime(2019, 3, 1, 12, 0, tzinfo=UTC)


# -- pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW - timedelta(minutes=1), CallPhase.UPCOMING),
        (NOW, CallPhase.OPEN),  # opens_at is inclusive
        (NOW + DAY, CallPhase.OPEN),
        (NOW + 2 * DAY - timedelta(microseconds=1), CallPhase.OPEN),
        (NOW + 2 * DAY, CallPhase.CLOSED),  # closes_at is exclusive
    ],
)
def test_a_window_is_open_from_its_opening_until_just_before_its_closing(now, expected) -> None:  # type: ignore[no-untyped-def]
    assert phase(NOW, NOW + 2 * DAY, now) == expected


@pytest.mark.parametrize(
    ("opens", "closes", "problems"),
    [
        (NOW, NOW + DAY, {}),
        (NOW - 30 * DAY, NOW + DAY, {}),  # opening in the past: the call is open at once
        (None, NOW + DAY, {"opens_at": "Give the date and time the call opens"}),
        (NOW, None, {"closes_at": "Give the date and time the call closes"}),
        (NOW + DAY, NOW + DAY, {"closes_at": "must close after it opens"}),
        (NOW + 2 * DAY, NOW + DAY, {"closes_at": "must close after it opens"}),
        (NOW - 2 * DAY, NOW - DAY, {"closes_at": "would close before now"}),
        (NOW - 2 * DAY, NOW, {"closes_at": "would close before now"}),
    ],
)
def test_window_problems(opens, closes, problems) -> None:  # type: ignore[no-untyped-def]
    found = window_problems(opens, closes, NOW)
    assert set(found) == set(problems)
    for name, words in problems.items():
        assert words in " ".join(found[name])


def test_a_naive_time_is_a_programming_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="UTC-aware"):
        window_problems(datetime(2019, 3, 1), NOW + DAY, NOW)


# -- opening a call --------------------------------------------------------------------


def _input(programme, groups, **changes) -> CallInput:  # type: ignore[no-untyped-def]
    now = utcnow()
    values = {
        "programme_id": programme.id,
        "title": "Call for proposals 2019–2020",
        "opens_at": now + 5 * DAY,
        "closes_at": now + 40 * DAY,
        "working_group_ids": {g.id for g in groups},
        "guidance": "Two pages at most.\nAlign with Outcome 4.",
    }
    values.update(changes)
    return CallInput(**values)


def _call_audit() -> list[AuditRecord]:
    return list(
        db.session.scalars(
            select(AuditRecord).where(AuditRecord.subject == "call").order_by(AuditRecord.id)
        )
    )


def test_an_administrator_opens_a_call_and_the_audit_keeps_what_was_created(world) -> None:
    admin = administrator(world)
    programme = next_programme()
    created = calls.create_call(admin, _input(programme, [world.group_b, world.group_a]))
    assert created.programme_id == programme.id
    assert [g.name for g in created.working_groups] == [world.group_a.name, world.group_b.name]
    assert created.opens_at.tzinfo is not None and created.opens_at.second == 0
    assert calls.phase_of(created) == CallPhase.UPCOMING
    (record,) = _call_audit()
    assert (record.event, record.actor_id, record.actor_role) == (
        "call_created",
        admin.id,
        "administrator",
    )
    assert record.subject_id == created.id and record.before is None
    after = json.loads(record.after or "")
    assert after["programme"] == "UNCCT-2019-02-79"
    assert after["working_groups"] == sorted([world.group_a.name, world.group_b.name])
    assert after["guidance"] == "Two pages at most.\nAlign with Outcome 4."


@pytest.mark.parametrize("who", ["secretariat", "chair_a", "board_chair", "finance"])
def test_only_an_administrator_opens_a_call(world, who: str) -> None:
    programme = next_programme()
    with pytest.raises(NotAllowed, match="Only an administrator may open a call"):
        calls.create_call(getattr(world, who), _input(programme, [world.group_a]))
    assert db.session.scalar(select(func.count(Call.id))) == 1  # the test world's own
    assert _call_audit() == []


def test_the_secretariat_role_beside_another_does_not_make_an_administrator(world) -> None:
    both = factories.user(
        "sec.chair@prb.example",
        world.unoct,
        Role.SECRETARIAT,
        Role.CHAIR,
        chairs=(world.group_a,),
    )
    db.session.commit()
    with pytest.raises(NotAllowed):
        calls.create_call(both, _input(next_programme(), [world.group_a]))
    # …while one person may be administrator and secretariat at once.
    admin_and_secretariat = administrator(world, Role.SECRETARIAT, email="two@prb.example")
    assert calls.create_call(admin_and_secretariat, _input(next_programme("P-2"), [world.group_a]))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"working_group_ids": set()}, "working_group_ids", "at least one working group"),
        ({"working_group_ids": {999_999}}, "working_group_ids", "from the list"),
        ({"title": "  "}, "title", "Give the call a title"),
        ({"title": "x" * 201}, "title", "under 200"),
        ({"guidance": "x" * 10_001}, "guidance", "under 10,000"),
        ({"programme_id": None}, "programme_id", "Choose the funding programme"),
    ],
)
def test_a_call_needs_its_fields(world, changes, field, words) -> None:  # type: ignore[no-untyped-def]
    admin = administrator(world)
    with pytest.raises(Invalid) as refused:
        calls.create_call(admin, _input(next_programme(), [world.group_a], **changes))
    assert words in " ".join(refused.value.fields[field])
    assert db.session.scalar(select(func.count(Call.id))) == 1 and _call_audit() == []


def test_a_call_cannot_close_in_the_past(world) -> None:
    admin = administrator(world)
    now = utcnow()
    with pytest.raises(Invalid) as refused:
        calls.create_call(
            admin,
            _input(next_programme(), [world.group_a], opens_at=now - 9 * DAY, closes_at=now - DAY),
        )
    assert "would close before now" in refused.value.fields["closes_at"][0]


def test_a_closed_or_retired_programme_and_a_retired_group_take_no_call(world) -> None:
    admin = administrator(world)
    closed = next_programme()
    closed.open_for_proposals = False
    retired = next_programme("UNCCT-2015-01")
    retired.retired_at = utcnow()
    world.group_b.retired_at = utcnow()
    db.session.commit()
    with pytest.raises(Invalid, match="not saved") as refused:
        calls.create_call(admin, _input(closed, [world.group_a]))
    assert "closed for proposals" in refused.value.fields["programme_id"][0]
    with pytest.raises(Invalid) as refused:
        calls.create_call(admin, _input(retired, [world.group_a]))
    assert "retired" in refused.value.fields["programme_id"][0]
    with pytest.raises(Invalid) as refused:
        calls.create_call(admin, _input(next_programme("P-3"), [world.group_b]))
    assert world.group_b.name in refused.value.fields["working_group_ids"][0]


def test_two_calls_of_a_programme_may_not_be_open_to_a_group_at_once(world) -> None:
    """Otherwise "the open call" of a submission would be ambiguous."""
    admin = administrator(world)
    with pytest.raises(Invalid) as refused:
        calls.create_call(admin, _input(world.programme, [world.group_a]))
    assert "overlaps the call “Open call (test world)”" in refused.value.fields["closes_at"][0]
    # Another programme, or the same programme for a group the other call does not name,
    # or a window after it: accepted.
    programme = next_programme()
    first = calls.create_call(admin, _input(programme, [world.group_a]))
    calls.create_call(admin, _input(programme, [world.group_b]))
    calls.create_call(
        admin,
        _input(
            programme,
            [world.group_a],
            opens_at=first.closes_at,
            closes_at=first.closes_at + 30 * DAY,
            title="The next one",
        ),
    )


# -- changing a call -------------------------------------------------------------------


def test_before_it_opens_everything_may_change_and_the_audit_keeps_before_and_after(
    world,
) -> None:
    admin = administrator(world)
    programme = next_programme()
    created = calls.create_call(admin, _input(programme, [world.group_a]))
    later = next_programme("UNCCT-2021-01")
    calls.update_call(
        admin,
        created.id,
        _input(
            later,
            [world.group_b],
            title="Renamed",
            opens_at=created.opens_at + DAY,
            closes_at=created.closes_at,
        ),
    )
    db.session.expire_all()
    changed = db.session.get(Call, created.id)
    assert changed is not None
    assert (changed.title, changed.programme_id) == ("Renamed", later.id)
    assert [g.id for g in changed.working_groups] == [world.group_b.id]
    record = _call_audit()[-1]
    assert record.event == "call_changed" and record.actor_id == admin.id
    before, after = json.loads(record.before or ""), json.loads(record.after or "")
    # Only what changed, with its value before and after.
    assert set(before) == set(after) == {"programme", "title", "opens_at", "working_groups"}
    assert (before["title"], after["title"]) == ("Call for proposals 2019–2020", "Renamed")
    assert (before["programme"], after["programme"]) == ("UNCCT-2019-02-79", "UNCCT-2021-01")
    assert before["working_groups"] == [world.group_a.name]
    assert after["working_groups"] == [world.group_b.name]


def _open_call(world, admin):  # type: ignore[no-untyped-def]
    programme = next_programme()
    now = utcnow()
    return calls.create_call(
        admin, _input(programme, [world.group_a], opens_at=now - DAY, closes_at=now + 9 * DAY)
    )


def _same(c: Call, **changes) -> CallInput:  # type: ignore[no-untyped-def]
    values = {
        "programme_id": c.programme_id,
        "title": c.title,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "working_group_ids": {g.id for g in c.working_groups},
        "guidance": c.guidance,
    }
    values.update(changes)
    return CallInput(**values)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Renamed after opening"),
        ("opens_at", "later"),
        ("working_group_ids", "other"),
        ("programme_id", "other"),
    ],
)
def test_once_open_only_the_closing_time_and_guidance_change(world, field, value) -> None:  # type: ignore[no-untyped-def]
    admin = administrator(world)
    opened = _open_call(world, admin)
    snapshot = calls.snapshot(opened)
    replacement = {
        "later": opened.opens_at + timedelta(hours=1),
        "other": (
            {world.group_a.id, world.group_b.id}
            if field == "working_group_ids"
            else next_programme("P-9").id
        ),
    }.get(value, value)
    with pytest.raises(Invalid) as refused:
        calls.update_call(admin, opened.id, _same(opened, **{field: replacement}))
    assert "opened on" in refused.value.fields[field][0]
    db.session.expire_all()
    assert calls.snapshot(db.session.get(Call, opened.id)) == snapshot
    assert [r.event for r in _call_audit()] == ["call_created"]


def test_an_open_call_is_extended_or_shortened_but_not_closed_before_now(world) -> None:
    admin = administrator(world)
    opened = _open_call(world, admin)
    old_close = opened.closes_at
    calls.update_call(
        admin, opened.id, _same(opened, closes_at=old_close + 5 * DAY, guidance="New guidance")
    )
    record = _call_audit()[-1]
    assert json.loads(record.before or "") == {
        "closes_at": old_close.isoformat(),
        "guidance": "Two pages at most.\nAlign with Outcome 4.",
    }
    assert json.loads(record.after or "") == {
        "closes_at": (old_close + 5 * DAY).isoformat(),
        "guidance": "New guidance",
    }
    shorter = utcnow() + timedelta(hours=2)
    calls.update_call(admin, opened.id, _same(opened, closes_at=shorter))
    assert db.session.get(Call, opened.id).closes_at == shorter.replace(second=0, microsecond=0)
    with pytest.raises(Invalid) as refused:
        calls.update_call(admin, opened.id, _same(opened, closes_at=utcnow() - DAY))
    assert "would close before now" in refused.value.fields["closes_at"][0]
    assert len(_call_audit()) == 3


def test_saving_a_call_unchanged_writes_no_audit_row(world) -> None:
    admin = administrator(world)
    opened = _open_call(world, admin)
    calls.update_call(admin, opened.id, _same(opened))
    assert [r.event for r in _call_audit()] == ["call_created"]


def test_the_secretariat_cannot_change_a_call(world) -> None:
    with pytest.raises(NotAllowed):
        calls.update_call(world.secretariat, world.call.id, _same(world.call, guidance="x"))
    db.session.expire_all()
    assert world.call.guidance == "" and _call_audit() == []


def test_a_missing_call_is_not_found(world) -> None:
    with pytest.raises(NotFound):
        calls.update_call(administrator(world), 999_999, _same(world.call))


# -- reading ---------------------------------------------------------------------------


def test_the_office_sees_every_call_and_a_chair_only_those_of_her_groups(world) -> None:
    programme = next_programme()
    now = utcnow()
    for_b = call(programme, [world.group_b], title="For the legal group only")
    upcoming = call(
        programme, [world.group_a], opens=now + 20 * DAY, closes=now + 30 * DAY, title="Soon"
    )
    closed = call(
        programme, [world.group_a], opens=now - 30 * DAY, closes=now - 20 * DAY, title="Past"
    )
    for reader in (world.secretariat, world.board_undp, world.finance, administrator(world)):
        listing = calls.list_calls(reader)
        assert {c.id for c in listing.open} == {world.call.id, for_b.id}
        assert [c.id for c in listing.upcoming] == [upcoming.id]
        assert [c.id for c in listing.closed] == [closed.id]
    chair = calls.list_calls(world.chair_a)
    assert [c.id for c in chair.open] == [world.call.id]
    assert [c.id for c in chair.upcoming] == [upcoming.id]
    assert chair.closed == [] and not chair.everything
    assert calls.get_call(world.chair_b, for_b.id) == for_b
    for hidden in (for_b, closed):
        with pytest.raises(NotFound):
            calls.get_call(world.chair_a, hidden.id)
