"""The project import in a real browser (with CSRF on): the upload page, a dry run that finds
problems, a dry run that passes, the import, and the project in the portfolio overview.
Every page passes axe-core."""

from __future__ import annotations

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.import_helpers import EXAMPLE, example_rows, to_csv


def test_the_secretariat_imports_a_project_in_the_browser(new_page, live, tmp_path) -> None:
    page = new_page(bypass_csp=True)  # only so that the test can inject axe
    sign_in(page, live, "secretariat@prb.example")
    page.get_by_role("link", name="Import").click()
    assert page.locator("h1").inner_text() == "Import existing projects"
    assert axe_violations(page) == []

    # The demo already has the report's projects and programmes, but not UNCCT-2014-36.
    page.get_by_label("CSV file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Check the file").click()
    assert "7 problems — nothing was imported" in page.locator("h2").first.inner_text()
    content = page.content()
    assert "PRB already has a project UNCCT-2017-73-a" in content
    assert "no funding programme with the code “UNCCT-2014-36”" in content
    assert axe_violations(page) == []

    # A new project of the same programme passes, and is imported on confirmation.
    row = example_rows()[3] | {"project_code": "UNCCT-2017-73-k", "title": "Imported in a browser"}
    new_file = tmp_path / "one-project.csv"
    new_file.write_bytes(to_csv([row]))
    page.get_by_label("CSV file").set_input_files(str(new_file))
    page.get_by_role("button", name="Check the file").click()
    assert "1 project ready to import" in page.content()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Import 1 project").click()
    page.wait_for_url(lambda url: url.endswith("/imports/projects"))
    assert "1 project imported from “one-project.csv”" in page.locator(".flashes").inner_text()

    page.goto(live.url + "/reports/portfolio?year=2018")
    assert page.get_by_role("link", name="UNCCT-2017-73-k").count() == 1
