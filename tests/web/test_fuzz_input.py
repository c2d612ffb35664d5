"""Arbitrary text, numbers, dates, unicode and huge values at every form and query
parameter: never a 500, and a refused request writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import (
    AgendaItem,
    AuditRecord,
    Decision,
    ExtensionRequest,
    LedgerEntry,
    Meeting,
    MinutesVersion,
    Proposal,
    User,
    Vote,
)
from prb.services import board, extensions, finance
from tests import factories
from tests.board_helpers import meeting
from tests.conftest import sign_in
from workflows import ProposalState, Role

S = ProposalState
TABLES = (
    Proposal,
    LedgerEntry,
    Meeting,
    AgendaItem,
    Vote,
    Decision,
    ExtensionRequest,
    MinutesVersion,
    User,
)

values = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=date(1, 1, 1)).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e999999",
            "NaN",
            "Infinity",
            "9" * 40,
            "2019-02-30",
            "2019-13-01",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "approve",
            "commitment",
            "reversal",
            "meeting",
            "written_procedure",
            "Global",
            "Regional",
            "\u202e",
            "עברית",
            "مرحبا",
            "x" * 6000,
        ]
    ),
)

# endpoint URL template → (role, field names)
FORMS = {
    "/proposals/new": (
        "chair",
        [
            "programme_id",
            "working_group_id",
            "title",
            "lead_entity_id",
            "implementing_entity_ids",
            "objective",
            "description",
            "thematic_area",
            "scope",
            "scope_detail",
            "results_alignment",
            "requested_budget",
            "duration_months",
            "planned_start",
            "save",
            "submit_proposal",
            "once",
        ],
    ),
    "/proposals/{draft}/edit": (
        "chair",
        [
            "title",
            "requested_budget",
            "duration_months",
            "planned_start",
            "version",
            "scope",
            "save",
            "submit_proposal",
        ],
    ),
    "/proposals/{draft}/actions/submit": ("chair", ["expected_status", "comment"]),
    "/proposals/{project}/finance/entries": (
        "finance",
        ["kind", "amount", "value_date", "reference", "note", "reverses_id", "once"],
    ),
    "/proposals/{project}/finance/dates": (
        "finance",
        ["actual_start", "final_report_on", "spent_reported"],
    ),
    "/proposals/{project}/extensions": (
        "chair",
        ["months", "new_end", "additional_funds", "justification"],
    ),
    "/board/meetings/new": (
        "secretariat",
        ["number", "kind", "held_on", "place", "chair_id", "deadline"],
    ),
    "/board/meetings/{meeting}/agenda": ("secretariat", ["proposal_id"]),
    "/board/items/{item}/vote": ("board", ["choice", "comment", "change"]),
    "/board/items/{item}/conflict": ("board", ["reason"]),
    "/board/items/{item}/close": (
        "secretariat",
        ["budget", "duration_months", "start", "conditions"],
    ),
    "/admin/users/new": ("administrator", ["email", "name", "entity_id", "roles", "active"]),
    # The office's set-up: reference data, the Board as data, calls, carry-over, corrections.
    "/admin/entities/new": ("administrator", ["code", "name"]),
    "/admin/groups/new": ("administrator", ["name", "short_name"]),
    "/admin/groups/{group}/chairs": ("administrator", ["user_id", "since"]),
    "/admin/programmes/new": (
        "administrator",
        [
            "code",
            "title",
            "start_year",
            "end_year",
            "envelope",
            "code_style",
            "code_first_letter",
            "open_for_proposals",
            "note",
        ],
    ),
    "/admin/programmes/{programme}/envelope": (
        "administrator",
        ["effective_on", "amount", "reason"],
    ),
    "/admin/programmes/{programme}/outputs": ("administrator", ["label"]),
    "/board/members": ("administrator", ["user_id", "since", "until", "is_chair"]),
    "/board/rules": (
        "administrator",
        [
            "effective_from",
            "quorum",
            "casting_vote",
            "written_procedure_days",
            "absent_may_vote",
            "note",
        ],
    ),
    "/calls/new": (
        "administrator",
        ["programme_id", "title", "opens_at", "closes_at", "working_group_ids", "guidance"],
    ),
    "/proposals/{review}/carry-over": ("secretariat", ["call_id", "programme_id", "reason"]),
    "/board/meetings/{meeting}/correct": (
        "secretariat",
        ["number", "held_on", "place", "chair_id"],
    ),
    "/board/items/{item}/withdraw": ("secretariat", ["reason"]),
    "/account/password": ("finance", ["current_password", "password", "confirmation"]),
    "/login": ("anonymous", ["email", "password"]),
}
QUERIES = {
    "/proposals/": ["status", "working_group_id", "year", "mine", "page"],
    "/finance/": ["programme_id", "working_group_id", "page"],
    "/reports/portfolio": ["programme_id", "year", "as_at"],
    "/reports/portfolio.csv": ["programme_id", "year", "as_at"],
}


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES)


def setup(world):  # type: ignore[no-untyped-def]
    draft = factories.proposal(world, complete=False)
    project = factories.project(world, status=S.ONGOING, budget=Decimal("1000.00"))
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("10.00"), date(2018, 1, 1)),
    )
    m = meeting(world)
    item = board.add_to_agenda(
        world.secretariat, m.id, factories.proposal(world, status=S.UNDER_REVIEW).id
    )
    review = factories.proposal(world, status=S.UNDER_REVIEW, title="Not on an agenda")
    assert extensions  # the extension form posts against the running project
    people = {
        "chair": world.chair_a,
        "finance": world.finance,
        "secretariat": world.secretariat,
        "board": world.board_undp,
        "administrator": factories.administrator(world),
    }
    ids = {
        "draft": draft.id,
        "project": project.id,
        "meeting": m.id,
        "item": item.id,
        "review": review.id,
        "group": world.group_a.id,
        "programme": world.programme.id,
    }
    return people, ids


# How many examples, and whether they are the same every run, is the profile's business
# (tests/conftest.py: "ci" by default, PRB_HYPOTHESIS_PROFILE=long on demand).
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_forms_never_fail_and_refusals_write_nothing(app, world, data) -> None:
    if not hasattr(world, "_fuzz"):
        world._fuzz = setup(world)  # type: ignore[attr-defined]
    people, ids = world._fuzz  # type: ignore[attr-defined]
    url_template = data.draw(st.sampled_from(sorted(FORMS)))
    role, fields = FORMS[url_template]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    form = {name: data.draw(values) for name in chosen}
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, people[role])
    before = counts()
    response = client.post(url_template.format(**ids), data=form)
    assert response.status_code < 500, (url_template, form, response.status_code)
    if response.status_code >= 400:
        db.session.expire_all()
        assert counts() == before, (url_template, form)
    db.session.rollback()


@SETTINGS
@given(data=st.data())
def test_query_parameters_never_fail(app, world, data) -> None:
    client = app.test_client()
    sign_in(client, world.secretariat)
    path = data.draw(st.sampled_from(sorted(QUERIES)))
    params = {
        name: data.draw(values)
        for name in data.draw(st.lists(st.sampled_from(QUERIES[path]), unique=True))
    }
    response = client.get(path, query_string=params)
    assert response.status_code < 500, (path, params)


@SETTINGS
@given(
    number=st.integers(min_value=-(10**30), max_value=10**30).filter(lambda n: n > 10**4 or n < 0)
)
def test_ids_that_do_not_exist(app, world, number: int) -> None:
    if Role.ADMINISTRATOR not in world.secretariat.roles:  # sees the users pages too
        world.secretariat.set_roles({Role.SECRETARIAT, Role.ADMINISTRATOR})
        db.session.commit()
    client = app.test_client()
    sign_in(client, world.secretariat)
    for path in (
        f"/proposals/{number}",
        f"/board/meetings/{number}",
        f"/admin/users/{number}",
        f"/proposals/{number}/finance",
    ):
        assert client.get(path).status_code == 404, path


def test_audit_is_untouched_by_refused_forms(app, world) -> None:
    before = db.session.scalar(select(func.count(AuditRecord.id)))
    client = app.test_client()
    sign_in(client, world.chair_a)
    client.post("/proposals/new", data={"title": "", "requested_budget": "NaN", "save": "x"})
    after = db.session.scalar(select(func.count(AuditRecord.id)))
    assert after == before + 1  # only the sign-in
