"""`make bench`'s results page judges each page's growth from 1,000 to 100,000 proposals on
the ratios measured side by side (benchmarks.run.growth), not on two runs minutes apart."""

from __future__ import annotations

import json

from benchmarks import run


def _growth_row(page: str, small_ratio: float, large_ratio: float) -> dict[str, object]:
    return {
        "backend": "postgresql",
        "page": page,
        "small": 1000,
        "large": 100000,
        "small_ratio": small_ratio,
        "large_ratio": large_ratio,
        # Raw requests/s unchanged: the machine was busier while the smaller size ran. Only the
        # ratio to /healthz in the same rounds says how the page fared.
        "small_rps": 600.0,
        "large_rps": 600.0,
        "growth": large_ratio / small_ratio,
    }


def test_growth_is_judged_on_the_side_by_side_ratios(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    rows = [
        _growth_row("finance dashboard", 0.250, 0.210),  # 0.84: met
        _growth_row("portfolio overview", 0.250, 0.190),  # 0.76: not met
    ]
    page = run.write_results([], {}, [], rows).read_text()
    lines = {line.split(" | ")[1]: line for line in page.splitlines() if "| postgresql |" in line}
    assert lines["finance dashboard"].endswith("| 0.84 | met |"), lines
    assert lines["portfolio overview"].endswith("| 0.76 | **not met** |"), lines
    assert "alternating rounds" in page
    assert json.loads((tmp_path / "latest.json").read_text())["growth"] == rows
