"""A non-editable install ships the templates, static files, workflows and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_everything_the_app_needs(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("prb-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "prb/app.py",
        "prb/static/prb.css",
        "prb/templates/base.html",
        "prb/templates/proposals/show.html",
        "prb/migrations/env.py",
        "prb/migrations/versions/0001_initial_schema.py",
        "workflows/proposal.py",
    ):
        assert required in names, f"{required} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "prb = prb.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    # An office must be free to adopt it: the wheel says so and carries the licence and
    # the notices the bundled password list requires.
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA")))
    assert "License-Expression: Apache-2.0" in metadata.decode()
    licences = {Path(n).name for n in names if "/licenses/" in n}
    assert {"LICENSE", "NOTICE"} <= licences
