"""Unbound Flask extensions, initialised in the app factory."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, has_request_context, request
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: Alembic needs them to alter or drop constraints, on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class Compression(Compress):
    """Flask-Compress (gzip, Brotli, Zstandard as the browser accepts; `PRB_COMPRESS`), made
    once per app in the factory so that each app keeps its own settings.

    One case it would get wrong is left alone: a partial answer (206, `Content-Range`) names
    byte ranges of the uncompressed file, and compressing the slice would make them lie."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and (
            response.status_code == 206 or "Content-Range" in response.headers
        ):
            return response
        return super().after_request(response)


# Requests that only read (the house rule: no write on a GET). Everything else — other
# requests, CLI commands, workers, threads — may write.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def serialise_sqlite_writes(engine: Engine, busy_timeout_seconds: int) -> None:
    """On SQLite, make every transaction that may write start with `BEGIN IMMEDIATE`.

    SQLite has no row locks (FOR UPDATE is dropped), and pysqlite starts its transaction
    late — DEFERRED, just before the first INSERT/UPDATE — so two requests could both read
    "approved, no decision yet" and both write. `BEGIN IMMEDIATE` takes the database's one
    write lock before the first read: the second writer waits (up to the busy timeout) and
    then reads what the first one committed. Reading requests stay DEFERRED and, with the
    WAL journal, neither wait for writers nor hold them up. (SQLAlchemy's recipe for
    pysqlite: take transaction control away from the driver and emit BEGIN ourselves, which
    also makes SAVEPOINTs work.) The price: outside a reading request even a read holds the
    write lock until its transaction ends, so end it before waiting on anything (a sleep,
    another connection, a long render).
    """
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database

    @event.listens_for(engine, "connect")
    def take_over_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN/COMMIT of its own
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        if not in_memory:
            # Readers see the last commit while a writer works; kept in the file itself.
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        if _only_reading():
            # A deferred BEGIN takes no lock and cannot fail: sent on the driver's own
            # connection, it skips a statement's worth of SQLAlchemy (~20 µs a page).
            connection.connection.dbapi_connection.execute("BEGIN")  # type: ignore[union-attr]
        else:
            # Through SQLAlchemy, so that a lock still held when the busy timeout ends
            # reaches the app as SQLAlchemy's OperationalError, as every other failure does.
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Before a request uses a pooled connection that has lain idle for `idle_seconds`, check
    that the database still answers on it; if not, the pool opens a new one.

    SQLAlchemy's `pool_pre_ping` checks at every checkout: one round trip more on every
    request (on PostgreSQL, one of the four a signed-in page made). A database restarted
    while PRB was quiet is still caught before any page uses a dead connection; one that
    goes away under load fails the requests it was serving with the 503 page, and the first
    such failure makes the pool replace every connection it holds."""

    @event.listens_for(engine, "checkin")
    def note_idle(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = _clock()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or _clock() - since < idle_seconds:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out (or opens) another.
            raise exc.DisconnectionError(
                "the database did not answer on an idle connection"
            ) from error


_IDLE_SINCE = "prb_idle_since"
# The pool's clock (the tests move it).
_clock = time.monotonic


# Set around work outside a request that only reads (the worker rendering a report).
_reading_outside_requests: ContextVar[bool] = ContextVar("prb_only_reading", default=False)


@contextmanager
def only_reading() -> Iterator[None]:
    """Mark work outside a request as read-only — the worker reading and rendering a report —
    so that on SQLite its transactions begin DEFERRED and hold no write lock while it
    renders. End the transaction inside the block: a write in it would not be serialised."""
    token = _reading_outside_requests.set(True)
    try:
        yield
    finally:
        _reading_outside_requests.reset(token)


def _only_reading() -> bool:
    if _reading_outside_requests.get():
        return True
    return has_request_context() and request.method in READING_METHODS


def asked_for_autocommit(connection: Connection) -> bool:
    """Whether the caller opened `connection` with isolation_level="AUTOCOMMIT"."""
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def read_without_transactions(engine: Engine) -> None:
    """On PostgreSQL, let a reading request's statements run outside a transaction block
    until it writes: two round trips fewer (BEGIN and COMMIT) on every page.

    At READ COMMITTED, PostgreSQL's default and PRB's, each statement of a transaction sees
    what was committed when that statement began, exactly as it does outside one: a page
    that only reads sees the same either way. The first statement that is not a plain
    SELECT — the one write a GET may make (the audit row of a refusal), a write the house
    rule forbids but must still roll back, a server-side cursor (which needs a transaction)
    — opens one before it runs, so from there on everything is as before. psycopg sends
    BEGIN lazily, before the first statement, so the switch costs no round trip; a commit
    or rollback with no transaction open costs none either, and keeps the connection's
    prepared statements. A SELECT that locks (FOR UPDATE, FOR SHARE, a transaction's
    advisory lock) opens one too, so that its lock lasts as long as it did. SQLite, whose
    transactions cost no round trip, is left alone (measured: no gain)."""
    if engine.dialect.name != "postgresql":
        return
    psycopg = engine.dialect.loaded_dbapi
    server_cursor = psycopg.ServerCursor
    idle_status = psycopg.pq.TransactionStatus.IDLE

    def _idle(dbapi_connection: Any) -> bool:
        # psycopg refuses to switch with a transaction open
        return bool(dbapi_connection.info.transaction_status == idle_status)

    @event.listens_for(engine, "begin")
    def start(connection: Connection) -> None:
        # A connection opened in AUTOCOMMIT (VACUUM, CREATE DATABASE: statements no
        # transaction block may hold) is the caller's to keep as it is.
        if asked_for_autocommit(connection):
            return
        dbapi_connection: Any = connection.connection.dbapi_connection
        outside = has_request_context() and request.method in READING_METHODS
        if dbapi_connection.autocommit != outside and _idle(dbapi_connection):
            dbapi_connection.autocommit = outside

    @event.listens_for(engine, "before_cursor_execute")
    def open_before_writing(  # type: ignore[no-untyped-def]
        connection: Connection, cursor, statement: str, parameters, context, executemany
    ) -> None:
        dbapi_connection: Any = connection.connection.dbapi_connection
        if not dbapi_connection.autocommit or asked_for_autocommit(connection):
            return
        if (
            not _SELECT.match(statement)
            or _LOCKING.search(statement)
            or isinstance(cursor, server_cursor)
        ) and _idle(dbapi_connection):
            dbapi_connection.autocommit = False  # psycopg sends BEGIN before this statement

    @event.listens_for(engine, "checkin")
    def back_in_a_transaction(dbapi_connection: Any, _record: Any) -> None:
        # The pool's next user outside a request (the worker, the CLI) expects transactions.
        if dbapi_connection is not None and dbapi_connection.autocommit and _idle(dbapi_connection):
            dbapi_connection.autocommit = False


_SELECT_ONLY = "prb_select_only"
_BEGUN_HERE = "prb.transaction_begun"
_STREAMING = "prb.streaming"
_SELECT = re.compile(r"\s*SELECT\b", re.I)
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b|\bpg_advisory_xact_lock\b", re.I)


def keep_plans_between_reads(app: Flask, engine: Engine) -> None:
    """On PostgreSQL, end a reading request's transaction with COMMIT instead of ROLLBACK
    when it ran nothing but SELECTs, so that the server keeps its query plans.

    psycopg prepares a statement the fifth time a connection runs it, and the server then
    stops planning it anew. But psycopg drops every prepared statement at a ROLLBACK (to be
    safe whatever the transaction did), and a request's transaction ended in one when its
    session was closed: every page planned every statement again, which was up to half of a
    page's time on PostgreSQL (3.6 ms of the 4.7 the "awaiting my vote" query took).
    To data, COMMIT and ROLLBACK of a transaction that only selected are the same (and the
    server answers the COMMIT of a failed one with a ROLLBACK). A transaction that wrote
    anything or holds unflushed changes still ends in ROLLBACK, as before. SQLite keeps its
    statements across a rollback and is left alone."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def start(connection: Connection) -> None:
        connection.info[_SELECT_ONLY] = True
        if has_request_context():
            request.environ[_BEGUN_HERE] = connection

    @event.listens_for(engine, "after_cursor_execute")
    def watch(  # type: ignore[no-untyped-def]
        connection: Connection, cursor, statement: str, parameters, context, executemany
    ) -> None:
        if not _SELECT.match(statement):
            connection.info[_SELECT_ONLY] = False

    @app.after_request
    def note_streaming(response: Response) -> Response:
        if response.is_streamed:
            request.environ[_STREAMING] = True
        return response

    @app.teardown_request
    def end_reading_transaction(error: BaseException | None) -> None:
        # A streamed answer (a CSV export) still reads from a cursor in the transaction:
        # Flask tears the request down before the stream as well as after it.
        if error is not None or not _only_reading() or request.environ.get(_STREAMING):
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        connection = session.connection()
        # Only the transaction this request began: a session shared across requests (the
        # tests' client) may still be streaming an earlier answer from a cursor in it.
        if (
            connection is request.environ.get(_BEGUN_HERE)
            and connection.info.get(_SELECT_ONLY)
            and not connection.invalidated
            # Read outside a transaction block (read_without_transactions): none to end,
            # and the ROLLBACK of the session's close sends nothing and keeps the plans.
            and not connection.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        ):
            session.commit()


