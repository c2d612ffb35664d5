"""Signatures others can trust: the demo signing certificate is an ordinary end-entity one
issued by a demo CA, final minutes carry an RFC 3161 timestamp from the configured TSA
(PAdES B-T, optionally B-LT), a TSA that does not answer refuses finalisation cleanly, and
signing keeps the PDF/UA-1 and PDF/A-3b results of the unsigned PDF."""

from __future__ import annotations

import asyncio
import base64
import io
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from secrets import token_hex
from typing import Any

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import MinutesVersion
from prb.services import minutes, pdf, signing
from tests.conftest import sign_in
from tests.verapdf_helpers import failures, validator
from tests.web.test_minutes import decided_meeting


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class LocalTSA:
    """An RFC 3161 time-stamping authority on 127.0.0.1 (pyHanko's DummyTimeStamper behind
    an HTTP server answering application/timestamp-query), with its own demo root."""

    def __init__(self, tmp_path: Path) -> None:
        ca_key, self.root = signing.demo_ca("Test TSA Root")
        key, cert = signing.demo_leaf(ca_key, self.root, "Test TSA", purpose="timestamps")
        self.root_pem = tmp_path / "tsa-root.pem"
        self.root_pem.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        self.requests = 0
        self.authorization: str | None = None  # the Authorization header it insists on
        stamper = DummyTimeStamper(
            tsa_cert=_asn1(cert),
            tsa_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            certs_to_embed=[_asn1(self.root)],
        )
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if tsa.authorization and self.headers.get("Authorization") != tsa.authorization:
                    self.send_error(401)
                    return
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                query = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
                body = stamper.request_tsa_response(query).dump()
                tsa.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[LocalTSA]:
    server = LocalTSA(tmp_path)
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def certificate(app, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = signing.create_demo_certificate(tmp_path / "demo.p12")
    app.config["SIGNING_P12"] = str(path)
    return path


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def pdfsig(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{token_hex(4)}.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def demo_root(p12: Path) -> asn1_x509.Certificate:
    _, _, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), None)
    return _asn1(chain[0])


