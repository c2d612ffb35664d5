"""Every route × every role (and anonymous) → the expected status code. The routes come from
the application's own route map, so a new route without a rule here fails this test."""

from __future__ import annotations

import secrets
import tempfile
from datetime import date
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import select

from prb.extensions import db
from prb.models import BoardMembership, ChairTerm, JobKind, OwnerKind, ReportKind, ResultsOutput
from prb.services import attachments, board, extensions, finance, jobs, progress_reports
from prb.services.files.checks import MB
from prb.services.files.storage import file_store
from prb.services.jobs import queue
from tests import factories, file_samples
from tests.board_helpers import meeting
from tests.conftest import sign_in
from workflows import ProposalState

S = ProposalState
ROLES = ["anonymous", "chair", "other_chair", "board", "finance", "secretariat", "administrator"]
VIEWERS = {"board": 200, "finance": 200, "secretariat": 200}

# endpoint: (method, {role: status}; roles not named get `default`, anonymous gets 302
# (to the sign-in page) unless named)
RULES: dict[str, tuple[str, dict[str, int], int]] = {
    "static": ("GET", {r: 200 for r in ROLES}, 200),
    "auth.login": ("GET", {"anonymous": 200}, 302),
    "auth.logout": ("POST", {}, 302),
    "auth.second_step": ("GET", {}, 302),
    "auth.set_password": ("GET", {"anonymous": 404}, 404),
    "auth.account": ("GET", {}, 200),
    "notifications.index": ("GET", {}, 200),
    "notifications.mark_read": ("POST", {}, 303),
    "notifications.preferences": ("GET", {}, 200),
    # development only (PRB_SHOW_MAIL): not served in the test world's configuration
    "notifications.mail": ("GET", {}, 404),
    # a forged or unknown link: nothing to confirm, for anyone (the link is the permission)
    "notifications.unsubscribe": ("GET", {"anonymous": 404}, 404),
    # signed in, she changes her password on her account page instead
    "password_reset.forgot": ("GET", {"anonymous": 200}, 302),
    "auth.change_password": ("GET", {}, 200),
    "auth.enrol_two_step": ("GET", {}, 200),
    # No one in the test world has two-step sign-in on: nothing to renew or turn off.
    "auth.renew_recovery_codes": ("POST", {}, 409),
    "auth.disable_two_step": ("POST", {}, 409),
    "main.healthz": ("GET", {r: 200 for r in ROLES}, 200),
    "main.favicon": ("GET", {r: 200 for r in ROLES}, 200),
    "main.dashboard": ("GET", {}, 200),
    "workflow.diagram": ("GET", {}, 200),
    "proposals.index": ("GET", {}, 200),
    "proposals.new": ("GET", {"chair": 200, "other_chair": 200}, 403),
    # an administrator keeps the set-up, not the portfolio: proposals are not hers to see
    "proposals.show": ("GET", {"other_chair": 404, "administrator": 404}, 200),
    "proposals.edit": ("GET", {"chair": 302, "other_chair": 404}, 403),
    "proposals.act": ("POST", {"chair": 409, "other_chair": 404, "administrator": 404}, 403),
    # An ongoing project is not carried over: the page sends the secretariat back to it.
    "proposals.carry_over": ("GET", {"secretariat": 302}, 403),
    "calls.index": ("GET", {}, 200),
    "calls.show": ("GET", {}, 200),
    "calls.new": ("GET", {"administrator": 200}, 403),
    "calls.edit": ("GET", {"administrator": 200}, 403),
    "board.index": ("GET", VIEWERS, 403),
    "board.new_meeting": ("GET", {"secretariat": 200}, 403),
    "board.meeting": ("GET", VIEWERS, 403),
    "calendar_files.meeting_ics": ("GET", VIEWERS, 403),
    "board.add_item": ("POST", {"secretariat": 422}, 403),
    "board.add_extension": ("POST", {"secretariat": 303}, 403),
    "board.attendance": ("POST", {"secretariat": 303}, 403),
    "board.mark_present": ("POST", {"secretariat": 422}, 403),
    "board.correct": ("POST", {"secretariat": 422}, 403),
    "board.cancel": ("POST", {"secretariat": 422}, 403),
    "board.withdraw": ("POST", {"secretariat": 422}, 403),
    "board.defer": ("POST", {"secretariat": 422}, 403),
    "office.edit": ("GET", {"administrator": 200}, 403),
    "board.vote": ("POST", {"board": 422}, 403),
    "board.conflict": ("POST", {"board": 422}, 403),
    "board.close": ("POST", {"secretariat": 303}, 403),
    # A live meeting: the secretariat enters votes only for one recorded after the fact.
    "board.record_vote": ("POST", {"secretariat": 422}, 403),
    "board.record_conflict": ("POST", {"secretariat": 422}, 403),
    # The Board's members and rules: read by the Board, secretariat and finance; changed by
    # an administrator only.
    "board.members": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "board.rules": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "board.add_seat": ("POST", {"administrator": 422}, 403),
    "board.end_seat": ("POST", {"administrator": 422}, 403),
    "board.mark_chair": ("POST", {"administrator": 303}, 403),
    "board.add_rules": ("POST", {"administrator": 422}, 403),
    "finance.index": ("GET", VIEWERS, 403),
    "finance.dashboard_csv": ("GET", {"finance": 200, "secretariat": 200}, 403),
    "finance.project": ("GET", {"chair": 200, "finance": 200, "secretariat": 200}, 404),
    "finance.ledger_csv": ("GET", {"chair": 200, "finance": 200, "secretariat": 200}, 404),
    "finance.add_entry": ("POST", {"finance": 422}, 403),
    # co-funding: finance staff or the secretariat; the empty form is refused (422)
    "co_funding.record": ("POST", {"finance": 422, "secretariat": 422}, 403),
    "co_funding.withdraw": ("POST", {"finance": 422, "secretariat": 422}, 403),
    "annual_section.page": ("GET", VIEWERS, 403),
    # no programme or year chosen: the page again, with the messages
    "annual_section.pdf": ("GET", {"board": 422, "finance": 422, "secretariat": 422}, 403),
    "annual_section.docx": ("GET", {"board": 422, "finance": 422, "secretariat": 422}, 403),
    "finance.save_dates": ("POST", {"finance": 303}, 403),
    "finance.request_extension": ("POST", {"chair": 409, "other_chair": 404}, 403),
    "finance.review": ("POST", {"finance": 303}, 403),
    "finance.chair_action": ("POST", {"chair": 303, "other_chair": 404}, 403),
    "reporting_notes.page": ("GET", {"secretariat": 200}, 403),
    "reports.portfolio_page": ("GET", VIEWERS, 403),
    "reports.portfolio_csv": ("GET", VIEWERS, 403),
    "reports.portfolio_pdf": ("GET", VIEWERS, 403),
    "reports.draft_minutes": ("GET", VIEWERS, 403),
    # Large reports made by the worker: asked for with a POST (an empty form is refused).
    "reports.request_job": ("POST", {"board": 422, "finance": 422, "secretariat": 422}, 403),
    "reports.job": ("GET", VIEWERS, 403),
    "reports.download": ("GET", VIEWERS, 403),
    "reports.final_minutes": ("GET", {"board": 404, "finance": 404, "secretariat": 404}, 403),
    "reports.finalise": ("POST", {"secretariat": 409}, 403),
    # Administration: reference data is read by the office and changed by administrators.
    "reference.index": ("GET", {"administrator": 200}, 403),
    "reference.entity_list": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "reference.new_entity": ("GET", {"administrator": 200}, 403),
    "reference.edit_entity": ("GET", {"administrator": 200}, 403),
    "reference.retire_entity": ("POST", {"administrator": 303}, 403),
    "reference.reinstate_entity": ("POST", {"administrator": 303}, 403),
    "reference.group_list": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "reference.group": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "reference.new_group": ("GET", {"administrator": 200}, 403),
    "reference.edit_group": ("GET", {"administrator": 200}, 403),
    "reference.retire_group": ("POST", {"administrator": 303}, 403),
    "reference.reinstate_group": ("POST", {"administrator": 303}, 403),
    "reference.appoint_chair": ("POST", {"administrator": 422}, 403),
    "reference.end_chair_term": ("POST", {"administrator": 422}, 403),
    "reference.reopen_chair_term": ("POST", {"administrator": 409}, 403),  # it has not ended
    "reference.programme_list": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "reference.programme": ("GET", {**VIEWERS, "administrator": 200}, 403),
    "reference.new_programme": ("GET", {"administrator": 200}, 403),
    "reference.edit_programme": ("GET", {"administrator": 200}, 403),
    "reference.retire_programme": ("POST", {"administrator": 303}, 403),
    "reference.reinstate_programme": ("POST", {"administrator": 303}, 403),
    "reference.change_envelope": ("POST", {"administrator": 422}, 403),
    "reference.add_output": ("POST", {"administrator": 422}, 403),
    "reference.retire_output": ("POST", {"administrator": 303}, 403),
    "reference.reinstate_output": ("POST", {"administrator": 303}, 403),
    "audit.index": ("GET", {"secretariat": 200, "administrator": 200}, 403),
    "audit.csv": ("GET", {"secretariat": 200, "administrator": 200}, 403),
    "imports.projects": ("GET", {"secretariat": 200, "administrator": 200}, 403),
    "imports.check": ("POST", {"secretariat": 422, "administrator": 422}, 403),
    "imports.confirm": ("POST", {"secretariat": 409, "administrator": 409}, 403),
    "admin.users": ("GET", {"administrator": 200}, 403),
    "admin.new_user": ("GET", {"administrator": 200}, 403),
    "admin.edit_user": ("GET", {"administrator": 200}, 403),
    "admin.password_link": ("POST", {"administrator": 200}, 403),
    "admin.reset_two_step": ("POST", {"administrator": 409}, 403),
    "admin.import_users": ("GET", {"administrator": 200}, 403),
    # Outgoing e-mail: dead and waiting messages, for administrators only (no message with
    # the id used here: an administrator's retry finds none).
    "outbox.index": ("GET", {"administrator": 200}, 403),
    "outbox.retry": ("POST", {"administrator": 404}, 403),
    # A running project's files: read as the project is, added by its chairs and the
    # secretariat (an empty upload is refused as a form error only for them).
    "attachments.page": ("GET", {"other_chair": 404, "administrator": 404}, 200),
    "attachments.upload": (
        "POST",
        {"chair": 422, "secretariat": 422, "other_chair": 404, "administrator": 404},
        403,
    ),
    "attachments.download": ("GET", {"other_chair": 404, "administrator": 404}, 200),
    # Progress and final reports: the chair of the project's group submits (a submitted
    # report is not resubmitted: back to it), the secretariat accepts; the report is read by
    # whoever sees the project.
    "progress_reports.new": ("GET", {"chair": 200, "other_chair": 404}, 403),
    "progress_reports.show": ("GET", {"other_chair": 404, "administrator": 404}, 200),
    "progress_reports.decide": ("POST", {"secretariat": 303}, 403),
    "progress_reports.resubmit": ("GET", {"chair": 302, "other_chair": 404}, 403),
}