def end_lost_connections(app: Flask, engine: Engine) -> None:
    """On PostgreSQL, a request whose connection the server ended first is answered with the
    page it made, not a 500 from the teardown's ROLLBACK (SQLite has no server to end it).
    Call it after `db.init_app`: Flask runs teardowns in reverse, so this one runs before
    Flask-SQLAlchemy's `session.remove()`."""
    if engine.dialect.name != "postgresql":
        return

    @app.teardown_appcontext
    def end_with_a_lost_connection(error: BaseException | None) -> None:
        """The server ended the connection before the request's transaction ended (it
        dropped, or `idle_in_transaction_session_timeout` ended it): the ROLLBACK that
        `remove()` sends would raise, and answer a page already made with a 500. What the
        transaction had not committed is lost either way; the connection is invalidated,
        not returned to the pool."""
        # Most requests have nothing left to end here: no session made just to roll back.
        if not db.session.registry.has() or not db.session().in_transaction():
            return
        try:
            db.session.rollback()
        except exc.DBAPIError:
            app.logger.warning("The ROLLBACK ending a request failed", exc_info=True)
            db.session().invalidate()


# Tables whose writes do not change the records reports read: sign-in and form machinery,
# the outbox, notifications, background jobs, and the stamp itself. Every other table —
# including one added later — raises the stamp.
UNSTAMPED_TABLES = frozenset(
    {
        "alembic_version",
        "form_tokens",
        "jobs",
        "notification_preferences",
        "notifications",
        "outbox_messages",
        "password_links",
        "record_stamp",
        "recovery_codes",
        "sign_in_attempts",
    }
)
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_RECORDS_CHANGED = "prb_records_changed"
_RAISE_STAMP = (
    "INSERT INTO record_stamp (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = record_stamp.version + 1"
)


