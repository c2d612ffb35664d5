"""Keep the lifecycle diagram in README.md equal to the definition: `python -m workflows.readme`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from workflows import PROPOSAL

BEGIN, END = "<!-- lifecycle:begin -->", "<!-- lifecycle:end -->"


def block() -> str:
    return f"{BEGIN}\n```mermaid\n{PROPOSAL.mermaid().strip()}\n```\n{END}"


def rewrite(text: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README has no {BEGIN} … {END} block")
    return pattern.sub(lambda _: block(), text)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(rewrite(path.read_text()))
