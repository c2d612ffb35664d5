"""The load run: PRB under gunicorn (as `prb serve` runs it) on localhost, each page measured
with wrk in turn with the app's trivial /healthz in the same run, so the result is a ratio
that holds on a noisy machine. Also: worker memory after 2,000 and 20,000 requests, and the
minutes PDF against WeasyPrint alone.

    python -m benchmarks.run --sizes 1000 10000 100000 --backends sqlite postgresql
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import bystander, mail
from prb.cli import gunicorn_arguments

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "results"
LUA = ROOT / "benchmarks" / "loadtest.lua"
PG_ADMIN = os.environ.get("PRB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
# Issue 15: throughput ÷ anonymous /healthz at 10,000 proposals, by page (substring of its name).
TARGETS = {
    "signed-in layout": 0.50,
    "proposals list": 0.20,
    "proposal detail": 0.20,
    "awaiting my vote": 0.15,
    "finance dashboard": 0.15,
    "portfolio overview": 0.15,
    "meeting page": 0.10,
}
TARGET_SIZE = 10000
# Every page at the largest size ≥ this share of its throughput at the smallest (on the
# ratio, both sizes measured in alternating rounds of one second each)…
FLAT_GROWTH = 0.8
GROWTH_ROUNDS = 8
# Rounds of each page in each size's table. With five, one run's /healthz ranged from 961
# to 2,237 requests/s on PostgreSQL and a page's ratio moved by ±0.02 around the target
# between the table and the growth rounds of the same run.
TABLE_ROUNDS = 8
# …and, at the largest size on PostgreSQL, its 95th percentile under this.
P95_LIMIT_MS = 50.0


def target_for(page: str) -> float:
    return next(value for key, value in TARGETS.items() if key in page)


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA / f'bench-{size}.sqlite3'}"
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/prb_bench_{size}"


def prepare(backend: str, size: int) -> str:
    """A generated database of `size` proposals (kept between runs)."""
    url = database_url(backend, size)
    DATA.mkdir(parents=True, exist_ok=True)
    marker = DATA / f"{backend}-{size}.done"
    if marker.exists():
        # Kept from an earlier run: brought to the current schema, as an office upgrades.
        subprocess.run(
            [str(Path(sys.executable).parent / "prb"), "db", "upgrade"],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PRB_DATABASE_URL": url},
            capture_output=True,
        )
        return url
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            [
                "psql",
                PG_ADMIN,
                "-q",
                "-c",
                f'DROP DATABASE IF EXISTS "{name}"',
                "-c",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
        )
    print(f"== generating {size:,} proposals on {backend}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--size", str(size), "--database-url", url],
        check=True,
        cwd=ROOT,
    )
    marker.write_text(datetime.now(UTC).isoformat())
    return url


WORKERS, THREADS = 2, 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PRB_DATABASE_URL": url,
        "PRB_SECRET_KEY": "benchmark",
        "PRB_SESSION_COOKIE_SECURE": "false",
        "PRB_SIGNING_P12": "",
        "PRB_SIGNIN_REFUSE_AFTER": "100000",
        # The generated finance officers have no authenticator: measure pages, not sign-in.
        "PRB_TWO_STEP_ROLES": "",
    }


def catch_up(url: str) -> float:
    """Let the worker do what a new office's records give it at once (the notices of every
    running project, and their e-mail: 14,724 messages at 100,000 proposals), before any
    page is measured: done beside the measurement, it took the CPU from the pages for
    minutes at 100,000. Returns the seconds it took (about none once caught up)."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "prb"), "worker", "--once", "--nice", "0"],
        check=True,
        cwd=ROOT,
        env=serving_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    at_rest(url)
    return time.perf_counter() - started


def at_rest(url: str) -> None:
    """The database as an office's is between its bursts of writing: what generating it and
    the worker's catch-up wrote is on disk and counted for the planner. Otherwise
    PostgreSQL's next checkpoint writes it out during the rounds measured (one run's
    PostgreSQL pages were all slower, /healthz too, than the same code's minutes later), and
    SQLite's readers search a long write-ahead log on every page."""
    from sqlalchemy import create_engine, text

    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM (ANALYZE)"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