def stamp_record_writes(engine: Engine) -> None:
    """Raise the records' stamp (`prb.models.stamp`) in every transaction that wrote to the
    records, as the last statement before its commit. Watching the statements themselves
    catches every path — the ORM's flushes, bulk Core statements, scripts — where session
    events would miss the last two."""

    @event.listens_for(engine, "begin")
    def forget(connection: Connection) -> None:
        connection.info.pop(_RECORDS_CHANGED, None)

    @event.listens_for(engine, "after_cursor_execute")
    def note(  # type: ignore[no-untyped-def]
        connection: Connection, cursor, statement: str, parameters, context, executemany
    ) -> None:
        if connection.info.get(_RECORDS_CHANGED):
            return
        written = _WRITE.match(statement)
        if written and written.group(1).lower() not in UNSTAMPED_TABLES:
            connection.info[_RECORDS_CHANGED] = True

    @event.listens_for(engine, "commit")
    def raise_stamp(connection: Connection) -> None:
        if not connection.info.pop(_RECORDS_CHANGED, False):
            return
        if asked_for_autocommit(connection):
            return  # each statement committed on its own: no transaction to end with it
        # The driver's own cursor: SQLAlchemy is committing this connection already.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute("SAVEPOINT prb_record_stamp")
            try:
                cursor.execute(_RAISE_STAMP)
            except engine.dialect.loaded_dbapi.Error as error:
                # A database not yet upgraded to the stamp (migrations before 0014 and
                # their tests write to older schemas): nothing to raise; the transaction
                # carries on.
                if not _no_stamp_table(error):
                    raise
                cursor.execute("ROLLBACK TO SAVEPOINT prb_record_stamp")
            cursor.execute("RELEASE SAVEPOINT prb_record_stamp")
        finally:
            cursor.close()

    @event.listens_for(engine, "rollback")
    def discard(connection: Connection) -> None:
        # A connection lost mid-transaction (the database went away) can no longer be
        # asked for its info; the next transaction's "begin" forgets the mark anyway.
        if not connection.invalidated:
            connection.info.pop(_RECORDS_CHANGED, None)


def _no_stamp_table(error: Exception) -> bool:
    text_of = str(error).lower()
    return "record_stamp" in text_of and ("no such table" in text_of or "does not exist" in text_of)
