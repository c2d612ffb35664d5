"""Copy the latest results into README.md between its bench markers (`make bench` does it),
so that the README's table is always the last run's, never typed by hand.

    python -m benchmarks.readme [README.md]
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.run import RESULTS, ROOT

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def splice(readme: str, results: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README has no {BEGIN} … {END} block to fill")
    # The results' headings sit under the README's "## Performance".
    body = "\n".join(
        "###" + line if line.startswith("#") else line for line in results.strip().splitlines()
    )
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}\n{END}{tail}"


def main() -> None:
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "README.md"
    readme.write_text(splice(readme.read_text(), (RESULTS / "latest.md").read_text()))
    print(f"{readme}: the benchmark table is the run of {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
