"""The outbox: a message is written in the caller's transaction (rolled back with it, never
sent), the default writes .eml files, and the administrator sees dead and waiting messages —
never a body — and may retry a dead one; nobody else may."""

from __future__ import annotations

import email
from datetime import timedelta
from email.policy import default

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import AuditRecord, OutboxMessage, OutboxState, utcnow
from prb.services.errors import Invalid, NotAllowed
from prb.services.jobs import queue
from prb.services.mail import dead_letters, deliver_due, enqueue
from prb.services.transaction import committed
from tests import factories
from tests.conftest import sign_in

SECRET_LINK = "https://prb.example/set-password/s3cr3t-t0k3n"


def _count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_a_message_of_a_rolled_back_change_is_never_sent(smtp, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), committed():
        enqueue(to=world.chair_a, kind="test", subject="Decided", text="The Board decided.")
        raise RuntimeError("the change fails after the message was written")
    assert _count() == 0
    assert deliver_due() == 0
    assert smtp.received == []


def test_enqueue_adds_to_the_callers_transaction_without_committing(app, world) -> None:  # type: ignore[no-untyped-def]
    enqueue(to=world.chair_a, kind="test", subject="Decided", text="x")
    db.session.rollback()
    assert _count() == 0


def test_enqueue_refuses_a_header_injection(app, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        enqueue(to="a@example.org\r\nBcc: b@example.org", kind="test", subject="s", text="x")
    message = enqueue(to="a@example.org", kind="test", subject="One\r\nBcc: x@y", text="x")
    assert message.subject == "One Bcc: x@y"
    db.session.rollback()


def test_without_a_mail_server_messages_are_written_as_eml_files(app, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="", MAIL_DIRECTORY=str(tmp_path / "mail"))
    with committed():
        message = enqueue(
            to=world.chair_a,
            kind="test",
            subject="Written procedure: Biometrics",
            text="Please vote.",
            html="<p>Please vote.</p>",
        )
    assert queue.work(stop=lambda: False, once=True) == 0  # the worker's round sends it
    [path] = list((tmp_path / "mail").iterdir())
    assert path.name == f"{message.id}-written-procedure-biometrics.eml"
    mail = email.message_from_bytes(path.read_bytes(), policy=default)
    assert mail["Message-ID"] == message.message_id
    assert mail.get_body(("plain",)).get_content().strip() == "Please vote."  # type: ignore[union-attr]
    assert db.session.get(OutboxMessage, message.id).state == OutboxState.SENT  # type: ignore[union-attr]


def _dead(world, app) -> OutboxMessage:  # type: ignore[no-untyped-def]
    """A secret message the worker gave up on (the server refused every attempt)."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none")
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    with committed():
        message = enqueue(
            to=world.chair_b,
            kind="set_password",
            subject="Your PRB account",
            text=f"Set your password: {SECRET_LINK}",
            html=f'<a href="{SECRET_LINK}">Set your password</a>',
            secret=True,
        )
    now = utcnow()
    deliver_due(now=now)
    deliver_due(now=now + timedelta(hours=3))
    db.session.expire_all()
    assert message.state == OutboxState.DEAD
    return message


def test_the_administrator_sees_dead_messages_without_their_body(app, client, world) -> None:  # type: ignore[no-untyped-def]
    message = _dead(world, app)
    sign_in(client, factories.administrator(world))
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your PRB account" in html and world.chair_b.email in html
    assert "set_password" in html and "Connection" in html
    assert f"/admin/outbox/{message.id}/retry" in html
    assert "s3cr3t" not in html and "Set your password" not in html


def test_a_retry_queues_the_message_again_audited_and_it_is_sent(app, client, world, smtp) -> None:  # type: ignore[no-untyped-def]
    message = _dead(world, app)
    smtp.configure(app)
    admin = factories.administrator(world)
    sign_in(client, admin)
    response = client.post(f"/admin/outbox/{message.id}/retry", data={})
    assert response.status_code == 303
    db.session.expire_all()
    assert message.state == OutboxState.QUEUED and message.attempts == 0
    audit = db.session.scalars(
        select(AuditRecord).where(AuditRecord.event == "outbox_message_retried")
    ).one()
    assert audit.actor_id == admin.id and audit.subject_id == message.id
    assert "s3cr3t" not in (audit.comment or "") + (audit.before or "") + (audit.after or "")
    assert deliver_due() == 1
    assert [m["Message-ID"] for m in smtp.received] == [message.message_id]
    # A message no longer dead is not retried.
    assert client.post(f"/admin/outbox/{message.id}/retry", data={}).status_code == 409


@pytest.mark.parametrize("who", ["chair_a", "board_undp", "finance", "secretariat"])
def test_nobody_but_an_administrator_sees_or_retries(app, client, world, who: str) -> None:  # type: ignore[no-untyped-def]
    message = _dead(world, app)
    sign_in(client, getattr(world, who))
    assert client.get("/admin/outbox").status_code == 403
    assert client.post(f"/admin/outbox/{message.id}/retry", data={}).status_code == 403
    db.session.expire_all()
    assert message.state == OutboxState.DEAD
    # The service refuses too, whatever the page does.
    with pytest.raises(NotAllowed):
        dead_letters.retry(getattr(world, who), message.id)
    with pytest.raises(NotAllowed):
        dead_letters.overview(getattr(world, who))
