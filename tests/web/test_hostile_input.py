"""Hostile input at every typed field of every form, and at the query parameters PRB's links
carry: amounts like 1E+1000000, dates in the year 9999 or 0001, ids beyond the database's
integer, numbers in other scripts' digits, text of control or only invisible characters.
Each is refused with a 4xx and the parsing layer's message on the page, and nothing is
written. The routes come from the application's route map, the forms from each POST view's
`@reads_form` declaration and the fields from the form classes: a new route or field is
covered without editing this test, and a POST route without a declaration fails it."""

from __future__ import annotations

import functools
import itertools
from datetime import date
from decimal import Decimal
from html import escape

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule
from wtforms import Field, HiddenField, PasswordField, SelectField, StringField

from prb.extensions import db
from prb.models import AuditRecord, BoardMembership, OwnerKind, ReportKind, ResultsOutput, User
from prb.services import board, co_funding, extensions, finance, progress_reports
from prb.services.accounts import two_step
from prb.services.reference import groups
from prb.web import PUBLIC_ENDPOINTS
from prb.web.declare import FormRead, declared_forms
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
from tests.conftest import make_app, sign_in
from tests.factories import PASSWORD
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
    # (U+202E: "Project exe.pdf" shown for "Project fdp.exe", and running on after it)
    "text": ["\u200b\u200b\u200b", "\u2800\u200d", "Title\x07", "a\x1bb", "Pro\u202eject"],
}
TEXT_MESSAGES = (
    "Remove the control characters",
    "Type visible text",
    "Remove the invisible text-direction character",
)


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
        # an amount in another currency (co-funding) says so in its own words
        return ("Enter an amount in US dollars", field.parse_message)
    return (field.parse_message, field.range_message)


# The POST routes and what they read come from the application: its route map and each
# view's `@reads_form` declarations (prb/web/declare.py). A new route or a new field is
# covered without editing this test; a new kind of record in a URL needs a candidate below.


@functools.cache
def _route_map() -> Flask:
    """An application built once, only to read its route map and views (no database)."""
    return make_app("sqlite://")


def posted_rules(app: Flask) -> dict[str, Rule]:
    return {r.endpoint: r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}


def _unbound_fields(form_read: FormRead) -> list[Field]:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        form = form_read.form(formdata=None, prefix=form_read.prefix)  # type: ignore[misc]
        return [f for f in form if f.short_name not in form_read.without]


def typed_fields(app: Flask, endpoint: str) -> list[Field]:
    """The typed fields of every form the endpoint's view declares it reads."""
    declared = declared_forms(app.view_functions[endpoint]) or ()
    return [
        field
        for form_read in declared
        if form_read.form is not None
        for field in _unbound_fields(form_read)
        if kind(field) is not None
    ]


def cases() -> list[tuple[str, str]]:
    app = _route_map()
    return sorted(
        {
            (endpoint, kind(f) or "")
            for endpoint in posted_rules(app)
            for f in typed_fields(app, endpoint)
        }
    )


def test_every_post_route_declares_what_it_reads() -> None:
    app = _route_map()
    missing = sorted(e for e in posted_rules(app) if declared_forms(app.view_functions[e]) is None)
    assert missing == [], (
        f"add @reads_form(FormClass) (or @reads_form(None)) from prb/web/declare.py to {missing}"
    )


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
        for t in db.metadata.sorted_tables
    }