def test_every_route_has_a_rule(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "add these routes to RULES"
    assert set(RULES) - endpoints == set(), "remove rules of routes that no longer exist"


def _world(world):  # type: ignore[no-untyped-def]
    project = factories.project(
        world,
        status=S.ONGOING,
        code="UNCCT-2017-73-a",
        start=date(2018, 1, 1),
        months=12,
        actual_start=date(2018, 1, 1),
    )
    finance.record_entry(
        world.finance,
        project.id,
        finance.EntryInput("commitment", Decimal("1000.00"), date(2018, 2, 1)),
    )
    ext = extensions.request_extension(
        world.chair_a, project.id, extensions.ExtensionInput(4, None, None, "Leaflet")
    )
    other_ext_project = factories.project(world, status=S.ONGOING, code="UNCCT-2017-73-b")
    reviewed = extensions.request_extension(
        world.chair_a, other_ext_project.id, extensions.ExtensionInput(2, None, None, "More")
    )
    extensions.review_extension(world.finance, reviewed.id, "ok")
    final = progress_reports.submit_report(
        world.chair_a,
        project.id,
        ReportKind.FINAL,
        date(2019, 3, 31),
        progress_reports.ReportInput("Done.", "All.", "", "", Decimal("900.00"), Decimal("0")),
    )
    m = meeting(world)
    under_review = factories.proposal(world, status=S.UNDER_REVIEW, title="On the agenda")
    item = board.add_to_agenda(world.secretariat, m.id, under_review.id)
    term = ChairTerm(working_group=world.group_a, user=world.chair_a, since=date(2018, 1, 1))
    output = ResultsOutput(programme_id=world.programme.id, label="Outcome 4, Output 4.2")
    report = jobs.request(
        world.secretariat,
        JobKind.PORTFOLIO_CSV,
        {"programme_id": None, "year": 2018, "as_at": "2018-12-31"},
    )
    db.session.add_all([term, output])
    db.session.commit()
    queue.run_next()
    current_app.config["FILES_DIRECTORY"] = tempfile.mkdtemp(prefix="prb-matrix-files-")
    attachment = attachments.add_attachment(
        world.chair_a,
        OwnerKind.PROPOSAL,
        project.id,
        filename="project document.pdf",
        data=file_samples.PDF,
        store=file_store(current_app.config, current_app.instance_path),
        max_size=MB,
    )
    return {
        "job_id": report.id,
        "report_id": final.id,
        "report_kind": "progress",
        "due": "2018-07-01",
        "proposal_id": project.id,
        "kind": OwnerKind.PROPOSAL,
        "owner_id": project.id,
        "attachment_id": attachment.id,
        "trigger": "submit",
        "meeting_id": m.id,
        "item_id": item.id,
        "extension_id": ext.id,
        "user_id": world.chair_b.id,
        "version": 1,
        "message_id": 999,
        "contribution_id": 999,
        "filename": "prb.css",
        "token": "no-such-token",
        "reviewed_extension_id": reviewed.id,
        "entity_id": world.cted.id,
        "group_id": world.group_a.id,
        "term_id": term.id,
        "programme_id": world.programme.id,
        "output_id": output.id,
        "call_id": world.call.id,
        "seat_id": db.session.scalars(
            select(BoardMembership.id).where(BoardMembership.user_id == world.board_undp.id)
        ).one(),
    }


def _url(app, endpoint: str, values: dict[str, object]) -> str:  # type: ignore[no-untyped-def]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {name: values[name] for name in rule.arguments}
    if endpoint == "finance.review":
        args["extension_id"] = values["reviewed_extension_id"]
    if endpoint == "finance.chair_action":
        args["trigger"] = "withdraw"
    if endpoint == "progress_reports.decide":
        args["trigger"] = "accept"
    if endpoint.startswith("progress_reports.") and "kind" in rule.arguments:
        args["kind"] = values["report_kind"]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


POST_DATA = {
    "board.add_extension": lambda v: {"extension_id": v["reviewed_extension_id"]},
    "finance.request_extension": lambda v: {"months": "2", "justification": "x"},
}


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, client, world, role: str) -> None:
    values = _world(world)
    people = {
        "chair": world.chair_a,
        "other_chair": world.chair_b,
        "board": world.board_undp,
        "finance": world.finance,
        "secretariat": world.secretariat,
        "administrator": factories.administrator(world),
    }
    if role != "anonymous":
        sign_in(client, people[role])
    failures = []
    # Sign-out last: it ends the session.
    for endpoint in sorted(RULES, key=lambda e: e == "auth.logout"):
        method, statuses, default = RULES[endpoint]
        expected = statuses.get(role, 302 if role == "anonymous" else default)
        url = _url(app, endpoint, values)
        # a fresh one-time token, as the rendered form carries: the status is the role's
        data = {**POST_DATA.get(endpoint, lambda v: {})(values), "once": secrets.token_hex(8)}
        response = client.open(url, method=method, data=data)
        if response.status_code != expected:
            failures.append(
                f"{method} {url} ({endpoint}) as {role}: "
                f"{response.status_code}, expected {expected}"
            )
    assert not failures, "\n".join(failures)
