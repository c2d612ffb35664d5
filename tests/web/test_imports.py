"""The import pages: upload and check (dry run), confirm, re-import, refusals, and what an
imported project looks like afterwards in the portfolio overview, its page and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import ImportBatch, Proposal
from tests import factories
from tests.conftest import sign_in
from tests.csv_helpers import csv_text
from tests.import_helpers import EXAMPLE_CODES, example_bytes, set_up_office, with_changes
from workflows import Role

FILENAME = "portfolio-2018.csv"


@pytest.fixture
def office(app, world, tmp_path):  # type: ignore[no-untyped-def]
    app.config["IMPORT_STAGING_DIR"] = str(tmp_path / "staged")
    set_up_office(world)
    return world


def projects() -> int:
    return db.session.scalar(select(func.count(Proposal.id))) or 0


def upload(client, content: bytes, filename: str = FILENAME):  # type: ignore[no-untyped-def]
    return client.post(
        "/imports/projects/check",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm(client, response):  # type: ignore[no-untyped-def]
    """Press the page's Import button: post its hidden SHA-256 back."""
    page = response.get_data(as_text=True)
    marker = 'name="sha256" type="hidden" value="'
    digest = page[page.index(marker) + len(marker) :][:64]
    return client.post("/imports/projects/confirm", data={"sha256": digest})


def test_the_secretariat_checks_then_imports_the_example_and_sees_it_in_the_overview(
    client, office, tmp_path
) -> None:
    sign_in(client, office.secretariat)
    page = client.get("/imports/projects")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Import existing projects</h1>" in text and "decision_reference" in text
    assert 'enctype="multipart/form-data"' in text and 'for="file"' in text

    checked = upload(client, example_bytes())
    assert checked.status_code == 200
    text = checked.get_data(as_text=True)
    assert "7 projects ready to import" in text and "UNCCT-2014-36" in text
    assert "Import 7 projects" in text
    assert projects() == 0  # the dry run wrote nothing

    done = confirm(client, checked)
    assert done.status_code == 303 and done.headers["Location"].endswith("/imports/projects")
    assert projects() == 7
    listing = client.get("/imports/projects").get_data(as_text=True)
    assert "7 projects imported from “portfolio-2018.csv”" in listing
    assert "Nadia Haddad" in listing
    assert not list((tmp_path / "staged").glob("*.csv"))  # the kept file is let go

    client.post("/logout")
    sign_in(client, office.board_undp)
    for year, expected in ((2018, EXAMPLE_CODES), (2019, EXAMPLE_CODES[:-1])):
        overview = client.get(f"/reports/portfolio?year={year}").get_data(as_text=True)
        for code in EXAMPLE_CODES:
            assert (f">{code}</a>" in overview) == (code in expected), (year, code)
    overview = client.get("/reports/portfolio?year=2018").get_data(as_text=True)
    assert "15 months (March/April 2019–May/June 2020)" in overview
    mali = db.session.scalars(
        select(Proposal).where(Proposal.project_code == "UNCCT-2014-36")
    ).one()
    show = client.get(f"/proposals/{mali.id}").get_data(as_text=True)
    assert "Imported as Completed" in show and "Imported from portfolio-2018.csv (row 8" in show