class Server:
    def __init__(self, url: str, app: str = "", env: dict[str, str] | None = None) -> None:
        """PRB on `url` (or another WSGI `app`, with `env` added to PRB's environment)."""
        self.port = free_port()
        environment = {**serving_env(url), **(env or {})}
        # The settings `prb serve` uses (threaded workers), not gunicorn's defaults; except
        # that workers are never recycled, so that the memory check sees one worker's growth.
        *serving, prb = gunicorn_arguments(f"127.0.0.1:{self.port}", WORKERS, THREADS, 120)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *serving, "--max-requests", "0", app or prb],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Large reports are made by the worker, beside the web server as in production.
        self.worker = (
            None
            if app
            else subprocess.Popen(
                [str(Path(sys.executable).parent / "prb"), "worker", "--poll", "0.5"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(200):
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def settle(self, quiet_seconds: float = 1.0, longest: float = 180.0) -> float:
        """Wait until the worker beside the server has done what a fresh start gives it (its
        first look for notices reads every running project: ~11 s at 100,000 proposals on
        PostgreSQL), so that it takes no CPU from the first rounds measured. Returns the
        seconds waited."""
        started = time.perf_counter()
        if self.worker is None:
            return 0.0
        stat = Path(f"/proc/{self.worker.pid}/stat")
        # Quiet: under a tenth of a core (its idle polls for jobs and e-mail use a little).
        quiet_ticks = 0.1 * quiet_seconds * os.sysconf("SC_CLK_TCK")
        used = None
        while time.perf_counter() - started < longest and stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            now_used = int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
            if used is not None and now_used - used < quiet_ticks:
                break
            used = now_used
            time.sleep(quiet_seconds)
        return time.perf_counter() - started

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()

    def sign_in(self, email: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"email": email, "password": "benchmark-password-2026", "csrf_token": token}
        )
        conn.request(
            "POST",
            "/login",
            body=body,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 302, (email, response.status)
        # The session cookie and the device cookie PRB sets at sign-in, as a browser keeps both.
        return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])

    def worker_rss_kib(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        result = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            result.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
        return result

    def stop(self) -> str:
        if self.worker is not None:
            self.worker.terminate()
            self.worker.wait(timeout=120)
        self.process.terminate()
        _, errors = self.process.communicate(timeout=30)
        return errors.decode()


def wrk(server: Server, path: str, cookie: str, seconds: int) -> dict[str, float]:
    command = ["wrk", "-t2", "-c4", f"-d{seconds}s", "-s", str(LUA), "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{server.port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    stats["rps"] = stats["requests"] / stats["seconds"]
    return stats


def combined(runs: list[dict[str, float]]) -> dict[str, float]:
    """Several wrk runs of one path as one: requests over seconds."""
    requests = sum(r["requests"] for r in runs)
    elapsed = sum(r["seconds"] for r in runs)
    return {
        "requests": requests,
        "seconds": elapsed,
        "rps": requests / elapsed,
        "errors": sum(r["errors"] for r in runs),
        # Percentiles do not add up: the middle round's median, the worst round's p95.
        "p50_ms": sorted(r["p50_ms"] for r in runs)[len(runs) // 2],
        "p95_ms": max(r["p95_ms"] for r in runs),
    }


def paired(
    server: Server, path: str, cookie: str, seconds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """/healthz and the page, one second each in turn for `seconds` rounds: a machine whose
    load changes during the run (other processes, CPU frequency) moves both alike, where one
    long run of each could catch the page in a busy minute and /healthz in a quiet one."""
    rounds = [
        (wrk(server, "/healthz", "", 1), wrk(server, path, cookie, 1)) for _ in range(seconds)
    ]
    return combined([b for b, _ in rounds]), combined([p for _, p in rounds])


SIGNED_IN = ("secretariat.1", "board_member.9", "finance.4")


def sign_in_everyone(server: Server) -> dict[str, str]:
    """The session cookies of the people whose pages are measured."""
    return {who: server.sign_in(f"{who}@bench.example") for who in SIGNED_IN}


def pages(size: int, server: Server) -> list[tuple[str, str, str]]:
    """(name, path, who) of the pages to measure."""
    year = datetime.now(UTC).year - 1
    # The meeting with 20 open items is the last one the generator made.
    status, _body = server.get("/healthz")
    assert status == 200
    return [
        ("signed-in layout only (account page)", "/account", "secretariat.1"),
        ("proposals list, filtered, page 1", "/proposals/?status=ongoing", "secretariat.1"),
        ("proposals list, deep page (20)", "/proposals/?page=20", "secretariat.1"),
        ("proposal detail, 50 history records", "/proposals/1", "secretariat.1"),
        ("awaiting my vote (board dashboard)", "/", "board_member.9"),
        ("meeting page, 20 items", "/board/meetings/{open}", "secretariat.1"),
        ("finance dashboard", "/finance/", "finance.4"),
        ("portfolio overview", f"/reports/portfolio?year={year}", "board_member.9"),
    ]


def open_meeting_id(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT id FROM meetings WHERE number = 'PRB/BENCH/OPEN'")
        ).scalar_one()
    engine.dispose()
    return int(found)


def measure(
    backend: str, size: int, seconds: int, memory: bool, only: str = "", extras: bool = True
) -> dict[str, object]:
    url = prepare(backend, size)
    meeting = open_meeting_id(url)
    print(f"  {backend:<10} {size:>7,} worker caught up in {catch_up(url):.0f} s", flush=True)
    server = Server(url)
    server.settle()
    cookies = sign_in_everyone(server)
    rows = []
    try:
        for name, path, who in pages(size, server):
            if only and only not in name:
                continue
            path = path.format(open=meeting)
            status, _ = server.get(path, cookies[who])
            assert status == 200, (name, path, status)
            wrk(server, path, cookies[who], 1)  # warm up
            base, page = paired(server, path, cookies[who], seconds)
            rows.append(
                {
                    "page": name,
                    "path": path,
                    "rps": page["rps"],
                    "p50_ms": page["p50_ms"],
                    "p95_ms": page["p95_ms"],
                    "errors": page["errors"],
                    "healthz_rps": base["rps"],
                    "ratio": page["rps"] / base["rps"],
                }
            )
            print(
                f"  {backend:<10} {size:>7,} {name:<38} {page['rps']:8.1f}/s "
                f"ratio {page['rps'] / base['rps']:.3f}",
                flush=True,
            )
        mem = memory_check(server, cookies) if memory and extras else None
        crowd = None
        if extras:
            year = datetime.now(UTC).year - 1
            crowd = bystander.measure(
                server.port,
                [cookies["board_member.9"]] * 2,
                f"/reports/portfolio.pdf?year={year}",
                seconds,
            )
            print("  " + bystander.lines(crowd)[0], flush=True)
    finally:
        log = server.stop()
    return {
        "backend": backend,
        "size": size,
        "rows": rows,
        "rounds": seconds,
        "memory": mem,
        "bystander": crowd,
        "server_errors": [line for line in log.splitlines() if "Traceback" in line],
    }


def growth(backend: str, small: int, large: int, rounds: int) -> list[dict[str, object]]:
    """Each page at `small` and at `large` proposals, measured in alternating rounds on two
    servers running side by side (each round: /healthz and the page for one second on one
    size, then on the other; the order swaps every round), so that both sizes' ratios come
    from the same minutes. Measured minutes apart, as each size's table is, the same page's
    ratio moved by up to ±20 % between runs: more than the 0.8 it is judged by."""
    urls = {size: prepare(backend, size) for size in (small, large)}
    for url in urls.values():
        catch_up(url)
    servers: dict[int, Server] = {}
    rows: list[dict[str, object]] = []
    try:
        for size, url in urls.items():
            servers[size] = Server(url)
            servers[size].settle()
        meetings = {size: open_meeting_id(url) for size, url in urls.items()}
        cookies = {size: sign_in_everyone(server) for size, server in servers.items()}
        for name, path, who in pages(small, servers[small]):
            paths = {size: path.format(open=meetings[size]) for size in servers}
            runs: dict[int, list[tuple[dict[str, float], dict[str, float]]]] = {
                size: [] for size in servers
            }
            for size, server in servers.items():
                status, _ = server.get(paths[size], cookies[size][who])
                assert status == 200, (name, size, status)
                wrk(server, paths[size], cookies[size][who], 1)  # warm up
            for turn in range(rounds):
                order = (small, large) if turn % 2 == 0 else (large, small)
                for size in order:
                    server = servers[size]
                    runs[size].append(
                        (
                            wrk(server, "/healthz", "", 1),
                            wrk(server, paths[size], cookies[size][who], 1),
                        )
                    )
            rps = {size: combined([p for _, p in pairs])["rps"] for size, pairs in runs.items()}
            ratio = {
                size: rps[size] / combined([b for b, _ in pairs])["rps"]
                for size, pairs in runs.items()
            }
            rows.append(
                {
                    "page": name,
                    "small": small,
                    "large": large,
                    "small_ratio": ratio[small],
                    "large_ratio": ratio[large],
                    "small_rps": rps[small],
                    "large_rps": rps[large],
                    "growth": ratio[large] / ratio[small],
                }
            )
            print(
                f"  {backend:<10} growth {name:<38} ratio {ratio[small]:.3f} → "
                f"{ratio[large]:.3f} ({ratio[large] / ratio[small]:.2f})",
                flush=True,
            )
    finally:
        for server in servers.values():
            server.stop()
    return [{"backend": backend, **row} for row in rows]


class FloorServer(Server):
    """benchmarks.floor (the stack alone, no PRB) served as PRB is, on the same database."""

    def __init__(self, url: str) -> None:
        super().__init__(url, app="benchmarks.floor:app", env={"FLOOR_DATABASE_URL": url})

    def sign_in_as(self, user_id: int) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", f"/sign-in/{user_id}")
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])


def framework_floor(backend: str, size: int, rounds: int) -> dict[str, object]:
    """PRB's /healthz and account page, and the bare stack's signed-in layout page
    (benchmarks.floor), in the same rounds: how much of the layout target the framework
    itself leaves."""
    url = prepare(backend, size)
    catch_up(url)
    prb = Server(url)
    prb.settle()
    floor = None
    try:
        floor = FloorServer(url)
        who = "secretariat.1"
        prb_cookie = prb.sign_in(f"{who}@bench.example")
        floor_cookie = floor.sign_in_as(1)
        status, body = floor.get("/layout", floor_cookie)
        assert status == 200 and b"Secretariat 1" in body, (status, body[:200])
        measured = {
            "prb /healthz": (prb, "/healthz", ""),
            "prb account page": (prb, "/account", prb_cookie),
            "framework /healthz": (floor, "/healthz", ""),
            "framework signed-in layout": (floor, "/layout", floor_cookie),
        }
        for server, path, cookie in measured.values():
            wrk(server, path, cookie, 1)  # warm up
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in measured}
        for turn in range(rounds):
            names = list(measured) if turn % 2 == 0 else list(reversed(measured))
            for name in names:
                runs[name].append(wrk(*measured[name], 1))
    finally:
        prb.stop()
        if floor is not None:
            floor.stop()
    rps = {name: combined(rs)["rps"] for name, rs in runs.items()}
    result = {
        "backend": backend,
        "size": size,
        "rps": rps,
        "ratio": {name: value / rps["prb /healthz"] for name, value in rps.items()},
    }
    print(
        f"  {backend:<10} framework floor: signed-in layout "
        f"{result['ratio']['framework signed-in layout']:.3f}, PRB account page "
        f"{result['ratio']['prb account page']:.3f}",
        flush=True,
    )
    return result


def memory_check(server: Server, cookies: dict[str, str]) -> dict[str, object]:
    """Worker RSS after 2,000 and after 20,000 requests of a page mix."""
    paths = [
        ("/", cookies["board_member.9"]),
        ("/proposals/", cookies["secretariat.1"]),
        ("/proposals/1", cookies["secretariat.1"]),
        ("/finance/", cookies["finance.4"]),
    ]

    def hammer(n: int) -> None:
        conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=60) for _ in range(2)]
        for i in range(n):
            path, cookie = paths[i % len(paths)]
            conn = conns[i % 2]
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()

    hammer(2000)
    after_2k = server.worker_rss_kib()
    hammer(18000)
    after_20k = server.worker_rss_kib()
    growth = max(b / a - 1 for a, b in zip(after_2k, after_20k, strict=True))
    return {"after_2000_kib": after_2k, "after_20000_kib": after_20k, "growth": growth}


