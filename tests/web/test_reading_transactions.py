"""How a reading request's transaction ends (prb.extensions.keep_plans_between_reads): on
PostgreSQL a transaction that only selected ends in COMMIT, so the server keeps the plans of
statements it has prepared; one that wrote, failed or holds unflushed changes still ends in
ROLLBACK, and nothing it did is kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import audit
from tests import conftest
from tests.conftest import make_app, sign_in


def _kept_audits(event: str) -> int:
    """Committed audit rows of `event`, read on a connection of their own (the test's session
    shares the request's transaction)."""
    with db.engine.connect() as conn:
        return int(
            conn.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.event == event)) or 0
        )


_PREPARED_HERE = text("SELECT CAST(:n AS INTEGER) + 1 AS answer")


def _routes(app) -> None:  # type: ignore[no-untyped-def]
    def write_without_commit():  # type: ignore[no-untyped-def]
        audit.record("test_uncommitted_on_get", actor=None, comment="written, never committed")
        db.session.flush()
        return "flushed"

    def fail_then_answer():  # type: ignore[no-untyped-def]
        # Run often enough to be prepared inside this transaction, which then fails: the
        # server forgets what an aborted transaction prepared, so must psycopg.
        for n in range(6):
            db.session.execute(_PREPARED_HERE, {"n": n})
        try:
            db.session.execute(text("SELECT * FROM no_such_table"))
        except Exception:
            return "failed quietly"
        return "did not fail"

    def run_again():  # type: ignore[no-untyped-def]
        return str(db.session.scalar(_PREPARED_HERE, {"n": 41}))

    def change_without_flush():  # type: ignore[no-untyped-def]
        audit.record("test_unflushed_on_get", actor=None, comment="added, never flushed")
        return "added"

    app.add_url_rule("/_test/write-uncommitted", "write_uncommitted", write_without_commit)
    app.add_url_rule("/_test/fail-then-answer", "fail_then_answer", fail_then_answer)
    app.add_url_rule("/_test/run-again", "run_again", run_again)
    app.add_url_rule("/_test/change-unflushed", "change_unflushed", change_without_flush)


def test_a_page_read_again_is_not_planned_again_on_postgresql(  # type: ignore[no-untyped-def]
    app, world, backend, database_url
) -> None:
    if backend != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    # An app of its own, outside the fixture's app context: each request then opens and
    # closes its own session, as a served request does.
    served = make_app(database_url)
    client = served.test_client()
    sign_in(client, world.secretariat)
    # psycopg prepares a statement on its fifth run on a connection, and the pool hands out
    # its (at most five) idle connections in turn: six views for each of them.
    for _ in range(30):
        assert client.get("/proposals/").status_code == 200
    with served.app_context():
        # The statement loading the signed-in user (and her unread notices) runs on every
        # page; the pool hands out the connection that has waited longest.
        prepared = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%notifications%'"
            )
        )
        db.session.remove()
        db.engine.dispose()
    assert prepared >= 1, "each view ended in ROLLBACK, which drops every prepared statement"


def test_a_get_that_wrote_is_still_rolled_back(app, client, world) -> None:  # type: ignore[no-untyped-def]
    _routes(app)
    sign_in(client, world.secretariat)
    assert client.get("/_test/write-uncommitted").get_data(as_text=True) == "flushed"
    conftest._get_writes.clear()  # the suite's guard saw the write; it is this test's subject
    db.session.rollback()  # the test's session shares the request's transaction: end it
    assert _kept_audits("test_uncommitted_on_get") == 0


def test_a_get_with_unflushed_changes_keeps_none_of_them(app, client, world) -> None:  # type: ignore[no-untyped-def]
    _routes(app)
    sign_in(client, world.secretariat)
    assert client.get("/_test/change-unflushed").get_data(as_text=True) == "added"
    conftest._get_writes.clear()
    db.session.rollback()
    assert _kept_audits("test_unflushed_on_get") == 0


