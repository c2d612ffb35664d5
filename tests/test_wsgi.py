"""What a serving process does once at start-up (prb/wsgi.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc, json
import prb.wsgi as wsgi
env = wsgi.app.jinja_env
compiled = sum(1 for key in env.cache.keys()) if env.cache is not None else 0
print(json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(),
                  "compiled": compiled,
                  "templates": len(env.list_templates(extensions=["html"]))}))
"""


def test_serving_process_compiles_templates_and_freezes_start_up_objects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PRB_DATABASE_URL": f"sqlite:///{tmp_path / 'prb.db'}",
        "PRB_SECRET_KEY": "wsgi-test",
        "PRB_SIGNING_P12": "",
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    # Start-up's objects are out of the collector's sight (tens of thousands of them) ...
    assert seen["frozen"] > 20_000
    # ... the collector looks less often at what requests make ...
    assert seen["threshold"][0] >= 10_000
    # ... and no request pays for compiling a template.
    assert seen["templates"] > 50
    assert seen["compiled"] >= seen["templates"]
