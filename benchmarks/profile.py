"""Where each measured page spends its time: the page requested in-process many times under
pyinstrument, and the heaviest frames written to `benchmarks/results/profile.md`.

    python -m benchmarks.profile --size 10000 --backends sqlite postgresql [--page "meeting"]

Uses the database `benchmarks.run` generates (generated here when missing).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from datetime import UTC, datetime

from benchmarks.run import RESULTS, open_meeting_id, pages, prepare

PASSWORD = "benchmark-password-2026"


def _app(url: str):  # type: ignore[no-untyped-def]
    os.environ.update(
        {
            "PRB_SECRET_KEY": "benchmark",
            "PRB_SESSION_COOKIE_SECURE": "false",
            "PRB_SIGNING_P12": "",
            "PRB_SIGNIN_REFUSE_AFTER": "100000",
            "PRB_TWO_STEP_ROLES": "",
            "PRB_DATABASE_URL": url,
        }
    )
    from prb import create_app

    return create_app()


def _client(app, who: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login",
        data={"email": f"{who}@bench.example", "password": PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 302, answer.status_code
    return client


class _Server:
    """What `benchmarks.run.pages` asks of a server: a health check."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def get(self, path: str) -> tuple[int, bytes]:
        answer = self.client.get(path)
        return answer.status_code, answer.data


def profile(backend: str, size: int, only: str, repeat: int, depth: int) -> list[str]:
    from pyinstrument import Profiler

    url = prepare(backend, size)
    meeting = open_meeting_id(url)
    app = _app(url)
    clients: dict[str, object] = {}
    lines = [f"## {backend}, {size:,} proposals ({repeat} requests each, in-process)", ""]
    anonymous = app.test_client()
    for name, path, who in [
        ("healthz (anonymous)", "/healthz", ""),
        *pages(size, _Server(anonymous)),
    ]:
        if only and only not in name:
            continue
        path = path.format(open=meeting)
        client = anonymous if not who else clients.setdefault(who, _client(app, who))
        for _ in range(3):  # warm: templates compiled, caches filled
            assert client.get(path).status_code == 200, (name, path)
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for _ in range(repeat):
            client.get(path)
        profiler.stop()
        per_request = (time.perf_counter() - started) / repeat * 1000
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        body = [line for line in text.splitlines() if line.strip()][4:]
        kept = [line for line in body if (len(line) - len(line.lstrip())) // 2 <= depth][:40]
        lines += [f"### {name} — {per_request:.1f} ms per request", "", "```", *kept, "```", ""]
        print(f"{name}: {per_request:.1f} ms", flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--backends", "--backend", nargs="+", default=["sqlite"])
    parser.add_argument("--page", default="", help="only pages whose name contains this")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--depth", type=int, default=12, help="deepest call level kept")
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    lines = [
        f"# PRB profile — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "Each page requested in-process (Flask's test client) under pyinstrument; the "
        "heaviest call paths, time in seconds over all requests.",
        "",
    ]
    for backend in args.backends:
        lines += profile(backend, args.size, args.page, args.repeat, args.depth)
    if args.print:
        print("\n".join(lines))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile.md").write_text("\n".join(lines))
    print(RESULTS / "profile.md")


if __name__ == "__main__":
    main()
