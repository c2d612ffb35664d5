"""Outgoing e-mail: written to the outbox in the caller's transaction (`enqueue`), sent by
`prb worker` (`deliver_due`). See docs/mail.md."""

from prb.services.mail.delivery import deliver_due
from prb.services.mail.outbox import Attachment, enqueue

__all__ = ["Attachment", "deliver_due", "enqueue"]
