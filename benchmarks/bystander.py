"""The bystander measurement (issue 13 §2): a person loading /healthz while two board members
loop the heaviest report, the portfolio PDF of one year over every programme. With large
reports made by `prb worker`, the loop is what a browser does: open the PDF link; when the
PDF is refused as too large, follow its "Download the CSV instead"; ask for the report to be
prepared when offered (a POST), check its page until ready (every 0.5 s, a person clicking
"Check again"), download it; then start again at once.

The bystander runs in its own process, as another person's browser would, so that the
clients' threads do not share an interpreter lock with it.

Compared: the /healthz median and requests/s when the server is quiet, and while the two
clients loop (targets: median under 50 ms, at least half the quiet throughput)."""

from __future__ import annotations

import html
import http.client
import multiprocessing
import re
import statistics
import threading
import time
import urllib.parse
from typing import Any

TARGET_MEDIAN_MS = 50.0
TARGET_THROUGHPUT = 0.5


def _request(
    port: int, method: str, path: str, cookie: str = "", body: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


def fetch_report(port: int, cookie: str, path: str) -> int:
    """One report as a browser gets it; the number of requests it took."""
    status, _, body = _request(port, "GET", path, cookie)
    count = 1
    page = body.decode(errors="replace")
    instead = re.search(r'href="([^"]+)">Download the CSV instead', page)
    if status == 422 and instead is not None:
        status, _, body = _request(port, "GET", html.unescape(instead.group(1)), cookie)
        count += 1
        page = body.decode(errors="replace")
    if status != 200 or page[:4] in ("%PDF", "code"):
        return count
    job = re.search(r'href="(/reports/jobs/\d+)"', page)
    if job is None:
        form = dict(re.findall(r'name="([a-z_]+)" type="hidden" value="([^"]*)"', page))
        status, headers, _ = _request(
            port, "POST", "/reports/jobs", cookie, urllib.parse.urlencode(form)
        )
        count += 1
        if status != 303:
            return count
        job_path = urllib.parse.urlsplit(headers["Location"]).path
    else:
        job_path = job.group(1)
    for _ in range(600):
        _, _, body = _request(port, "GET", job_path, cookie)
        count += 1
        if f"{job_path}/download" in body.decode(errors="replace"):
            _request(port, "GET", f"{job_path}/download", cookie)
            return count + 1
        if "could not be prepared" in body.decode(errors="replace"):
            return count
        time.sleep(0.5)  # a person clicking "Check again"
    return count


def healthz(port: int, seconds: float) -> dict[str, float]:
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        _request(port, "GET", "/healthz")
        times.append(time.perf_counter() - started)
    return {
        "median_ms": statistics.median(times) * 1000,
        "rps": len(times) / seconds,
        "requests": len(times),
    }


def _healthz_elsewhere(port: int, seconds: float) -> dict[str, float]:
    """`healthz` from a process of its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(healthz, (port, seconds))


def measure(port: int, cookies: list[str], path: str, seconds: float) -> dict[str, Any]:
    quiet = _healthz_elsewhere(port, seconds)
    stop = threading.Event()
    loops = [0, 0]

    def loop(i: int) -> None:
        while not stop.is_set():
            fetch_report(port, cookies[i], path)
            loops[i] += 1

    clients = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(2)]
    for c in clients:
        c.start()
    time.sleep(1)  # both clients under way
    busy = _healthz_elsewhere(port, seconds)
    stop.set()
    for c in clients:
        c.join(timeout=300)
    return {
        "path": path,
        "quiet": quiet,
        "busy": busy,
        "reports_fetched": sum(loops),
        "median_met": busy["median_ms"] < TARGET_MEDIAN_MS,
        "throughput_ratio": busy["rps"] / quiet["rps"],
    }


def lines(result: dict[str, Any]) -> list[str]:
    q, b = result["quiet"], result["busy"]
    ok = "met" if result["median_met"] else "**not met**"
    ratio = result["throughput_ratio"]
    return [
        f"Bystander: `/healthz` while two board members loop `{result['path']}` "
        f"({result['reports_fetched']} reports fetched): median {b['median_ms']:.1f} ms "
        f"(quiet {q['median_ms']:.1f} ms; target < {TARGET_MEDIAN_MS:.0f} ms: {ok}), "
        f"{b['rps']:.0f} requests/s (quiet {q['rps']:.0f}; ratio {ratio:.2f}, target ≥ "
        f"{TARGET_THROUGHPUT}: {'met' if ratio >= TARGET_THROUGHPUT else '**not met**'}).",
    ]