def minutes_timing(backend: str, size: int) -> dict[str, float]:
    """The app's whole minutes PDF against WeasyPrint rendering the same HTML alone."""
    from flask import render_template
    from weasyprint import HTML

    from prb import create_app
    from prb.extensions import db
    from prb.models import Meeting, User, utcnow
    from prb.services import minutes, pdf
    from prb.services.reference.office import current_office

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(backend, size).replace(
                "postgresql://", "postgresql+psycopg://"
            ),
            "SIGNING_P12": "",
        }
    )
    result = {}
    with app.test_request_context():
        actor = db.session.scalar(
            db.select(User).where(User.email == "secretariat.1@bench.example")
        )
        forty = db.session.scalar(db.select(Meeting).where(Meeting.number == "PRB/BENCH/1"))
        twenty = db.session.scalar(db.select(Meeting).where(Meeting.number == "PRB/BENCH/2"))
        minutes.draft_pdf(actor, twenty.id)  # fonts and stylesheet, once per process
        for label, meeting in (("20 items", twenty), ("40 items", forty)):
            app_times, alone_times = [], []
            for _ in range(5):
                started = time.perf_counter()
                minutes.draft_pdf(actor, meeting.id)
                app_times.append(time.perf_counter() - started)
                data = minutes.minutes_data(
                    meeting,
                    draft=True,
                    secretary=None,
                    version_label="Draft",
                    generated_at=utcnow(),
                )
                html = render_template(
                    "pdf/minutes.html", d=data, office=current_office(), board=minutes.BOARD
                )
                started = time.perf_counter()
                HTML(string=html, base_url=str(pdf.PDF_STYLESHEET.parent)).write_pdf(
                    stylesheets=[pdf._stylesheet()],
                    font_config=pdf._font_config(),
                    pdf_variant=pdf.PDF_VARIANT,
                    pdf_tags=True,  # as the app renders: tagged for PDF/UA-1
                )
                alone_times.append(time.perf_counter() - started)
            result[label] = {
                "app_s": min(app_times),
                "weasyprint_s": min(alone_times),
                "ratio": min(app_times) / min(alone_times),
            }
        db.session.remove()
        db.engine.dispose()
    result["growth_40_over_20"] = result["40 items"]["app_s"] / result["20 items"]["app_s"]
    return result