def test_a_file_with_one_bad_row_lists_the_row_and_field_and_imports_nothing(
    client, office
) -> None:
    sign_in(client, office.secretariat)
    response = upload(client, with_changes(6, decision_date="2018-02-30"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "1 problem — nothing was imported" in text
    assert '<td class="num">6</td><td><code>decision_date</code></td>' in text
    assert "“2018-02-30” is not a date" in text
    assert 'name="sha256"' not in text  # nothing to confirm
    assert projects() == 0
    # Confirming anyway (a forged post) imports nothing either.
    forged = client.post("/imports/projects/confirm", data={"sha256": "0" * 64})
    assert forged.status_code == 409
    assert projects() == 0


def test_the_same_file_twice_imports_nothing_and_says_when_and_by_whom(client, office) -> None:
    sign_in(client, office.secretariat)
    confirm(client, upload(client, example_bytes()))
    again = upload(client, example_bytes(), "copy.csv")
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "This file was already imported on" in text and "by Nadia Haddad" in text
    assert 'name="sha256"' not in text
    assert projects() == 7
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_confirming_twice_imports_once(client, office) -> None:
    sign_in(client, office.secretariat)
    checked = upload(client, example_bytes())
    assert confirm(client, checked).status_code == 303
    assert confirm(client, checked).status_code == 409
    assert projects() == 7


def test_a_user_can_confirm_only_the_file_she_checked(client, office, tmp_path) -> None:
    sign_in(client, office.secretariat)
    checked = upload(client, example_bytes())
    for forged in ("../../../etc/passwd", "A" * 64, "", "0" * 64):
        response = client.post("/imports/projects/confirm", data={"sha256": forged})
        assert response.status_code == 409, forged
    assert projects() == 0
    # Another user's session knows nothing of this check.
    other = factories.user("second@prb.example", office.unoct, Role.SECRETARIAT)
    db.session.commit()
    with client.application.test_client() as second:
        sign_in(second, other)
        assert confirm(second, checked).status_code == 409
    assert projects() == 0


def test_a_chair_may_not_import(client, office) -> None:
    sign_in(client, office.chair_a)
    assert client.get("/imports/projects").status_code == 403
    assert upload(client, example_bytes()).status_code == 403
    assert client.post("/imports/projects/confirm", data={"sha256": "0" * 64}).status_code == 403
    assert projects() == 0
    assert "/imports/projects" not in client.get("/").get_data(as_text=True)


def test_an_administrator_may_import(client, office) -> None:
    admin = factories.user("admin@prb.example", office.unoct, Role.ADMINISTRATOR)
    db.session.commit()
    sign_in(client, admin)
    assert "/imports/projects" in client.get("/").get_data(as_text=True)
    assert confirm(client, upload(client, example_bytes())).status_code == 303
    assert projects() == 7


def test_an_upload_without_a_file_is_a_form_error(client, office) -> None:
    sign_in(client, office.secretariat)
    response = client.post("/imports/projects/check", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the CSV file to check." in response.get_data(as_text=True)


def test_a_file_too_large_is_refused_with_a_clear_message(app, client, office) -> None:
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    sign_in(client, office.secretariat)
    response = upload(client, example_bytes() + b"#" * (1024 * 1024))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than 1 MB" in text and "split it into several files" in text
    assert projects() == 0
    # the limit is the file's, not the request's: a file a little under it is read (its
    # rows checked), although the request around it is larger
    near = example_bytes() + b"\n" * (1024 * 1024 - len(example_bytes()) - 10)
    checked = upload(client, near)
    assert checked.status_code == 200 and "larger than" not in checked.get_data(as_text=True)
    # and a file over it that a large request limit would let through is still refused
    over = example_bytes() + b"\n" * (1024 * 1024 - len(example_bytes()) + 1)
    assert upload(client, over).status_code == 413


def test_a_file_larger_than_other_requests_may_be_is_accepted_with_csrf_on(
    app, client, office
) -> None:
    """Import files may exceed the 2 MB every other request is held to, even though the
    CSRF check reads the body before the view runs."""
    sign_in(client, office.secretariat)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/imports/projects").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    padding = "\n" * (app.config["MAX_CONTENT_LENGTH"] + 1)  # blank lines are skipped
    response = client.post(
        "/imports/projects/check",
        data={"csrf_token": token, "file": (io.BytesIO(example_bytes() + padding.encode()), "f")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "7 projects ready to import" in response.get_data(as_text=True)
    without_token = upload(client, example_bytes())
    assert without_token.status_code == 400


def test_formula_cells_are_kept_as_text_shown_escaped_and_exported_harmless(client, office) -> None:
    title = '=HYPERLINK("http://evil.example","<b>Click</b>")'
    sign_in(client, office.secretariat)
    assert confirm(client, upload(client, with_changes(2, title=title))).status_code == 303
    stored = db.session.scalars(
        select(Proposal).where(Proposal.project_code == "UNCCT-2017-73-a")
    ).one()
    assert stored.title == title
    page = client.get(f"/proposals/{stored.id}").get_data(as_text=True)
    assert "<b>Click</b>" not in page and "&lt;b&gt;Click&lt;/b&gt;" in page
    exported = client.get("/reports/portfolio.csv?year=2018")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(csv_text(exported)))}
    assert rows["UNCCT-2017-73-a"]["title"] == "'" + title