def test_a_failed_statement_in_a_read_leaves_the_next_page_working(app, client, world) -> None:  # type: ignore[no-untyped-def]
    _routes(app)
    sign_in(client, world.secretariat)
    assert client.get("/_test/fail-then-answer").get_data(as_text=True) == "failed quietly"
    db.session.rollback()  # as the end of a real request would
    assert client.get("/_test/run-again").get_data(as_text=True) == "42"
    for _ in range(7):
        assert client.get("/proposals/").status_code == 200
    assert client.get("/account").status_code == 200


def test_the_open_state_is_written_into_the_awaiting_query() -> None:
    """`written_in`: the fixed state and kind are part of the statement's text (so that on
    PostgreSQL one prepared plan serves every run), taken from the workflow definition."""
    from sqlalchemy.dialects import postgresql

    from prb.services.board.queries import _awaiting_columns
    from workflows import ItemState, MeetingKind

    bound = _awaiting_columns().params(member_id=1, entity_id=1, now=datetime.now(UTC))
    rendered = str(
        bound.compile(dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True})
    )
    assert f"agenda_items.status = '{ItemState.OPEN.value}'" in rendered
    assert f"meetings.kind = '{MeetingKind.WRITTEN_PROCEDURE.value}'" in rendered


def test_the_agenda_choices_write_their_fixed_states_in() -> None:
    from sqlalchemy.dialects import postgresql

    from prb.services.board.agenda import _choices, _extension_choices
    from workflows import ExtensionState, ItemState, ProposalState

    def rendered(stmt) -> str:  # type: ignore[no-untyped-def]
        return str(
            stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True})
        )

    until = datetime(2026, 1, 1, tzinfo=UTC)
    proposals = rendered(_choices().params(limit=10, until=until))
    assert f"proposals.status = '{ProposalState.UNDER_REVIEW.value}'" in proposals
    assert f"agenda_items.status = '{ItemState.OPEN.value}'" in proposals
    extensions = rendered(_extension_choices().params(until=until))
    assert (
        f"extension_requests.status IN ('{ExtensionState.REQUESTED.value}', "
        f"'{ExtensionState.UNDER_REVIEW.value}')" in extensions
    )
    assert "extension_requests.finance_review != ''" in extensions


def _commands_sent(monkeypatch) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Every command psycopg sends of its own (BEGIN, COMMIT, ROLLBACK), as the test runs."""
    from psycopg import _connection_base

    sent: list[bytes] = []
    send = _connection_base.BaseConnection._exec_command

    def watched(self, command, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(bytes(command) if isinstance(command, bytes) else str(command).encode())
        return send(self, command, *args, **kwargs)

    monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", watched)
    return sent


def test_a_page_that_only_reads_opens_no_transaction_on_postgresql(  # type: ignore[no-untyped-def]
    app, world, backend, database_url, monkeypatch
) -> None:
    """prb.extensions.read_without_transactions: BEGIN and COMMIT were two of a signed-in
    page's three round trips; a sign-in, which writes, still runs in one transaction."""
    if backend != "postgresql":
        pytest.skip("round trips to a database server: PostgreSQL only")
    served = make_app(database_url)
    client = served.test_client()
    sent = _commands_sent(monkeypatch)
    sign_in(client, world.secretariat)
    assert b"BEGIN" in sent and b"COMMIT" in sent, sent
    for page in ("/proposals/", "/account", "/finance/", "/board/"):
        sent.clear()
        assert client.get(page).status_code == 200
        assert not [c for c in sent if c.split()[0] in (b"BEGIN", b"COMMIT", b"ROLLBACK")], (
            page,
            sent,
        )
    with served.app_context():
        db.engine.dispose()


def test_a_connection_goes_back_to_the_pool_ready_for_transactions(  # type: ignore[no-untyped-def]
    app, world, backend, database_url
) -> None:
    """The worker and the CLI share the pool's connections with pages: one a page read on
    outside a transaction must come back to them in transaction mode."""
    if backend != "postgresql":
        pytest.skip("psycopg's autocommit: PostgreSQL only")
    served = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})
    client = served.test_client()
    sign_in(client, world.secretariat)
    assert client.get("/proposals/").status_code == 200
    with served.app_context():
        raw = db.engine.raw_connection()
        try:
            assert raw.dbapi_connection is not None
            assert raw.dbapi_connection.autocommit is False
        finally:
            raw.close()
        db.engine.dispose()