def test_the_demo_certificate_is_an_ordinary_signing_certificate(tmp_path: Path) -> None:
    key, leaf, chain = pkcs12.load_key_and_certificates(
        signing.create_demo_certificate(tmp_path / "demo.p12").read_bytes(), None
    )
    assert key is not None and leaf is not None and len(chain) == 1
    ca = chain[0]
    ext = leaf.extensions.get_extension_for_class
    assert ext(x509.BasicConstraints).value.ca is False
    usage = ext(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign and not usage.crl_sign
    purposes = ext(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier(signing.DOCUMENT_SIGNING) in purposes
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes
    assert leaf.issuer == ca.subject != leaf.subject
    ca_ext = ca.extensions.get_extension_for_class
    assert ca_ext(x509.BasicConstraints).value.ca is True
    assert ca_ext(x509.KeyUsage).value.key_cert_sign
    assert (
        ext(x509.AuthorityKeyIdentifier).value.key_identifier
        == ca_ext(x509.SubjectKeyIdentifier).value.key_identifier
    )
    leaf.verify_directly_issued_by(ca)


def test_timestamped_minutes_are_pades_b_t_and_pdfsig_finds_them_valid(
    world, app, certificate: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    app.config["SIGNING_TSA_URL"] = tsa.url
    record = minutes.finalise(world.secretariat, decided_meeting(world).id)
    assert record.signed and tsa.requests >= 1
    reader = PdfFileReader(io.BytesIO(record.pdf))
    (embedded,) = reader.embedded_signatures
    unsigned_attrs = embedded.signer_info["unsigned_attrs"].native or []
    assert any(a["type"] == "signature_time_stamp_token" for a in unsigned_attrs)
    status = validate_pdf_signature(
        embedded,
        ValidationContext(trust_roots=[demo_root(certificate)]),
        ts_validation_context=ValidationContext(trust_roots=[_asn1(tsa.root)]),
    )
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    report = pdfsig(record.pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate issuer isn't Trusted." in report
    assert "Total document signed" in report


def test_a_tsa_that_does_not_answer_refuses_finalisation_and_keeps_the_draft(
    client, world, app, certificate: Path, tsa: LocalTSA
) -> None:
    m = decided_meeting(world)
    app.config["SIGNING_TSA_URL"] = closed_port_url()
    sign_in(client, world.secretariat)
    once = token_hex(8)
    response = client.post(f"/board/meetings/{m.id}/minutes", data={"once": once})
    assert response.status_code == 503
    page = " ".join(response.get_data(as_text=True).split())
    assert "time-stamping service" in page and "still a draft" in page
    assert db.session.scalar(select(func.count(MinutesVersion.id))) == 0
    # The service is back: the same form goes through (its one-time token was not spent).
    app.config["SIGNING_TSA_URL"] = tsa.url
    response = client.post(f"/board/meetings/{m.id}/minutes", data={"once": once})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(MinutesVersion.id))) == 1


def test_in_a_running_event_loop_a_dead_tsa_is_refused_as_well(app, certificate: Path) -> None:
    """There pyHanko runs in a helper thread, which has no application context: the error
    still becomes the secretariat's message, not a 500."""
    app.config["SIGNING_TSA_URL"] = closed_port_url()
    unsigned = pdf.render("<html lang='en'><head><title>T</title></head><body>M</body></html>")

    async def in_a_loop() -> bytes:
        return signing.sign(unsigned, signing.configured_signer(), reason="R", name="N")

    with pytest.raises(signing.SigningUnavailable, match="still a draft"):
        asyncio.run(in_a_loop())


def test_a_tsa_that_asks_for_credentials_gets_them(app, certificate: Path, tsa: LocalTSA) -> None:
    tsa.authorization = "Basic " + base64.b64encode(b"prb:s3cret").decode()
    app.config["SIGNING_TSA_URL"] = tsa.url
    unsigned = pdf.render("<html lang='en'><head><title>T</title></head><body>M</body></html>")
    with pytest.raises(signing.SigningUnavailable):
        signing.sign(unsigned, signing.configured_signer(), reason="R", name="N")
    app.config.update(SIGNING_TSA_USER="prb", SIGNING_TSA_PASSWORD="s3cret")
    signed = signing.sign(unsigned, signing.configured_signer(), reason="R", name="N")
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.signer_info["unsigned_attrs"].native[0]["type"] == (
        "signature_time_stamp_token"
    )


def test_long_term_validation_data_is_embedded_when_asked(
    world, app, certificate: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    app.config.update(SIGNING_TSA_URL=tsa.url, SIGNING_LTV=True)
    m = decided_meeting(world)
    # Without the TSA's root, the timestamp's path cannot be built: a clear refusal.
    with pytest.raises(signing.SigningUnavailable, match="PRB_SIGNING_TRUST_ROOTS"):
        minutes.finalise(world.secretariat, m.id)
    db.session.rollback()
    app.config["SIGNING_TRUST_ROOTS"] = str(tsa.root_pem)
    record = minutes.finalise(world.secretariat, m.id)
    reader = PdfFileReader(io.BytesIO(record.pdf))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3  # signer, demo CA, TSA (and its root)
    report = pdfsig(record.pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report


def test_signing_adds_no_pdf_ua_or_pdf_a_failure(
    world, app, backend: str, certificate: Path, tsa: LocalTSA, tmp_path: Path
) -> None:
    verapdf = validator()
    if backend != "sqlite":
        pytest.skip("the PDF does not depend on the database; veraPDF is slow (a JVM a run)")
    app.config["SIGNING_P12"] = str(tmp_path / "none.p12")  # unsigned first
    unsigned = minutes.finalise(world.secretariat, decided_meeting(world).id).pdf
    app.config.update(SIGNING_P12=str(certificate), SIGNING_TSA_URL=tsa.url)
    signed = signing.sign(unsigned, signing.configured_signer(), reason="Test", name="Secretary")
    reader = PdfFileReader(io.BytesIO(signed))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    assert page["/Tabs"] == "/S"
    (widget,) = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    assert widget["/F"] & 0b100 and not widget["/F"] & 0b10  # printed (PDF/A), not hidden
    # ... so, untagged, it must lie outside the page for PDF/UA-1 (some validators count a
    # [0 0 0 0] box as on the page; veraPDF 1.28 does not, hence this check of our own).
    _, _, right, top = (float(v) for v in widget["/Rect"])
    x0, y0, _, _ = (float(v) for v in page["/MediaBox"])
    assert right < x0 and top < y0
    files = [tmp_path / "unsigned.pdf", tmp_path / "signed.pdf"]
    files[0].write_bytes(unsigned)
    files[1].write_bytes(signed)
    for flavour in ("ua1", "3b"):
        found = failures(verapdf, flavour, files)
        assert found == {"unsigned.pdf": [], "signed.pdf": []}, (flavour, found)
