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


class _Parts:
    """Exclusive time per named part of a request: a part called inside another (the user
    loaded by the first hook that asks for her) is counted once, in its own row."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._inside: list[float] = []

    def wrap(self, name: str, function):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            self._inside.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                children = self._inside.pop()
                self.spent[name] = self.spent.get(name, 0.0) + took - children
                if self._inside:
                    self._inside[-1] += took

        return timed


def _instrument(app, parts: _Parts):  # type: ignore[no-untyped-def]
    """Wrap the parts of `app`'s requests; returns what undoes it. The login manager (PRB's
    is one object for every app of the process), the session interface (one for every Flask
    app) and the template renderer are shared: left wrapped, they would be timed inside the
    next app's profile."""
    import flask.templating

    render = flask.templating._render
    # Flask-Login's whole loading (the session's id, its protection check, the app's loader),
    # so that both apps count the same machinery in this row.
    manager, interface = app.login_manager, app.session_interface
    shadowed = [(manager, "_load_user"), (interface, "open_session"), (interface, "save_session")]
    manager._load_user = parts.wrap("load the signed-in user", manager._load_user)
    flask.templating._render = parts.wrap("render the templates", render)
    interface.open_session = parts.wrap("read the session cookie", interface.open_session)
    interface.save_session = parts.wrap("write the session cookie", interface.save_session)
    for kind, registry in (
        ("before", app.before_request_funcs),
        ("after", app.after_request_funcs),
        ("teardown", app.teardown_request_funcs),
    ):
        for key, functions in registry.items():
            for f in functions:
                # PRB's hooks run as one (prb.web.hooks): each is still timed on its own.
                folded = getattr(f, "folded", None)
                if folded is not None:
                    folded[:] = [parts.wrap(f"{kind}: {h.__name__}", h) for h in folded]
            registry[key] = [
                f if hasattr(f, "folded") else parts.wrap(f"{kind}: {f.__name__}", f)
                for f in functions
            ]
    app.teardown_appcontext_funcs[:] = [
        parts.wrap(f"teardown: {f.__name__}", f) for f in app.teardown_appcontext_funcs
    ]

    def undo() -> None:
        flask.templating._render = render
        for owner, name in shadowed:
            del owner.__dict__[name]  # the class's own method again

    return undo


def against_floor(backend: str, size: int, repeat: int = 3000) -> list[str]:
    """PRB's account page and the bare stack's signed-in layout (`benchmarks.floor`), part
    by part, in-process: what PRB pays above the framework's own signed-in page."""
    from benchmarks import floor

    url = prepare(backend, size)
    measured: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for name in ("PRB account page", "stack's signed-in layout"):
        if name.startswith("PRB"):
            app = _app(url)
            client, path = _client(app, "secretariat.1"), "/account"
        else:
            app = floor.create_app(url)
            client, path = app.test_client(), "/layout"
            with app.app_context():
                user_id = floor.db.session.scalar(
                    floor.db.select(floor.User.id).where(
                        floor.User.email == "secretariat.1@bench.example"
                    )
                )
            assert client.get(f"/sign-in/{user_id}").status_code == 200
        parts = _Parts()
        undo = _instrument(app, parts)
        try:
            for _ in range(300):
                assert client.get(path).status_code == 200, (name, path)
            parts.spent.clear()
            started = time.perf_counter()
            for _ in range(repeat):
                client.get(path)
            totals[name] = (time.perf_counter() - started) / repeat * 1e6
        finally:
            undo()
        measured[name] = {part: spent / repeat * 1e6 for part, spent in parts.spent.items()}
    prb, stack = measured["PRB account page"], measured["stack's signed-in layout"]
    rows = sorted(set(prb) | set(stack), key=lambda part: -(prb.get(part, 0) - stack.get(part, 0)))
    lines = [
        f"## {backend}, {size:,} proposals: PRB's account page against the stack's own "
        f"signed-in layout, part by part (µs per request, in-process, {repeat} requests)",
        "",
        "| part | PRB account page | stack's signed-in layout | PRB − stack |",
        "|---|---:|---:|---:|",
    ]
    for part in rows:
        mine, theirs = prb.get(part, 0.0), stack.get(part, 0.0)
        lines.append(f"| {part} | {mine:.0f} | {theirs:.0f} | {mine - theirs:+.0f} |")
    rest = {name: totals[name] - sum(measured[name].values()) for name in totals}
    mine, theirs = "PRB account page", "stack's signed-in layout"
    lines += [
        "| the rest (Flask, Werkzeug, the view's own code, the test client) "
        f"| {rest[mine]:.0f} | {rest[theirs]:.0f} | {rest[mine] - rest[theirs]:+.0f} |",
        f"| **whole request** | {totals[mine]:.0f} | {totals[theirs]:.0f} "
        f"| {totals[mine] - totals[theirs]:+.0f} |",
        "",
    ]
    print("\n".join(lines), flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--backends", "--backend", nargs="+", default=["sqlite"])
    parser.add_argument(
        "--page",
        default="",
        help="only pages whose name contains this ('floor': only the part-by-part comparison)",
    )
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
        if not args.page or args.page == "floor":
            lines += against_floor(backend, args.size)
        if args.page != "floor":
            lines += profile(backend, args.size, args.page, args.repeat, args.depth)
    if args.print:
        print("\n".join(lines))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile.md").write_text("\n".join(lines))
    print(RESULTS / "profile.md")


if __name__ == "__main__":
    main()
