"""Two (and more) finance officers recording disbursements at once can never overdraw."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import LedgerEntry, User
from prb.services import finance
from prb.services.errors import Invalid
from tests import factories
from workflows import ProposalState, Role

OFFICERS = 6


def test_concurrent_disbursements_never_exceed_the_commitment(app, backend, world):
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("100000.00"))
    finance.record_entry(
        world.finance,
        p.id,
        finance.EntryInput("commitment", Decimal("100000.00"), date(2018, 3, 1)),
    )
    officers = [
        factories.user(f"finance.{i}@prb.example", world.unoct, Role.FINANCE)
        for i in range(OFFICERS)
    ]
    db.session.commit()
    ids, project_id = [o.id for o in officers], p.id
    db.session.remove()
    barrier = threading.Barrier(OFFICERS)
    results: list[str] = []
    lock = threading.Lock()

    def disburse(uid: int) -> None:
        with app.app_context():
            barrier.wait()  # before the first read: see test_concurrency
            officer = db.session.get(User, uid)
            try:
                finance.record_entry(
                    officer,
                    project_id,
                    finance.EntryInput("disbursement", Decimal("30000.00"), date(2018, 4, 1)),
                )
                outcome = "ok"
            except Invalid as exc:
                outcome = exc.message
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=disburse, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count("ok") == 3, results  # 3 × 30,000 fit in 100,000; a 4th would not
    assert all("would exceed the USD 100,000.00 committed" in r for r in results if r != "ok")
    total = db.session.scalar(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "disbursement")
    )
    assert total == Decimal("90000.00")
