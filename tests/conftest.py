"""Test fixtures. Every test gets a clean database; the suite runs on SQLite, and on
PostgreSQL as well when PRB_TEST_DATABASE_URL is set (each database test runs on both)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

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
    return create_app(config)


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