def refusal_recorded(response, before: dict[str, int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A 403 records the refusal in the audit trail (a candidate user the view does not
    serve): that row, and only that row, is expected; the input itself writes nothing."""
    if response.status_code != 403:
        return {}
    last = db.session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
    assert last is not None and last.event == "permission_refused"
    return {AuditRecord.__tablename__: before[AuditRecord.__tablename__] + 1}


def hostile_world(world):  # type: ignore[no-untyped-def]
    """The users by role, and the records each URL argument may name: where one argument
    serves records of different kinds (a proposal: a draft, a project, one under review),
    every kind is a candidate."""
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
    # A project with its final report submitted (for the report's pages); `project` has its
    # final report still to submit (for the chair's form).
    reporting = factories.project(world, status=S.ONGOING, budget=Decimal("1000.00"))
    report = progress_reports.submit_report(
        world.chair_a,
        reporting.id,
        ReportKind.FINAL,
        date(2019, 3, 31),
        progress_reports.ReportInput("Done.", "All.", "", "", Decimal("10.00"), Decimal("0")),
    )
    contribution = co_funding.record_co_funding(
        world.finance,
        project.id,
        co_funding.CoFundingInput(
            "Government of Switzerland", Decimal("10.00"), "CHF", Decimal("1.1"), date(2018, 2, 1)
        ),
    )
    m = meeting(world)
    item = board.add_to_agenda(
        world.secretariat, m.id, factories.proposal(world, status=S.UNDER_REVIEW).id
    )
    review = factories.proposal(world, status=S.UNDER_REVIEW, title="Not on an agenda")
    admin = factories.administrator(world)
    term = groups.appoint_chair(admin, world.group_b.id, world.chair_a.id, date(2018, 1, 1))
    # Someone whose password was right and who is asked for her second step.
    secret = two_step.new_secret()
    two_step.enable_two_step(world.board_cted, secret, pyotp.TOTP(secret).now())
    people = {
        Role.CHAIR: world.chair_a,
        Role.FINANCE: world.finance,
        Role.SECRETARIAT: world.secretariat,
        Role.BOARD_MEMBER: world.board_undp,
        Role.ADMINISTRATOR: admin,
    }
    candidates: dict[str, list[object]] = {
        "proposal_id": [draft.id, project.id, review.id],
        "extension_id": [extension.id],
        "meeting_id": [m.id],
        "item_id": [item.id],
        "group_id": [world.group_a.id],
        "programme_id": [world.programme.id],
        "entity_id": [world.cted.id],
        "call_id": [call(world.programme, [world.group_a]).id],
        "user_id": [db.session.scalar(select(User.id).where(User.id != admin.id).limit(1))],
        "seat_id": [db.session.scalar(select(BoardMembership.id).limit(1))],
        "term_id": [term.id],
        "contribution_id": [contribution.id],
        "output_id": [db.session.scalar(select(ResultsOutput.id).limit(1))],
        "trigger": ["submit", "withdraw", "accept"],
        "kind": [OwnerKind.PROPOSAL, "final"],
        "owner_id": [draft.id, project.id],
        "report_id": [report.id],
        "due": ["2019-03-31"],
    }
    return people, candidates, world.board_cted


def clients(app: Flask, endpoint: str, people, pending_user) -> list[FlaskClient]:  # type: ignore[no-untyped-def]
    """Who posts: a user of the first role the view requires; for a view open to anyone
    signed in, each of them; for a public view, a visitor and someone half-way through a
    two-step sign-in."""
    if endpoint in PUBLIC_ENDPOINTS:
        visitor, pending = app.test_client(), app.test_client()
        response = pending.post("/login", data={"email": pending_user.email, "password": PASSWORD})
        assert response.location == "/login/two-step"
        return [visitor, pending]
    roles = getattr(app.view_functions[endpoint], "required_roles", None)
    users = [people[roles[0]]] if roles else list(people.values())
    signed_in = []
    for user in users:
        client = app.test_client()
        sign_in(client, user)
        signed_in.append(client)
    return signed_in


def urls(app: Flask, rule: Rule, candidates: dict[str, list[object]]) -> list[str]:
    missing = sorted(set(rule.arguments) - set(candidates))
    assert missing == [], f"add a candidate for {missing} to hostile_world ({rule.rule})"
    names = sorted(rule.arguments)
    adapter = app.url_map.bind("localhost")
    return [
        adapter.build(rule.endpoint, dict(zip(names, values, strict=True)), method="POST")
        for values in itertools.product(*(candidates[n] for n in names))
    ]


@pytest.mark.parametrize(("endpoint", "field_kind"), cases())
def test_hostile_values_are_refused_and_write_nothing(app, world, endpoint, field_kind) -> None:
    people, candidates, pending_user = hostile_world(world)
    addresses = urls(app, posted_rules(app)[endpoint], candidates)
    posters = clients(app, endpoint, people, pending_user)
    fields = [f for f in typed_fields(app, endpoint) if kind(f) == field_kind]
    assert fields
    for field in fields:
        wanted = messages(field, "")
        for value in HOSTILE[field_kind]:
            sent = (endpoint, field.name, value)
            reached = []
            for client, url in itertools.product(posters, addresses):
                before = counts()
                response = client.post(url, data={field.name: value, "save": "1"})
                assert response.status_code < 500, (*sent, url, response.status_code)
                db.session.rollback()
                assert counts() == before | refusal_recorded(response, before), (*sent, url)
                page = response.get_data(as_text=True)
                if response.status_code in (400, 422) and any(
                    escape(m, quote=True) in page for m in wanted
                ):
                    reached.append(url)
            assert reached, (*sent, "no candidate reached the form", addresses, wanted)


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
