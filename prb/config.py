"""Configuration from the environment: every setting is read from a `PRB_` variable."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from workflows import ASSIGNABLE_ROLES, Role

DEFAULTS: dict[str, Any] = {
    "PAGE_SIZE": 25,
    # A requested budget above this is refused as a typing error, whatever the envelope.
    "MAX_REQUESTED_BUDGET": Decimal("10000000.00"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Off only for local HTTP (`make run` turns it off; production keeps it on).
    "SESSION_COOKIE_SECURE": True,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_LIFETIME_HOURS": 12,
    "SIGNIN_WINDOW_MINUTES": 15,
    "SIGNIN_SLOW_AFTER": 3,
    "SIGNIN_REFUSE_AFTER": 10,
    # A set-password link (new account, reset) works once, for this many hours.
    "PASSWORD_LINK_HOURS": 72,
    # A request for a reset link is answered this long after it began, whether or not an
    # account uses the address (the time would otherwise tell which addresses have one).
    "PASSWORD_RESET_ANSWER_MS": 250,
    # Roles whose holders must sign in with two steps (comma-separated; empty: nobody).
    "TWO_STEP_ROLES": "administrator,finance",
    # Number of reverse proxies in front of PRB whose X-Forwarded-* headers to trust.
    "PROXY_FIX": 0,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    # A pooled connection idle this long is checked before a request uses it (a database
    # restarted while PRB was quiet); one in use a moment ago is not (a round trip saved).
    "DATABASE_PING_AFTER_IDLE_SECONDS": 10,
    # SQLite: how long a write waits for the one write lock before giving up (a 503).
    "SQLITE_BUSY_TIMEOUT_SECONDS": 15,
    # Board decision rule: strictly more than this share of the eligible members must vote.
    "BOARD_QUORUM": "1/2",
    # On a tie or no majority, the Board chair's vote decides when she is present.
    "BOARD_CASTING_VOTE": True,
    # A date typed into any form must fall within these years; others are typing errors.
    "DATE_MIN_YEAR": 1990,
    "DATE_MAX_YEAR": 2100,
    # Outgoing e-mail (docs/mail.md). No SMTP host: each message is written as an .eml file
    # under MAIL_DIRECTORY (default: the instance folder's mail/), which needs nothing installed.
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_TIMEOUT_SECONDS": 30,
    "MAIL_SENDER": "PRB <prb@localhost>",
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_DIRECTORY": "",
    # Attachments (README "Attachments"): the largest file accepted, in MB.
    "ATTACHMENT_MAX_MB": 20,
    # Signing final minutes (README "Minutes"): an RFC 3161 time-stamping authority makes
    # them PAdES B-T; empty: no timestamp (B-B). User and password only if the TSA asks.
    "SIGNING_TSA_URL": "",
    "SIGNING_TSA_USER": "",
    "SIGNING_TSA_PASSWORD": "",
    "SIGNING_TSA_TIMEOUT_SECONDS": 10,
    # Embed certificates and revocation data (PAdES B-LT); needs the certificates' OCSP or
    # CRL servers reachable when signing, so off by default.
    "SIGNING_LTV": False,
    # PEM file of further roots trusted when building that data (the TSA's root).
    "SIGNING_TRUST_ROOTS": "",
    # Compressed answers (README "Compression"): off when a proxy in front compresses.
    "COMPRESS": True,
    # Development only: a page of the e-mail PRB wrote (README "Notifications").
    "SHOW_MAIL": False,
    # Only text-like answers: PDFs, Word files, images and uploads are compressed already
    # (or are the user's file, handed back byte for byte).
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/calendar",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    ],
    # gzip level 6 and Brotli quality 4 (the library's defaults): nearly the best size for
    # little CPU; answers below 500 bytes are not worth a compressor.
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_MIN_SIZE": 500,
}

# How to reach the SMTP server: STARTTLS on the submission port, TLS from the first byte
# (port 465), or plain (a relay on the same host).
SMTP_SECURITY = ("starttls", "tls", "none")

_BOOLEAN = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def _boolean(key: str, text: str) -> bool:
    try:
        return _BOOLEAN[text.strip().lower()]
    except KeyError:
        raise ValueError(f"PRB_{key} must be one of {', '.join(_BOOLEAN)}, not {text!r}") from None


def load(app_config: dict[str, Any], instance_path: str, overrides: dict[str, Any] | None) -> None:
    """Fill `app_config` from defaults, then `PRB_*` variables, then explicit overrides."""
    app_config.update(DEFAULTS)
    env = {k[len("PRB_") :]: v for k, v in os.environ.items() if k.startswith("PRB_")}
    if "DATABASE_URL" in env:
        app_config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env.pop("DATABASE_URL"))
    if "MAX_REQUESTED_BUDGET" in env:
        app_config["MAX_REQUESTED_BUDGET"] = Decimal(env.pop("MAX_REQUESTED_BUDGET"))
    for key in (
        "PAGE_SIZE",
        "SESSION_IDLE_MINUTES",
        "SESSION_LIFETIME_HOURS",
        "SIGNIN_WINDOW_MINUTES",
        "SIGNIN_SLOW_AFTER",
        "SIGNIN_REFUSE_AFTER",
        "PASSWORD_LINK_HOURS",
        "PASSWORD_RESET_ANSWER_MS",
        "PROXY_FIX",
        "MAX_CONTENT_LENGTH",
        "DATE_MIN_YEAR",
        "DATE_MAX_YEAR",
        "SQLITE_BUSY_TIMEOUT_SECONDS",
        "DATABASE_PING_AFTER_IDLE_SECONDS",
        "SMTP_PORT",
        "SMTP_TIMEOUT_SECONDS",
        "MAIL_MAX_ATTEMPTS",
        "ATTACHMENT_MAX_MB",
        "SIGNING_TSA_TIMEOUT_SECONDS",
        "COMPRESS_LEVEL",
        "COMPRESS_BR_LEVEL",
        "COMPRESS_MIN_SIZE",
    ):
        if key in env:
            app_config[key] = int(env.pop(key))
    # Every yes/no setting: read as text, "false" would be true; an unknown word stops
    # start-up rather than being taken either way.
    for key in (
        "SESSION_COOKIE_SECURE",
        "SIGNING_LTV",
        "COMPRESS",
        "SHOW_MAIL",
        "BOARD_CASTING_VOTE",
    ):
        if key in env:
            app_config[key] = _boolean(key, env.pop(key))
    for key in ("TEST_DATABASE_URL",):
        env.pop(key, None)
    app_config.update(env)
    if overrides:
        app_config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" not in app_config:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'prb.sqlite3'}"
    quorum = Fraction(str(app_config["BOARD_QUORUM"]))
    if not 0 <= quorum < 1:
        raise ValueError(f"PRB_BOARD_QUORUM must be a fraction from 0 to below 1, not {quorum}")
    if not 1 <= int(app_config["DATE_MIN_YEAR"]) <= int(app_config["DATE_MAX_YEAR"]) <= 9998:
        raise ValueError("PRB_DATE_MIN_YEAR must not be after PRB_DATE_MAX_YEAR (at most 9998)")
    security = str(app_config["SMTP_SECURITY"]).strip().lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"PRB_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    app_config["SMTP_SECURITY"] = security
    if int(app_config["MAIL_MAX_ATTEMPTS"]) < 1:
        raise ValueError("PRB_MAIL_MAX_ATTEMPTS must be at least 1")
    app_config["TWO_STEP_ROLES"] = two_step_roles(app_config["TWO_STEP_ROLES"])
    app_config.setdefault("SIGNING_P12", str(Path(instance_path) / "signing" / "secretariat.p12"))
    if not app_config.get("SECRET_KEY"):
        app_config["SECRET_KEY"] = _instance_secret(instance_path)


def two_step_roles(value: str | Iterable[str]) -> frozenset[Role]:
    """`PRB_TWO_STEP_ROLES`: role names separated by commas; an unknown name stops start-up."""
    names = value.split(",") if isinstance(value, str) else list(value)
    roles = set()
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in {str(r) for r in ASSIGNABLE_ROLES}:
            allowed = ", ".join(str(r) for r in ASSIGNABLE_ROLES)
            raise ValueError(f"PRB_TWO_STEP_ROLES: unknown role {name!r} (use {allowed})")
        roles.add(Role(name))
    return frozenset(roles)


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms; PRB speaks psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, so sign-ins survive a restart in development."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