def test_a_read_that_locks_keeps_its_lock_until_the_page_ends_on_postgresql(  # type: ignore[no-untyped-def]
    app, world, backend, database_url
) -> None:
    """A SELECT … FOR UPDATE (or an advisory transaction lock) on a page opens a transaction,
    as a write does: outside one its lock would end with the statement."""
    if backend != "postgresql":
        pytest.skip("psycopg's autocommit: PostgreSQL only")
    from psycopg.pq import TransactionStatus

    from prb.models import User

    served = make_app(database_url)

    def status_after(statement):  # type: ignore[no-untyped-def]
        def view():  # type: ignore[no-untyped-def]
            db.session.execute(statement)
            raw = db.session.connection().connection.dbapi_connection
            return TransactionStatus(raw.info.transaction_status).name

        return view

    served.add_url_rule(
        "/_test/plain", "plain", status_after(select(User.id).where(User.id == world.chair_a.id))
    )
    locking = select(User.id).where(User.id == world.chair_a.id).with_for_update()
    served.add_url_rule("/_test/locking", "locking", status_after(locking))
    advisory = text("SELECT pg_advisory_xact_lock(42)")
    served.add_url_rule("/_test/advisory", "advisory", status_after(advisory))
    client = served.test_client()
    sign_in(client, world.secretariat)
    assert client.get("/_test/plain").get_data(as_text=True) == "IDLE"
    assert client.get("/_test/locking").get_data(as_text=True) == "INTRANS"
    assert client.get("/_test/advisory").get_data(as_text=True) == "INTRANS"
    with served.app_context():
        db.engine.dispose()


def test_a_page_whose_connection_the_server_ends_is_still_answered_on_postgresql(  # type: ignore[no-untyped-def]
    app, world, backend, database_url, caplog
) -> None:
    """A page read in a transaction (a locking read) whose connection the server ends before
    the transaction's end: what it read is its answer, not a 500, and the next page works
    on a fresh connection."""
    if backend != "postgresql":
        pytest.skip("psycopg's autocommit: PostgreSQL only")
    import time

    from prb.models import User

    served = make_app(database_url)

    def locking_then_idle():  # type: ignore[no-untyped-def]
        name = db.session.scalar(
            select(User.name).where(User.id == world.chair_a.id).with_for_update()
        )
        db.session.execute(text("SET LOCAL idle_in_transaction_session_timeout = '20ms'"))
        time.sleep(0.3)  # the server ends the idle transaction, and its connection
        return str(name)

    served.add_url_rule("/_test/locking-idle", "locking_idle", locking_then_idle)
    client = served.test_client()
    sign_in(client, world.secretariat)
    answer = client.get("/_test/locking-idle")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == world.chair_a.name
    assert "The ROLLBACK ending a request failed" in caplog.text
    assert client.get("/account").status_code == 200
    with served.app_context():
        db.engine.dispose()


def test_a_connection_asked_for_autocommit_keeps_it_on_postgresql(  # type: ignore[no-untyped-def]
    app, world, backend, database_url
) -> None:
    """Outside a request as within one: VACUUM (as `make bench`'s data generator runs it)
    may not run inside a transaction block, and read_without_transactions must not open one
    on a connection its caller asked to run in autocommit."""
    if backend != "postgresql":
        pytest.skip("psycopg's autocommit: PostgreSQL only")
    served = make_app(database_url)
    with served.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE users"))
            conn.execute(text("UPDATE users SET name = name WHERE id = -1"))
            conn.execute(text("VACUUM ANALYZE users"))
        with (
            served.test_request_context("/proposals/"),
            db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
        ):
            conn.execute(text("VACUUM ANALYZE users"))
        db.engine.dispose()
