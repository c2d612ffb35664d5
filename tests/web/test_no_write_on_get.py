"""The suite-wide guard against writes on GET (tests/conftest.py) catches what it should, and
lets through only the audit record of a permission refusal (issue 13 §8)."""

from __future__ import annotations

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import audit
from tests import conftest
from tests.conftest import sign_in


def _writing_route(app) -> None:  # type: ignore[no-untyped-def]
    def write():  # type: ignore[no-untyped-def]
        audit.record("test_write_on_get", actor=None, comment="a GET that writes")
        db.session.commit()
        return "written"

    app.add_url_rule("/_test/write", "test_write", write, methods=["GET", "POST"])


def test_a_get_that_writes_is_caught_and_a_post_is_not(app, client, world) -> None:  # type: ignore[no-untyped-def]
    _writing_route(app)
    sign_in(client, world.secretariat)
    assert client.post("/_test/write").get_data(as_text=True) == "written"
    assert conftest._get_writes == []
    assert client.head("/_test/write").status_code == 200
    assert client.get("/_test/write").get_data(as_text=True) == "written"
    caught = list(conftest._get_writes)
    conftest._get_writes.clear()  # seen: do not fail this test for it
    assert [c.split(" ", 1)[0] for c in caught] == ["HEAD", "GET"]
    assert all("INSERT INTO audit_records" in c for c in caught)


def test_the_audit_of_a_refused_look_is_the_one_write_allowed(client, world) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, world.chair_a)
    assert client.get("/board/").status_code == 403
    assert conftest._get_writes == []
    refused = select(func.count(AuditRecord.id)).where(AuditRecord.event == "permission_refused")
    assert db.session.scalar(refused) == 1
