"""A local S3-compatible server for the tests: moto in server mode, over real HTTP.

Server mode (not moto's in-process mock) so the S3 file store speaks to a server as it does
to AWS or MinIO: botocore signs, sends and parses real requests, and conditional writes and
paging are answered by the server. It listens on a free port of 127.0.0.1, so the tests run
offline. One server serves the whole test process; each test gets a bucket of its own.
"""

from __future__ import annotations

import atexit
import os
import uuid
from typing import Any

import pytest

_server: Any = None

# Credentials the local server accepts; the real chain (a profile, an instance role) is
# never consulted by the tests.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
REGION = "us-east-1"


def endpoint_url() -> str:
    """The URL of the local S3 server, started on first use."""
    global _server
    if _server is None:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        atexit.register(server.stop)
        _server = server
    host, port = _server.get_host_and_port()
    return f"http://{host}:{port}"


def raw_client() -> Any:
    """A plain boto3 client of the local server (to create buckets and look behind PRB)."""
    import boto3

    return boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=REGION,
    ).client("s3", endpoint_url=endpoint_url())


@pytest.fixture
def s3_settings(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """PRB settings for S3 file storage on a new, empty bucket of the local server."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"prb-test-{uuid.uuid4().hex[:12]}"
    raw_client().create_bucket(Bucket=bucket)
    return {
        "FILE_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint_url(),
        "S3_REGION": REGION,
    }
