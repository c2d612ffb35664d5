"""Test fixtures. Every test gets a clean database; the suite runs on SQLite, and on
PostgreSQL as well when PRB_TEST_DATABASE_URL is set (each database test runs on both)."""

from __future__ import annotations

import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, has_request_context, request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL, Engine

from prb import create_app
from prb.config import normalise_database_url
from prb.extensions import db
from tests import factories

# Property tests: the same examples on every run ("ci", the default), so that a red build
# is a bug and not a throw of the dice; "long" explores far more, with a fresh seed, on
# demand (PRB_HYPOTHESIS_PROFILE=long). A failure found there is printed with the
# @reproduce_failure line to keep it.
_PROPERTY_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("PRB_FUZZ_EXAMPLES", "25")),
    print_blob=True,
    suppress_health_check=_PROPERTY_CHECKS,
)
settings.register_profile(
    "long",
    deadline=None,
    max_examples=int(os.environ.get("PRB_FUZZ_EXAMPLES", "1000")),
    print_blob=True,
    suppress_health_check=_PROPERTY_CHECKS,
)
settings.load_profile(os.environ.get("PRB_HYPOTHESIS_PROFILE", "ci"))

# -- No write on a GET (issue 13 §8) ----------------------------------------------------------
# Every statement any engine runs while a GET or HEAD request is being handled is watched; one
# that writes is recorded, and the test fails at teardown naming the request and statement.
# (Recorded rather than raised: a raise inside the request could be swallowed by an error
# handler and pass as a 4xx/5xx page.)
_WRITE = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|MERGE|REPLACE)\b", re.I | re.S)
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_get_writes: list[str] = []
# The one write a GET may make: the audit row of a permission refusal (403), because a denied
# look at a page is a security event the audit must keep (prb.web.errors).
_ALLOWED_ON_GET = ("audit_records", "permission_refused")


def _allowed_on_get(statement: str, parameters: Any) -> bool:
    table, event_name = _ALLOWED_ON_GET
    if not re.match(rf"^\s*INSERT INTO {table}\b", statement, re.I):
        return False
    values = parameters.values() if isinstance(parameters, dict) else parameters
    return event_name in tuple(values or ())


@event.listens_for(Engine, "before_cursor_execute")
def _watch_get_writes(  # type: ignore[no-untyped-def]
    conn, cursor, statement: str, parameters: Any, context, executemany: bool
) -> None:
    if (
        has_request_context()
        and request.method in _SAFE_METHODS
        and _WRITE.match(statement)
        and not _allowed_on_get(statement, parameters)
    ):
        _get_writes.append(f"{request.method} {request.full_path}: {statement.strip()[:200]}")


@pytest.fixture(autouse=True)
def no_writes_on_get() -> Iterator[None]:
    _get_writes.clear()
    yield
    found, _get_writes[:] = list(_get_writes), []
    assert not found, "a GET request wrote to the database:\n" + "\n".join(found)


PG_URL = os.environ.get("PRB_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[URL | None]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end."""
    if not PG_URL:
        yield None
        return
    base = make_url(normalise_database_url(PG_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"prb_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_pg_schema_ready: set[str] = set()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path, pg_server_url: URL | None) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'prb-test.sqlite3'}"
    if pg_server_url is None:
        pytest.skip("PRB_TEST_DATABASE_URL is not set")
    return pg_server_url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):  # type: ignore[no-untyped-def]
    """A database with no schema at all, on each backend (for migrations and `prb demo`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PRB_TEST_DATABASE_URL is not set")
    base = make_url(normalise_database_url(PG_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"prb_migrate_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_app(database_url: str, **overrides: object) -> Flask:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PAGE_SIZE": 5,
        "SIGNING_P12": "",  # unsigned unless a test configures a certificate
        "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
        # Two-step sign-in is off for the suite's sign-ins; its own tests turn it on.
        "TWO_STEP_ROLES": "",
    }
    config.update(overrides)
    made = create_app(config)
    # Every test client posts forms as a browser does: with a one-time token.
    made.test_client_class = OnceClient
    return made


@pytest.fixture
def app(database_url: str, backend: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        if backend == "sqlite" or database_url not in _pg_schema_ready:
            db.create_all()
            _pg_schema_ready.add(database_url)
        yield app
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


class OnceClient(FlaskClient):
    """A test client whose form posts carry a fresh one-time token, as a browser posting a
    rendered form does. Tests of the token itself set `auto_once = False` or send "once"."""

    auto_once = True

    def post(self, *args: Any, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if self.auto_once and isinstance(data, dict) and "once" not in data:
            kwargs["data"] = {**data, "once": secrets.token_hex(8)}
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> factories.World:
    """A small portfolio: two working groups with their chairs, board, finance, secretariat."""
    return factories.build_world()


def sign_in(client: FlaskClient, user, password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


def at_once(app: Flask, jobs: list[Callable[[], str]]) -> list[str]:
    """Run each job in its own thread, app context and database connection, all released
    together; a job returns its outcome, a Conflict or Invalid becomes "conflict: …"."""
    from prb.services.errors import Conflict, Invalid

    # End the test's own transaction first: on SQLite even its reads hold the write lock.
    db.session.remove()
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []
    lock = threading.Lock()

    def worker(job: Callable[[], str]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                outcome = job()
            except (Conflict, Invalid) as exc:
                outcome = f"conflict: {exc.message}"
            except Exception as exc:  # "database is locked" must show in the results, not vanish
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def smtp(app: Flask) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free port, the app's mail pointed at it, and
    PRB_BASE_URL set so that links in messages are absolute and predictable."""
    from tests.mail_helpers import SmtpServer

    server = SmtpServer()
    server.start()
    server.configure(app)
    app.config.update(BASE_URL="https://prb.office.example")
    yield server
    server.stop()
