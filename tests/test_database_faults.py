"""The database becomes unreachable mid-request: a clear 503, nothing half-written, and
the app recovers by itself when the database is back (PostgreSQL through a proxy)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, make_url, select

from prb import extensions
from prb.extensions import db
from prb.models import AuditRecord, LedgerEntry
from prb.services import audit
from tests import factories
from tests.conftest import make_app, sign_in
from tests.tcp_proxy import Proxy
from workflows import ProposalState


@pytest.fixture
def proxied(backend, database_url):  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("needs a database server to cut off")
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def test_unreachable_database_gives_503_writes_nothing_and_recovers(app, world, proxied):
    proxy, proxied_url = proxied
    project = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    project_id, finance_email = project.id, world.finance.email
    faulty = make_app(proxied_url)
    with faulty.app_context():
        client = faulty.test_client()
        sign_in(client, world.finance)
        assert client.get(f"/proposals/{project_id}/finance").status_code == 200

        # 1. cut between requests
        proxy.cut()
        response = client.get(f"/proposals/{project_id}/finance")
        assert response.status_code == 503
        assert "The database cannot be reached just now" in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "30"

        # 2. cut in the middle of a write: the entry is flushed, then the line goes down
        proxy.restore()
        original = audit.record

        def cut_then_record(*args, **kwargs):  # type: ignore[no-untyped-def]
            db.session.flush()
            proxy.cut()
            return original(*args, **kwargs)

        audit.record = cut_then_record  # type: ignore[assignment]
        try:
            response = client.post(
                f"/proposals/{project_id}/finance/entries",
                data={"kind": "commitment", "amount": "500.00", "value_date": "2018-03-01"},
            )
        finally:
            audit.record = original  # type: ignore[assignment]
        assert response.status_code == 503

        # 3. back up: the app recovers by itself
        proxy.restore()
        assert client.get(f"/proposals/{project_id}/finance").status_code == 200
        db.session.remove()
        db.engine.dispose()
    assert finance_email
    # nothing half-written: neither the entry nor its audit record exists
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.event == "ledger_commitment")
        )
        == 0
    )
    # and the write goes through now
    from prb.services import finance

    finance.record_entry(
        world.finance,
        project_id,
        finance.EntryInput("commitment", Decimal("500.00"), date(2018, 3, 1)),
    )
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_a_database_restarted_while_prb_was_quiet_costs_no_request(
    app, world, proxied, monkeypatch
):
    proxy, proxied_url = proxied
    project = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    path = f"/proposals/{project.id}/finance"
    clock = [1000.0]
    monkeypatch.setattr(extensions, "_clock", lambda: clock[0])
    # Requests outside the test's app context, as served: each ends its session and hands its
    # connection back to the pool.
    faulty = make_app(proxied_url)
    client = faulty.test_client()
    sign_in(client, world.finance)
    assert client.get(path).status_code == 200
    # The database goes away and comes back while nobody uses PRB: every pooled connection
    # is dead, and the first page must not be the one to find out.
    proxy.cut()
    proxy.restore()
    clock[0] += faulty.config["DATABASE_PING_AFTER_IDLE_SECONDS"]
    assert client.get(path).status_code == 200
    with faulty.app_context():
        db.engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_checked_again(app, world, database_url, monkeypatch):
    """Checking at every checkout (pool_pre_ping) cost every page a round trip."""
    clock = [1000.0]
    monkeypatch.setattr(extensions, "_clock", lambda: clock[0])
    finance = SimpleNamespace(email=world.finance.email)
    # The test's own transaction holds SQLite's write lock; the served app needs it.
    db.session.commit()
    served = make_app(database_url)
    with served.app_context():
        engine = db.engine
    pings: list[object] = []
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda connection: pings.append(connection) or True
    )
    client = served.test_client()
    sign_in(client, finance)
    assert client.get("/finance/").status_code == 200
    assert client.get("/finance/").status_code == 200
    assert pings == []
    clock[0] += served.config["DATABASE_PING_AFTER_IDLE_SECONDS"]
    assert client.get("/finance/").status_code == 200
    assert len(pings) == 1
    engine.dispose()