def write_results(
    runs: list[dict],
    pdf_runs: dict[str, dict],
    mail_runs: list[dict] | None = None,
    growth_rows: list[dict] | None = None,
    floors: list[dict] | None = None,
) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    rounds = sorted({run.get("rounds", TABLE_ROUNDS) for run in runs}) or [TABLE_ROUNDS]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        f"# PRB benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"gunicorn as `prb serve` runs it ({WORKERS} gthread workers × {THREADS} threads) and "
        "one `prb worker` (nice 10) on 127.0.0.1, wrk -t2 -c4; "
        "each page and /healthz measured in turn, one second each for "
        f"{' or '.join(map(str, rounds))} rounds; ratio = page requests/s ÷ /healthz "
        "requests/s (over all rounds); p50 is the middle round's, p95 the worst round's.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['backend']}, {run['size']:,} proposals",
            "",
            "| page | requests/s | p50 ms | p95 ms | /healthz req/s | ratio | target |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        largest_pg = run["backend"] == "postgresql" and run["size"] == max(r["size"] for r in runs)
        for row in run["rows"]:
            target = target_for(row["page"])
            verdict = ""
            if run["size"] == TARGET_SIZE:
                verdict = f"≥ {target} " + ("met" if row["ratio"] >= target else "**not met**")
            p95 = f"{row['p95_ms']:.1f}"
            if largest_pg:
                p95 += " (< 50: " + ("met" if row["p95_ms"] < P95_LIMIT_MS else "**not met**") + ")"
            lines.append(
                f"| {row['page']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | "
                f"{p95} | {row['healthz_rps']:.0f} | {row['ratio']:.3f} | {verdict} |"
            )
        if run.get("bystander"):
            lines += ["", *bystander.lines(run["bystander"])]
        if run["memory"]:
            m = run["memory"]
            lines += [
                "",
                f"Worker memory after 2,000 requests {m['after_2000_kib']} KiB, after "
                f"20,000 {m['after_20000_kib']} KiB: growth {m['growth']:.1%} "
                f"(target ≤ 10 %).",
            ]
        lines.append("")
    if growth_rows:
        small, large = growth_rows[0]["small"], growth_rows[0]["large"]
        lines += [
            f"## Flat growth: each page at {large:,} proposals ÷ at {small:,} "
            f"(target ≥ {FLAT_GROWTH}, on the ratio to /healthz)",
            "",
            f"Both sizes served side by side and measured in alternating rounds "
            f"({GROWTH_ROUNDS} rounds of one second of /healthz and one of the page, on each "
            "size), so that both ratios come from the same minutes.",
            "",
            f"| backend | page | requests/s at {small:,} | at {large:,} "
            "| ratio to /healthz at each size | growth of the ratio | target |",
            "|---|---|---:|---:|---|---:|---|",
        ]
        for row in growth_rows:
            ok = "met" if row["growth"] >= FLAT_GROWTH else "**not met**"
            lines.append(
                f"| {row['backend']} | {row['page']} | {row['small_rps']:.1f} | "
                f"{row['large_rps']:.1f} | {row['small_ratio']:.3f} → {row['large_ratio']:.3f} "
                f"| {row['growth']:.2f} | {ok} |"
            )
        lines.append("")
    if floors:
        lines += [
            "## The framework's floor for a signed-in page",
            "",
            "`benchmarks/floor.py`: the stack alone (Flask's cookie session, Flask-Login "
            "loading the user with one query through Flask-SQLAlchemy, Flask-WTF's CSRF token, "
            "a compiled Jinja layout with a menu and the user's name), served as PRB is, on "
            f"the same database, measured in the same rounds as PRB ({GROWTH_ROUNDS} rounds of "
            "one second each); ratio to PRB's anonymous /healthz.",
            "",
            "| backend | proposals | framework /healthz | framework signed-in layout "
            "| PRB account page | PRB ÷ framework, signed-in layout |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for floor in floors:
            ratio = floor["ratio"]
            lines.append(
                f"| {floor['backend']} | {floor['size']:,} | {ratio['framework /healthz']:.3f} "
                f"| {ratio['framework signed-in layout']:.3f} | {ratio['prb account page']:.3f} "
                f"| {ratio['prb account page'] / ratio['framework signed-in layout']:.2f} |"
            )
        lines.append("")
    for key, value in pdf_runs.items():
        lines += [
            f"## Minutes PDF ({key})",
            "",
            "| meeting | app total s | WeasyPrint alone s | ratio (target ≤ 1.15) |",
            "|---|---:|---:|---:|",
        ]
        for label in ("20 items", "40 items"):
            v = value[label]
            lines.append(
                f"| {label} | {v['app_s']:.3f} | {v['weasyprint_s']:.3f} | {v['ratio']:.2f} |"
            )
        lines += ["", f"40 items ÷ 20 items: {value['growth_40_over_20']:.2f} (target ≤ 2.3).", ""]
    if mail_runs:
        lines += mail.lines(mail_runs)
    path = RESULTS / "latest.md"
    path.write_text("\n".join(lines))
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "runs": runs,
                "growth": growth_rows,
                "framework_floor": floors,
                "pdf": pdf_runs,
                "mail": mail_runs,
            },
            indent=1,
            default=str,
        )
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--seconds",
        type=int,
        default=TABLE_ROUNDS,
        help="rounds of one second of /healthz and one of the page, for each page",
    )
    parser.add_argument(
        "--only",
        default="",
        help="a quick look: only the pages whose name contains this, nothing else measured, "
        "results printed and not written",
    )
    parser.add_argument(
        "--growth-only",
        action="store_true",
        help="only the growth comparison (smallest against largest size), printed, not written",
    )
    parser.add_argument(
        "--floor-only",
        action="store_true",
        help="only the framework's floor for a signed-in page, printed, not written",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    runs, pdf_runs, mail_runs, growth_rows, floors = [], {}, [], [], []
    if args.growth_only:
        for backend in args.backends:
            growth(backend, min(args.sizes), max(args.sizes), GROWTH_ROUNDS)
        return
    if args.floor_only:
        for backend in args.backends:
            framework_floor(backend, TARGET_SIZE, GROWTH_ROUNDS)
        return
    if args.only:
        for backend in args.backends:
            for size in args.sizes:
                measure(backend, size, args.seconds, memory=False, only=args.only, extras=False)
        return
    for backend in args.backends:
        mail_runs.append(mail.measure(backend, DATA, PG_ADMIN))
        print("  " + mail.lines(mail_runs[-1:])[-2], flush=True)
        for size in args.sizes:
            runs.append(measure(backend, size, args.seconds, memory=size == 10000))
            if size == 10000 or size == args.sizes[-1]:
                pdf_runs[f"{backend}, {size:,} proposals"] = minutes_timing(backend, size)
        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            growth_rows += growth(backend, small, large, GROWTH_ROUNDS)
        if TARGET_SIZE in args.sizes:
            floors.append(framework_floor(backend, TARGET_SIZE, GROWTH_ROUNDS))
    path = write_results(runs, pdf_runs, mail_runs, growth_rows, floors)
    if TARGET_SIZE in args.sizes:
        # Where the time goes, beside the figures (a process of its own: its own app).
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.profile",
                "--size",
                str(TARGET_SIZE),
                "--depth",
                "8",
                "--backends",
                *args.backends,
            ],
            check=True,
            cwd=ROOT,
        )
        with path.open("a") as results:
            results.write(
                "\nWhere each page spends its time (pyinstrument, in-process, the heaviest "
                f"call paths at {TARGET_SIZE:,} proposals): `benchmarks/results/profile.md`.\n"
            )
    print(path.read_text())


if __name__ == "__main__":
    main()
