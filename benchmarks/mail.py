"""How fast `prb worker` sends e-mail: an outbox of 10,000 messages, delivered by the worker's
own function (`deliver_due`, batches of 50 on one SMTP connection each) to a local SMTP sink
(aiosmtpd) that counts what it receives. Every message must arrive exactly once."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller

COUNT = 10_000


class _Sink:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
        message_id = next(
            (line.split(":", 1)[1].strip() for line in head.splitlines()
             if line.lower().startswith("message-id:")),
            "",
        )  # fmt: skip
        with self._lock:
            self.ids[message_id] += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database(backend: str, data_dir: Any, pg_admin: str) -> str:
    if backend == "sqlite":
        path = data_dir / "mail.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    subprocess.run(
        ["psql", pg_admin, "-q", "-c", "DROP DATABASE IF EXISTS prb_bench_mail",
         "-c", "CREATE DATABASE prb_bench_mail"],
        check=True,
    )  # fmt: skip
    return f"{pg_admin.rsplit('/', 1)[0]}/prb_bench_mail"


def measure(backend: str, data_dir: Any, pg_admin: str, count: int = COUNT) -> dict[str, Any]:
    from prb import create_app
    from prb.extensions import db
    from prb.services.mail import deliver_due, enqueue

    data_dir.mkdir(parents=True, exist_ok=True)
    sink, port = _Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _database(backend, data_dir, pg_admin),
            "SECRET_KEY": "benchmark",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "MAIL_SENDER": "PRB <prb@bench.example>",
        }
    )
    try:
        with app.app_context():
            db.create_all()
            for start in range(0, count, 1000):
                for i in range(start, min(start + 1000, count)):
                    enqueue(
                        to=f"person{i}@bench.example",
                        kind="decided",
                        subject=f"PRB/2018/03: the Board’s decision on proposal {i}",
                        text="Approved.\n\nOpen it in PRB: https://prb.example/proposals/1\n",
                        html="<p>Approved.</p>",
                    )
                db.session.commit()
            started = time.perf_counter()
            while deliver_due():
                pass
            seconds = time.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
    return {
        "backend": backend,
        "messages": count,
        "seconds": seconds,
        "per_second": count / seconds,
        "received": sum(sink.ids.values()),
        "exactly_once": len(sink.ids) == count and set(sink.ids.values()) == {1},
    }


def lines(results: list[dict[str, Any]]) -> list[str]:
    out = [
        "## E-mail delivery (`prb worker` → local SMTP sink)",
        "",
        "| backend | messages | seconds | messages/s | each exactly once |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        out.append(
            f"| {r['backend']} | {r['messages']:,} | {r['seconds']:.1f} | "
            f"{r['per_second']:.0f} | {'yes' if r['exactly_once'] else '**no**'} |"
        )
    return [*out, ""]


def main() -> None:
    """`python -m benchmarks.mail [backends…]`: this measurement alone, written to
    benchmarks/results/mail.md (`make bench` includes it in latest.md)."""
    import sys
    from datetime import UTC, datetime

    from benchmarks.run import DATA, PG_ADMIN, RESULTS

    backends = sys.argv[1:] or ["sqlite", "postgresql"]
    results = [measure(backend, DATA, PG_ADMIN) for backend in backends]
    text = "\n".join([f"# PRB e-mail delivery — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""])
    text += "\n" + "\n".join(lines(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mail.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
