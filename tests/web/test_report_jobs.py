"""Large portfolio reports through the pages: made in the background past a row bound,
refused as a PDF past the cap, asked for by a POST only, downloaded with an ETag."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Job, JobState
from prb.services.jobs import queue
from tests.conftest import sign_in
from tests.web.test_portfolio_as_at import build

QUERY = "year=2018&as_at=2018-12-31"
ASK = {"kind": "portfolio_pdf", "programme_id": "", "year": "2018", "as_at": "2018-12-31"}


@pytest.fixture
def small_bounds(app):  # type: ignore[no-untyped-def]
    """The 2018 overview of `build` has 3 rows: above these bounds."""
    app.config.update(REPORT_INLINE_ROWS=2, REPORT_INLINE_CSV_ROWS=2, REPORT_MAX_PDF_ROWS=10)
    return app


def jobs_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Job.id))) or 0


def test_small_reports_are_still_made_at_once(client, world) -> None:
    build(world)
    sign_in(client, world.board_undp)
    pdf = client.get(f"/reports/portfolio.pdf?{QUERY}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    csv_answer = client.get(f"/reports/portfolio.csv?{QUERY}")
    assert csv_answer.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert jobs_count() == 0


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_a_large_report_is_prepared_in_the_background(client, world, small_bounds, kind) -> None:
    build(world)
    sign_in(client, world.board_undp)
    offer = client.get(f"/reports/portfolio.{kind}?{QUERY}")
    html = offer.get_data(as_text=True)
    assert offer.status_code == 200 and "too many to make while you wait" in html
    assert 'method="post"' in html and "<script" not in html and "http-equiv" not in html
    assert jobs_count() == 0  # a GET never writes
    asked = client.post("/reports/jobs", data={**ASK, "kind": f"portfolio_{kind}"})
    assert asked.status_code == 303
    job_url = asked.headers["Location"]
    waiting = client.get(job_url).get_data(as_text=True)
    assert "Being prepared" in waiting and "Check again" in waiting
    assert client.get(f"{job_url}/download").status_code == 409
    assert queue.run_next() == JobState.DONE
    ready = client.get(job_url).get_data(as_text=True)
    assert "Ready: 3 projects" in ready and f"{job_url}/download" in ready
    prepared = client.get(f"{job_url}/download")
    assert (
        prepared.headers["Content-Type"]
        == {
            "pdf": "application/pdf",
            "csv": "text/csv; charset=utf-8",  # one charset
        }[kind]
    )
    # The same request again is the same job, from the offer page and from the POST.
    assert f'href="{job_url}"' in client.get(f"/reports/portfolio.{kind}?{QUERY}").text
    again = client.post("/reports/jobs", data={**ASK, "kind": f"portfolio_{kind}"})
    assert again.headers["Location"] == job_url and jobs_count() == 1


def test_a_download_has_an_etag_and_answers_304(client, world, small_bounds) -> None:
    build(world)
    sign_in(client, world.secretariat)
    job_url = client.post("/reports/jobs", data=ASK).headers["Location"]
    queue.run_next()
    first = client.get(f"{job_url}/download")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    etag = first.headers["ETag"]
    job = db.session.scalars(select(Job)).one()
    assert etag == f'"{job.sha256}"'
    assert (
        'filename="prb-portfolio-2018-as-at-2018-12-31.pdf"' in first.headers["Content-Disposition"]
    )
    cached = client.get(f"{job_url}/download", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    changed = client.get(f"{job_url}/download", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.data == first.data


def test_a_pdf_above_the_cap_is_refused_with_the_way_round(client, world, small_bounds) -> None:
    small_bounds.config["REPORT_MAX_PDF_ROWS"] = 2
    build(world)
    sign_in(client, world.board_undp)
    refused = client.get(f"/reports/portfolio.pdf?{QUERY}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "a PDF holds at most 2" in html and "/reports/portfolio.csv?" in html
    assert 'action="/reports/jobs"' not in html
    # Asked for by hand all the same: the job fails with the same message, no PDF is made.
    job_url = client.post("/reports/jobs", data=ASK).headers["Location"]
    assert queue.run_next() == JobState.FAILED
    assert "a PDF holds at most 2" in client.get(job_url).get_data(as_text=True)
    # The CSV of the same selection is offered.
    assert client.get(f"/reports/portfolio.csv?{QUERY}").status_code == 200


def test_too_many_waiting_reports_are_a_429_with_retry_after(client, world, small_bounds) -> None:
    small_bounds.config["REPORT_JOBS_PER_USER"] = 1
    sign_in(client, world.board_undp)
    assert client.post("/reports/jobs", data=ASK).status_code == 303
    refused = client.post("/reports/jobs", data={**ASK, "as_at": "2018-11-30"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "at most 1 at a time" in refused.get_data(as_text=True)
    assert jobs_count() == 1
    queue.run_next()
    assert client.post("/reports/jobs", data={**ASK, "as_at": "2018-11-30"}).status_code == 303


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"as_at": "2099-01-01"}, "cannot be in the future"),
        ({"as_at": "2017-12-31"}, "before 2018"),
        ({"programme_id": "999999"}, "no programme number 999999"),
        ({"kind": "minutes"}, ""),
        ({"year": ""}, ""),
    ],
)
def test_a_bad_request_for_a_report_writes_nothing(client, world, data, message) -> None:
    sign_in(client, world.board_undp)
    refused = client.post("/reports/jobs", data={**ASK, **data})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert jobs_count() == 0


def test_report_jobs_are_for_report_readers(client, world, small_bounds) -> None:
    sign_in(client, world.board_undp)
    job_url = client.post("/reports/jobs", data=ASK).headers["Location"]
    client.post("/logout")
    sign_in(client, world.chair_a)
    assert client.get(job_url).status_code == 403
    assert client.post("/reports/jobs", data=ASK).status_code == 403
    assert client.get("/reports/jobs/99999").status_code == 403
