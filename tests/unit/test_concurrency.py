"""Two workers acting on one proposal at the same moment (PostgreSQL, real connections)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, Proposal, User
from prb.services import lifecycle
from prb.services.errors import Conflict
from tests import factories
from workflows import ProposalState, ProposalTrigger


def test_two_concurrent_transitions_give_one_success_and_one_conflict(app, backend, world):
    proposal = factories.proposal(world, status=ProposalState.SUBMITTED)
    proposal_id, secretariat_id = proposal.id, world.secretariat.id
    # a second secretariat member, so the two attempts come from different people
    other = factories.user("secretariat.2@prb.example", world.unoct, *world.secretariat.roles)
    db.session.commit()
    other_id = other.id
    db.session.remove()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        with app.app_context():
            # Meet first: on SQLite the first read of a writing transaction already takes
            # the write lock, which the other thread would wait for at the barrier.
            barrier.wait()
            actor = db.session.get(User, user_id)
            try:
                lifecycle.fire(
                    actor,
                    proposal_id,
                    ProposalTrigger.START_REVIEW,
                    expected_status=ProposalState.SUBMITTED,
                )
                result = "ok"
            except Conflict as exc:
                result = f"conflict: {exc.message}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in (secretariat_id, other_id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"], outcomes
    assert "changed while you were looking at it" in next(o for o in outcomes if o != "ok")
    assert db.session.get(Proposal, proposal_id).status == ProposalState.UNDER_REVIEW
    assert (
        db.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.event == "start_review")
        )
        == 1
    )
