from pathlib import Path

from workflows.readme import block

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_diagram_is_the_current_definition() -> None:
    assert block() in README.read_text(), "run `make diagram` to refresh README.md"


def test_readme_names_the_commands_ci_runs() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci
