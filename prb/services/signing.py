"""Digital signatures (PAdES) on final minutes, with pyHanko, when a certificate is set:
PAdES B-B, or B-T when a time-stamping authority (RFC 3161) is configured, optionally with
long-term validation data (B-LT)."""

from __future__ import annotations

import asyncio
import base64
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from prb.services.errors import Conflict
from prb.services.reference.office import current_office

FIELD_NAME = "SecretariatSignature"


class SigningUnavailable(Conflict):
    """Signing needs a service that did not answer (the time-stamping authority): nothing is
    stored, the minutes stay a draft and the secretariat tries again later."""

    status_code = 503
    title = "Temporarily unavailable"


@dataclass(frozen=True)
class Options:
    """How to sign, from the PRB_SIGNING_* settings."""

    tsa_url: str = ""
    tsa_auth: tuple[str, str] | None = None
    tsa_timeout: int = 10
    ltv: bool = False
    trust_roots: str = ""


def signing_configured() -> bool:
    """Whether final minutes will be signed: a certificate file is named and there."""
    path = current_app.config.get("SIGNING_P12")
    return bool(path) and Path(path).is_file()


def configured_signer():  # type: ignore[no-untyped-def]
    """The secretariat's signer from PRB_SIGNING_P12 (and PRB_SIGNING_PASSPHRASE), or None
    when no certificate is configured — finalisation then works unsigned."""
    if not signing_configured():
        return None
    path = current_app.config["SIGNING_P12"]
    from pyhanko.sign import signers

    passphrase = current_app.config.get("SIGNING_PASSPHRASE") or None
    return signers.SimpleSigner.load_pkcs12(
        path, passphrase=passphrase.encode() if passphrase else None
    )


def configured_options() -> Options:
    config = current_app.config
    user = config.get("SIGNING_TSA_USER") or ""
    return Options(
        tsa_url=(config.get("SIGNING_TSA_URL") or "").strip(),
        tsa_auth=(user, config.get("SIGNING_TSA_PASSWORD") or "") if user else None,
        tsa_timeout=int(config.get("SIGNING_TSA_TIMEOUT_SECONDS") or 10),
        ltv=bool(config.get("SIGNING_LTV")),
        trust_roots=config.get("SIGNING_TRUST_ROOTS") or "",
    )


def sign(pdf: bytes, signer, *, reason: str, name: str) -> bytes:  # type: ignore[no-untyped-def]
    """Sign in this thread, or in a helper thread when this one already runs an event loop
    (pyHanko calls asyncio.run, which refuses to nest). Raises SigningUnavailable when the
    time-stamping authority does not answer."""
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import PathBuildingError

    # Read here, and errors turned into messages here: the helper thread has no
    # application context.
    options = configured_options()
    # Where it was signed: the office that runs the Board, as the minutes head it.
    location = current_office().name or None
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return _sign(pdf, signer, reason=reason, name=name, location=location, options=options)
        with ThreadPoolExecutor(max_workers=1) as pool:
            job = pool.submit(
                _sign, pdf, signer, reason=reason, name=name, location=location, options=options
            )
            return job.result()
    except PathBuildingError as exc:
        # A configuration error, not a passing one: the operator adds the missing root.
        raise SigningUnavailable(
            "The minutes were not finalised: long-term validation data could not be built "
            f"({exc}). Ask the administrator to add the missing root certificate to "
            "PRB_SIGNING_TRUST_ROOTS, or to turn PRB_SIGNING_LTV off."
        ) from exc
    except TimestampRequestError as exc:
        current_app.logger.warning("time-stamping authority failed: %s (%s)", exc, exc.__cause__)
        host = urlsplit(options.tsa_url).hostname
        raise SigningUnavailable(
            f"The time-stamping service ({host}) gave no timestamp, so the minutes were not "
            "finalised: they are still a draft and nothing was stored. Try again in a few "
            "minutes; if it keeps failing, ask the administrator to check "
            "PRB_SIGNING_TSA_URL."
        ) from exc


def _sign(  # type: ignore[no-untyped-def]
    pdf: bytes, signer, *, reason: str, name: str, location: str | None, options: Options
) -> bytes:
    from pyhanko.pdf_utils.generic import NameObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # PDF/UA-1 (7.18.3): a page with annotations orders them by the structure tree.
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    if page.get("/Tabs") != "/S":
        page["/Tabs"] = NameObject("/S")
        writer.update_container(page)
    # The widget of an invisible signature is an untagged annotation: PDF/UA-1 accepts it
    # only hidden or outside the page, and PDF/A-3b forbids the Hidden flag and wants Print.
    # So: printable, zero-sized, far outside the crop box.
    field = fields.SigFieldSpec(
        FIELD_NAME,
        on_page=0,
        invis_sig_settings=fields.InvisSigSettings(
            set_print_flag=True, set_hidden_flag=False, box_out_of_bounds=True
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=name,
        location=location,
        embed_validation_info=options.ltv,
        validation_context=_validation_context(signer, options) if options.ltv else None,
    )
    timestamper = (
        HTTPTimeStamper(
            options.tsa_url, timeout=options.tsa_timeout, headers=_basic_auth(options.tsa_auth)
        )
        if options.tsa_url
        else None
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, new_field_spec=field)
    return pdf_signer.sign_pdf(writer).getvalue()


def _basic_auth(credentials: tuple[str, str] | None) -> dict[str, str] | None:
    """HTTP basic credentials as a header (aiohttp deprecates its `auth` argument)."""
    if credentials is None:
        return None
    token = base64.b64encode(":".join(credentials).encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _validation_context(signer, options: Options):  # type: ignore[no-untyped-def]
    """Trust the top of the configured chain and the roots in PRB_SIGNING_TRUST_ROOTS (the
    time-stamping authority's), so that pyHanko can build both paths and fetch what
    revocation information the certificates point to (OCSP, CRL) for the DSS."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    chain = [signer.signing_cert, *signer.cert_registry]
    roots = [cert for cert in chain if cert.self_signed] or chain[-1:]
    if options.trust_roots:
        roots += list(load_certs_from_pemder([options.trust_roots]))
    return ValidationContext(trust_roots=roots, other_certs=chain, allow_fetching=True)


def create_demo_certificate(path: Path, common_name: str = "PRB Secretariat (demo)") -> Path:
    """A demo root CA and the signing certificate it issues, in PKCS#12 (the leaf's key and
    certificate, the CA as the chain) — for demonstrations only. The signing certificate is
    an ordinary end-entity one: readers (NSS, Adobe) refuse a CA certificate for signing."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca_key, ca_cert = demo_ca()
    key, cert = demo_leaf(ca_key, ca_cert, common_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"prb-demo", key, cert, [ca_cert], serialization.NoEncryption()
        )
    )
    path.chmod(0o600)
    return path


def _name(common_name: str):  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Programme Review Board (demo)"),
        ]
    )


def _key_usage(*, sign_documents: bool, sign_certificates: bool):  # type: ignore[no-untyped-def]
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=sign_documents,
        content_commitment=sign_documents,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certificates,
        crl_sign=sign_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def demo_ca(common_name: str = "PRB Demo Root CA"):  # type: ignore[no-untyped-def]
    """A self-signed root that only issues certificates (key and certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_documents=False, sign_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


# RFC 9336 id-kp-documentSigning; e-mail protection too, because NSS (pdfsig, Firefox)
# checks signers for that purpose.
DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"


def demo_leaf(ca_key, ca_cert, common_name: str, *, purpose: str = "documents"):  # type: ignore[no-untyped-def]
    """An end-entity certificate issued by the demo CA: for signing documents, or (purpose
    "timestamps") for a test time-stamping authority."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    if purpose == "timestamps":
        usages = [ExtendedKeyUsageOID.TIME_STAMPING]  # RFC 3161: the only one, critical
    else:
        usages = [ObjectIdentifier(DOCUMENT_SIGNING), ExtendedKeyUsageOID.EMAIL_PROTECTION]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_documents=True, sign_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=purpose == "timestamps")
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert
