"""Digital signatures (PAdES) on final minutes, with pyHanko, when a certificate is set."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app


def configured_signer():  # type: ignore[no-untyped-def]
    """The secretariat's signer from PRB_SIGNING_P12 (and PRB_SIGNING_PASSPHRASE), or None
    when no certificate is configured — finalisation then works unsigned."""
    path = current_app.config.get("SIGNING_P12")
    if not path or not Path(path).is_file():
        return None
    from pyhanko.sign import signers

    passphrase = current_app.config.get("SIGNING_PASSPHRASE") or None
    return signers.SimpleSigner.load_pkcs12(
        path, passphrase=passphrase.encode() if passphrase else None
    )


def sign(pdf: bytes, signer, *, reason: str, name: str) -> bytes:  # type: ignore[no-untyped-def]
    """Sign in this thread, or in a helper thread when this one already runs an event loop
    (pyHanko calls asyncio.run, which refuses to nest)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _sign(pdf, signer, reason=reason, name=name)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_sign, pdf, signer, reason=reason, name=name).result()


def _sign(pdf: bytes, signer, *, reason: str, name: str) -> bytes:  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="SecretariatSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=name,
        location="United Nations Office of Counter-Terrorism",
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def create_demo_certificate(path: Path, common_name: str = "PRB Secretariat (demo)") -> Path:
    """A self-signed certificate and key in PKCS#12, for demonstrations only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Programme Review Board (demo)"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"prb-demo", key, cert, None, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)
    return path
