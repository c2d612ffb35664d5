"""Compressed answers (issue 17, Flask-Compress): text-like pages and downloads are gzip- or
Brotli-compressed when the browser accepts it, with `Vary: Accept-Encoding`; PDFs and users'
files go out byte for byte; ETag/304, ranges and streamed CSV keep working."""

from __future__ import annotations

import gzip
import io

import brotli
import pytest

from prb.extensions import db
from prb.models import Attachment
from prb.services.jobs import queue
from tests import factories
from tests import file_samples as f
from tests.conftest import make_app, sign_in
from tests.csv_helpers import csv_text
from tests.web.test_attachments import post
from tests.web.test_minutes import decided_meeting
from tests.web.test_portfolio_as_at import build
from workflows import ProposalState

BROWSER = "gzip, deflate, br, zstd"


def test_an_html_page_is_gzip_compressed_when_accepted(client, world) -> None:
    sign_in(client, world.board_undp)
    plain = client.get("/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    page = gzip.decompress(packed.data)
    assert page.startswith(b"<!doctype html>") and len(packed.data) < len(page) / 2
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    # The security headers are still there: compression runs after them.
    assert packed.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in packed.headers["Content-Security-Policy"]


def test_brotli_when_the_browser_prefers_it_and_none_when_it_refuses(client, world) -> None:
    page = client.get("/login", headers={"Accept-Encoding": "br"})
    assert page.headers["Content-Encoding"] == "br"
    assert b"<form" in brotli.decompress(page.data)
    # Static files are sent as streams, which Flask-Compress compresses with Brotli or
    # Zstandard but not gzip: every current browser offers both.
    css = client.get("/static/prb.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers["Content-Encoding"] == "br"
    assert b".site-header" in brotli.decompress(css.data)
    tag = css.headers["ETag"]
    assert tag.endswith(':br"')
    cached = client.get("/static/prb.css", headers={"Accept-Encoding": "br", "If-None-Match": tag})
    assert cached.status_code == 304
    refused = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in refused.headers and b"<form" in refused.data


def test_the_health_check_stays_tiny_and_plain(client) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": BROWSER})
    assert response.json == {"status": "ok"} and "Content-Encoding" not in response.headers


def test_a_pdf_is_not_compressed_again_and_its_304_still_works(client, world) -> None:
    m = decided_meeting(world)
    sign_in(client, world.board_undp)
    url = f"/board/meetings/{m.id}/minutes/draft.pdf"
    first = client.get(url, headers={"Accept-Encoding": BROWSER})
    assert first.status_code == 200 and first.data[:4] == b"%PDF"
    assert "Content-Encoding" not in first.headers
    tag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": BROWSER, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""


def test_an_attachment_is_handed_back_byte_for_byte(app, client, world, tmp_path) -> None:
    app.config.update(FILES_DIRECTORY=str(tmp_path / "files"), COMPRESS_MIN_SIZE=0)
    p = factories.proposal(world, status=ProposalState.SUBMITTED)
    sign_in(client, world.chair_a)
    assert post(client, f"/attachments/proposal/{p.id}", "letter.pdf", f.PDF).status_code == 303
    row = db.session.query(Attachment).one()
    download = client.get(f"/attachments/files/{row.id}", headers={"Accept-Encoding": BROWSER})
    assert download.status_code == 200 and download.data == f.PDF
    assert "Content-Encoding" not in download.headers


def test_a_streamed_csv_is_compressed_as_it_streams(client, world) -> None:
    sign_in(client, world.finance)
    # (Each streamed answer read before the next request: its generator holds its context.)
    plain = client.get("/finance/dashboard.csv")
    text = plain.data
    assert csv_text(text).startswith("code,") and "Content-Encoding" not in plain.headers
    packed = client.get("/finance/dashboard.csv", headers={"Accept-Encoding": "br"})
    assert packed.is_streamed and packed.mimetype == "text/csv"
    assert packed.headers["Content-Encoding"] == "br" and "Content-Length" not in packed.headers
    assert brotli.decompress(packed.data) == text
    assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]


def test_a_prepared_csv_report_keeps_its_etag_answering_304(app, client, world) -> None:
    """Flask-Compress marks the ETag of what it compressed ("<sha>:gzip"); a browser sending
    that tag back still gets its 304."""
    app.config.update(REPORT_INLINE_ROWS=2, REPORT_INLINE_CSV_ROWS=2, COMPRESS_MIN_SIZE=0)
    build(world)
    sign_in(client, world.secretariat)
    asked = client.post(
        "/reports/jobs",
        data={"kind": "portfolio_csv", "programme_id": "", "year": "2018", "as_at": "2018-12-31"},
    )
    download = f"{asked.headers['Location']}/download"
    queue.run_next()
    plain = client.get(download)
    packed = client.get(download, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["X-Content-SHA256"] == plain.headers["X-Content-SHA256"]
    tag = packed.headers["ETag"]
    cached = client.get(download, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert cached.status_code == 304 and cached.data == b""
    # Without compression the plain tag still works.
    assert client.get(download, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_a_range_of_a_static_file_is_the_plain_bytes(client) -> None:
    whole = client.get("/static/prb.css").data
    asked = {"Accept-Encoding": BROWSER, "Range": "bytes=0-1999"}  # above the 500-byte floor
    part = client.get("/static/prb.css", headers=asked)
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == whole[:2000]


@pytest.mark.parametrize("setting", ["false", "0", "off"])
def test_prb_compress_off_leaves_compression_to_a_proxy(monkeypatch, database_url, setting) -> None:
    monkeypatch.setenv("PRB_COMPRESS", setting)
    app = make_app(database_url)
    response = app.test_client().get("/login", headers={"Accept-Encoding": BROWSER})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.headers.get("Vary", "")
    assert io.BytesIO(response.data).read(15) == b"<!doctype html>"
