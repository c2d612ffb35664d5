"""Hostile input at every typed field of every form, and at the query parameters PRB's links
carry: amounts like 1E+1000000, dates in the year 9999 or 0001, ids beyond the database's
integer, numbers in other scripts' digits, text of control or only invisible characters.
Each is refused with a 4xx and the parsing layer's message on the page, and nothing is
written. The fields are read from the form classes, so a new field of a listed form is
covered without editing this test; a new POST route fails the completeness check until it
is listed here (or listed as taking no typed value)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape

import pytest
from flask import Flask
from sqlalchemy import func, select
from wtforms import Field, HiddenField, PasswordField, SelectField, StringField

from prb.extensions import db
from prb.models import BoardMembership, ResultsOutput, User
from prb.services import board, extensions, finance
from prb.services.reference import groups
from prb.web import auth, call_forms, forms, reference_forms, reporting_notes, reports
from prb.web.fields import (
    AmountField,
    CalendarDateField,
    MultiCheckboxField,
    UTCDateTimeField,
    VersionField,
    _BoundedInt,
    _int_or_none,
    parse_id,
)
from tests import factories
from tests.board_helpers import meeting
from tests.call_helpers import call
from tests.conftest import sign_in
from workflows import ProposalState, Role

S = ProposalState

# What is sent, by kind of field, and the message (or its start) the page must show.
HOSTILE: dict[str, list[str]] = {
    "amount": ["1E+1000000", "-1E+1000000", "NaN", "Infinity", "1e999999999"],
    "date": ["9999-12-31", "0001-01-01", "9995-06-01", "1989-12-31", "2101-01-01"],
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "id": ["2147483648", "9223372036854775808", "99999999999999999999999", "abc", "²", "-1"],
    "int": ["99999999999999999999", "²", "٣", "1_0", "12.5"],
    "version": ["²", "abc", "99999999999999999999"],
    "text": ["\u200b\u200b\u200b", "\u2800\u200d", "Title\x07", "a\x1bb"],
}
TEXT_MESSAGES = ("Remove the control characters", "Type visible text")


def kind(field: Field) -> str | None:
    """The kind of hostile input a field takes, from its class (None: not a typed value)."""
    if isinstance(field, AmountField):
        return "amount"
    if isinstance(field, UTCDateTimeField):
        return "datetime"
    if isinstance(field, CalendarDateField):
        return "date"
    if isinstance(field, _BoundedInt):
        return "int"
    if isinstance(field, VersionField):
        return "version"
    if isinstance(field, SelectField) and field.coerce in (_int_or_none, parse_id):
        return "id"
    if isinstance(field, MultiCheckboxField) and field.coerce is parse_id:
        return "id"
    if isinstance(field, StringField) and not isinstance(field, HiddenField | PasswordField):
        return "text"
    return None


def messages(field: Field, value: str) -> tuple[str, ...]:
    """What the page must say (any one of these) when `value` is sent in `field`."""
    k = kind(field)
    if k == "text":
        return TEXT_MESSAGES
    if k == "id":
        return ("Choose one of the options offered", "Tick only the boxes offered")
    if k in ("date", "datetime"):
        return ("Enter a date between 1990 and 2100", field.parse_message)
    if k == "version":
        return ("The form was damaged",)
    if k == "amount":
        return ("Enter an amount in US dollars",)
    return (field.parse_message, field.range_message)


# endpoint → (URL template, role, form class, field-name prefix). Every POST route.
ROUTES: dict[str, tuple[str, str, type, str]] = {
    "proposals.new": ("/proposals/new", "chair", forms.ProposalForm, ""),
    "proposals.edit": ("/proposals/{draft}/edit", "chair", forms.ProposalForm, ""),
    "proposals.act": ("/proposals/{draft}/actions/submit", "chair", forms.TransitionForm, ""),
    "proposals.carry_over": (
        "/proposals/{review}/carry-over",
        "secretariat",
        call_forms.CarryOverForm,
        "",
    ),
    "finance.add_entry": (
        "/proposals/{project}/finance/entries",
        "finance",
        forms.EntryForm,
        "",
    ),
    "finance.save_dates": (
        "/proposals/{project}/finance/dates",
        "finance",
        forms.ProjectDatesForm,
        "",
    ),
    "finance.request_extension": (
        "/proposals/{project}/extensions",
        "chair",
        forms.ExtensionForm,
        "",
    ),
    "finance.review": ("/extensions/{extension}/review", "finance", forms.ReviewForm, ""),
    "finance.chair_action": (
        "/extensions/{extension}/withdraw",
        "chair",
        forms.TransitionForm,
        "",
    ),
    "board.new_meeting": ("/board/meetings/new", "secretariat", forms.MeetingForm, ""),
    "board.add_item": ("/board/meetings/{meeting}/agenda", "secretariat", forms.AgendaForm, ""),
    "board.add_extension": (
        "/board/meetings/{meeting}/agenda/extension",
        "secretariat",
        forms.ExtensionAgendaForm,
        "",
    ),
    "board.attendance": (
        "/board/meetings/{meeting}/attendance",
        "secretariat",
        forms.AttendanceForm,
        "",
    ),
    "board.mark_present": (
        "/board/meetings/{meeting}/present",
        "secretariat",
        forms.MarkPresentForm,
        "",
    ),
    "board.correct": (
        "/board/meetings/{meeting}/correct",
        "secretariat",
        forms.CorrectMeetingForm,
        "correct-",
    ),
    "board.cancel": ("/board/meetings/{meeting}/cancel", "secretariat", forms.ReasonForm, ""),
    "reporting_notes.page": (
        "/proposals/{project}/reporting-notes",
        "secretariat",
        reporting_notes.ReportingNoteForm,
        "",
    ),
    "reports.finalise": (
        "/board/meetings/{meeting}/minutes",
        "secretariat",
        forms.MinutesForm,
        "",
    ),
    "board.vote": ("/board/items/{item}/vote", "board", forms.VoteForm, ""),
    "board.conflict": ("/board/items/{item}/conflict", "board", forms.ConflictForm, ""),
    "board.close": ("/board/items/{item}/close", "secretariat", forms.CloseItemForm, ""),
    "board.record_vote": (
        "/board/items/{item}/record-vote",
        "secretariat",
        forms.RecordVoteForm,
        "",
    ),
    "board.record_conflict": (
        "/board/items/{item}/record-conflict",
        "secretariat",
        forms.RecordConflictForm,
        "",
    ),
    "board.withdraw": ("/board/items/{item}/withdraw", "secretariat", forms.ReasonForm, ""),
    "board.add_seat": ("/board/members", "administrator", forms.SeatForm, ""),
    "board.end_seat": ("/board/members/{seat}/end", "administrator", forms.EndSeatForm, ""),
    "board.mark_chair": ("/board/members/{seat}/chair", "administrator", forms.ChairForm, ""),
    "board.add_rules": ("/board/rules", "administrator", forms.RulesForm, ""),
    "calls.new": ("/calls/new", "administrator", call_forms.CallForm, ""),
    "calls.edit": ("/calls/{call}/edit", "administrator", call_forms.CallForm, ""),
    "admin.new_user": ("/admin/users/new", "administrator", forms.UserForm, ""),
    "admin.edit_user": ("/admin/users/{user}", "administrator", forms.UserForm, ""),
    "reference.new_entity": (
        "/admin/entities/new",
        "administrator",
        reference_forms.EntityForm,
        "",
    ),
    "reference.edit_entity": (
        "/admin/entities/{entity}",
        "administrator",
        reference_forms.EntityForm,
        "",
    ),
    "reference.new_group": ("/admin/groups/new", "administrator", reference_forms.GroupForm, ""),
    "reference.edit_group": (
        "/admin/groups/{group}/edit",
        "administrator",
        reference_forms.GroupForm,
        "",
    ),
    "reference.appoint_chair": (
        "/admin/groups/{group}/chairs",
        "administrator",
        reference_forms.ChairForm,
        "",
    ),
    "reference.end_chair_term": (
        "/admin/chair-terms/{term}/end",
        "administrator",
        reference_forms.EndTermForm,
        "",
    ),
    "reference.new_programme": (
        "/admin/programmes/new",
        "administrator",
        reference_forms.ProgrammeForm,
        "",
    ),
    "reference.edit_programme": (
        "/admin/programmes/{programme}/edit",
        "administrator",
        reference_forms.ProgrammeForm,
        "",
    ),
    "reference.change_envelope": (
        "/admin/programmes/{programme}/envelope",
        "administrator",
        reference_forms.EnvelopeForm,
        "",
    ),
    "reference.add_output": (
        "/admin/programmes/{programme}/outputs",
        "administrator",
        reference_forms.OutputForm,
        "",
    ),
    "auth.login": ("/login", "anonymous", auth.SignInForm, ""),
    "reports.request_job": ("/reports/jobs", "board", reports.ReportJobForm, ""),
}
# POST routes whose forms carry no typed value (a button, a password, a file, a token):
# hostile values there are the business of their own tests.
NO_TYPED_VALUE = {
    "auth.change_password",
    "auth.enrol_two_step",
    "auth.disable_two_step",
    "auth.renew_recovery_codes",
    "auth.second_step",
    "auth.set_password",
    "auth.logout",
    "admin.password_link",
    "admin.reset_two_step",
    "admin.import_users",
    "imports.check",
    "imports.confirm",
    *(
        f"reference.{verb}_{what}"
        for verb in ("retire", "reinstate")
        for what in ("entity", "group", "programme", "output")
    ),
}


# Fields a route's view removes from its form (a programme's envelope changes by a dated row).
NOT_ON_THE_PAGE = {("reference.edit_programme", "envelope")}


def cases() -> list[tuple[str, str]]:
    return sorted(
        {
            (endpoint, k)
            for endpoint, (_, _, form_class, _) in ROUTES.items()
            for field in _unbound_fields(form_class)
            if (k := kind(field)) is not None and (endpoint, field.name) not in NOT_ON_THE_PAGE
        }
    )


def _unbound_fields(form_class: type) -> list[Field]:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        return list(form_class(formdata=None))


def test_every_post_route_is_listed(app) -> None:
    posted = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert posted - set(ROUTES) - NO_TYPED_VALUE == set(), "list the new route in ROUTES"
    assert set(ROUTES) - posted == set(), "a listed route is gone"


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
        for t in db.metadata.sorted_tables
    }


def hostile_world(world):  # type: ignore[no-untyped-def]
    draft = factories.proposal(world, complete=False)
    project = factories.project(world, status=S.ONGOING, budget=Decimal("1000.00"))
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("10.00"), date(2018, 1, 1)),
    )
    extension = extensions.request_extension(
        world.chair_a, project.id, extensions.ExtensionInput(6, None, None, "More time.")
    )
    m = meeting(world)
    item = board.add_to_agenda(
        world.secretariat, m.id, factories.proposal(world, status=S.UNDER_REVIEW).id
    )
    review = factories.proposal(world, status=S.UNDER_REVIEW, title="Not on an agenda")
    admin = factories.administrator(world)
    term = groups.appoint_chair(admin, world.group_b.id, world.chair_a.id, date(2018, 1, 1))
    people = {
        "chair": world.chair_a,
        "finance": world.finance,
        "secretariat": world.secretariat,
        "board": world.board_undp,
        "administrator": admin,
    }
    ids = {
        "draft": draft.id,
        "project": project.id,
        "extension": extension.id,
        "meeting": m.id,
        "item": item.id,
        "review": review.id,
        "group": world.group_a.id,
        "programme": world.programme.id,
        "entity": world.cted.id,
        "call": call(world.programme, [world.group_a]).id,
        "user": db.session.scalar(select(User.id).where(User.id != admin.id).limit(1)),
        "seat": db.session.scalar(select(BoardMembership.id).limit(1)),
        "term": term.id,
        "output": db.session.scalar(select(ResultsOutput.id).limit(1)),
    }
    return people, ids


@pytest.mark.parametrize(("endpoint", "field_kind"), cases())
def test_hostile_values_are_refused_and_write_nothing(app, world, endpoint, field_kind) -> None:
    people, ids = hostile_world(world)
    url_template, role, form_class, prefix = ROUTES[endpoint]
    url = url_template.format(**ids)
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, people[role])
    fields = [
        f
        for f in _unbound_fields(form_class)
        if kind(f) == field_kind and (endpoint, f.name) not in NOT_ON_THE_PAGE
    ]
    assert fields
    for field in fields:
        for value in HOSTILE[field_kind]:
            before = counts()
            response = client.post(url, data={prefix + field.name: value, "save": "1"})
            sent = (endpoint, field.name, value)
            assert response.status_code in (400, 422), (*sent, response.status_code)
            page = response.get_data(as_text=True)
            wanted = messages(field, value)
            assert any(escape(m, quote=True) in page for m in wanted), (*sent, wanted)
            db.session.rollback()
            assert counts() == before, sent


PAGED = ["/proposals/", "/finance/", "/admin/audit", "/reports/portfolio"]
BAD_PAGES = ["²", "٣", "0", "-1", "abc", "1.5", "99999999999999999999", " 2"]


@pytest.mark.parametrize("path", PAGED)
def test_malformed_page_numbers_are_a_400_with_a_message(app, world, path) -> None:
    admin = factories.administrator(world, "admin@prb.example", Role.SECRETARIAT)
    client = app.test_client()
    sign_in(client, admin)
    before = counts()
    for value in BAD_PAGES:
        response = client.get(path, query_string={"page": value})
        assert response.status_code == 400, (path, value, response.status_code)
        assert "The page number must be a whole number" in response.get_data(as_text=True)
    assert client.get(path, query_string={"page": "2"}).status_code == 200
    db.session.rollback()
    assert counts() == before


def test_a_call_id_in_the_address_must_be_a_record_number(app, world) -> None:
    client = app.test_client()
    sign_in(client, world.chair_a)
    for value in ("²", "abc", "2147483648", "0"):
        response = client.get("/proposals/new", query_string={"call_id": value})
        assert response.status_code == 400, value
        assert "call_id is not a record number" in response.get_data(as_text=True)


FILTERS = {
    "/proposals/": ["status", "working_group_id", "year", "mine"],
    "/finance/": ["programme_id", "working_group_id"],
    "/admin/audit": ["event", "subject", "actor_id", "since", "until"],
    "/reports/portfolio": ["programme_id", "year", "as_at"],
    "/reports/portfolio.csv": ["programme_id", "year", "as_at"],
}


@pytest.mark.parametrize("path", sorted(FILTERS))
def test_hostile_filters_never_fail(app, world, path) -> None:
    admin = factories.administrator(world, "admin@prb.example", Role.SECRETARIAT)
    client = app.test_client()
    sign_in(client, admin)
    before = counts()
    for name in FILTERS[path]:
        for value in {v for values in HOSTILE.values() for v in values}:
            response = client.get(path, query_string={name: value})
            response.close()  # a CSV streams: end it before the next request
            assert response.status_code in (200, 400, 422), (path, name, value)
    db.session.rollback()
    assert counts() == before


def test_attendance_with_ids_that_are_not_members_is_refused(app, world) -> None:
    m = meeting(world)  # everyone recorded present
    client = app.test_client()
    sign_in(client, world.secretariat)
    before = counts()
    for present in (["abc"], [str(world.board_undp.id), "abc"], ["2147483648"]):
        response = client.post(f"/board/meetings/{m.id}/attendance", data={"present": present})
        assert response.status_code == 422, present
        assert "Tick only the boxes offered" in response.get_data(as_text=True)
    # A well-formed id that is no member of the Board: the service refuses it.
    response = client.post(
        f"/board/meetings/{m.id}/attendance", data={"present": [str(world.finance.id)]}
    )
    assert response.status_code == 422
    assert "Choose board members from the list." in response.get_data(as_text=True)
    db.session.rollback()
    assert counts() == before
    assert all(board.attendance(db.session.get(type(m), m.id)).values())
