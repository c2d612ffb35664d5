"""veraPDF, the PDF Association's PDF/A and PDF/UA validator, for the tests: found through
PRB_VERAPDF (the path of the `verapdf` script; .ci/run sets it). Without it a test fails in
CI (CI set) and is skipped elsewhere."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def validator() -> str:
    """The verapdf script from PRB_VERAPDF; missing, the test fails in CI, skips elsewhere."""
    path = os.environ.get("PRB_VERAPDF", "")
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    message = (
        f"veraPDF is needed: set PRB_VERAPDF to the verapdf script (it is {path!r})"
        if path
        else "veraPDF is needed: PRB_VERAPDF is not set (.ci/run sets it)"
    )
    if _in_ci():
        pytest.fail(message)
    pytest.skip(message)


def failures(verapdf: str, flavour: str, files: list[Path]) -> dict[str, list[str]]:
    """Validate every file in one run; for each file, its failed rules (empty when it
    conforms). A file veraPDF could not read counts as failed."""
    run = subprocess.run(
        [verapdf, "--flavour", flavour, "--format", "xml", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stdout.strip(), f"veraPDF gave no report (exit {run.returncode}): {run.stderr}"
    report = ET.fromstring(run.stdout)
    found: dict[str, list[str]] = {}
    for job in report.iter("job"):
        name = Path(job.findtext("item/name", default="?")).name
        result = job.find("validationReport")
        if result is None:
            problem = job.findtext("taskException/exceptionMessage") or "not validated"
            found[name] = [problem]
            continue
        found[name] = [
            f"{rule.get('specification')} {rule.get('clause')}-{rule.get('testNumber')} "
            f"({rule.get('failedChecks')}x): {rule.findtext('description', '').strip()}"
            for rule in result.iter("rule")
            if rule.get("status") == "failed"
        ]
        if result.get("isCompliant") != "true" and not found[name]:
            found[name] = ["not compliant, no rule named"]
    assert set(found) == {f.name for f in files}, (found, run.stderr)
    return found
