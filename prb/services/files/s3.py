"""The file store on S3-compatible object storage (AWS S3, MinIO, Ceph, …) through boto3.

For an office that runs PRB on several servers: every server sees the same files. Settings:
`PRB_S3_BUCKET` (required), `PRB_S3_ENDPOINT_URL` (for a service other than AWS),
`PRB_S3_REGION`, `PRB_S3_PREFIX` (default "prb/"). The credentials are not PRB settings:
boto3 finds them in its standard chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
profile in ~/.aws/credentials, an instance or container role), so no secret sits in PRB's
configuration.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from prb.services.files.storage import check_key

DEFAULT_PREFIX = "prb/"

# Codes S3 answers when a conditional write finds the key taken: 412 once an object is
# there, 409 while another upload of the same key is still in flight.
_TAKEN = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_MISSING = {"NoSuchKey", "404", "NotFound"}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@functools.lru_cache(maxsize=8)
def _client(endpoint_url: str | None, region: str | None) -> Any:
    # Building a client costs tens of milliseconds (it loads the service model), and a
    # client is thread-safe, so one per endpoint serves every request of the process.
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=60,
        # A service other than AWS (MinIO, a local test server) is reached at one host name:
        # bucket names in the path, not in the host name.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        # boto3 >= 1.36 adds a CRC trailer to every upload by default, which several
        # S3-compatible services refuse; elsewhere checksums are sent only where S3 requires
        # them (PRB keeps each file's SHA-256 in the database anyway).
        request_checksum_calculation="when_supported" if endpoint_url is None else "when_required",
        response_checksum_validation="when_supported" if endpoint_url is None else "when_required",
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=config
    )


class S3FileStore:
    """Files as objects `<prefix><key>` in one bucket; never overwritten (conditional writes)."""

    def __init__(
        self, client: Any, bucket: str, prefix: str = DEFAULT_PREFIX, page_size: int = 1000
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        # S3 lists at most 1,000 objects per request; tests page by fewer.
        self.page_size = page_size

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3FileStore:
        bucket = str(config.get("S3_BUCKET") or "").strip()
        if not bucket:
            raise ValueError("PRB_FILE_STORAGE is 's3' but PRB_S3_BUCKET is not set")
        endpoint_url = str(config.get("S3_ENDPOINT_URL") or "").strip() or None
        region = str(config.get("S3_REGION") or "").strip() or None
        prefix = config.get("S3_PREFIX")
        prefix = DEFAULT_PREFIX if prefix is None else str(prefix)
        return cls(_client(endpoint_url, region), bucket, prefix)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        name = self._name(key)
        try:
            # IfNoneMatch="*": S3 itself refuses to replace an object, so two servers that
            # somehow drew the same key cannot overwrite each other (no check-then-write race).
            self.client.put_object(
                Bucket=self.bucket,
                Key=name,
                Body=data,
                IfNoneMatch="*",
                ContentType="application/octet-stream",
            )
        except ClientError as error:
            if _code(error) in _TAKEN:
                raise FileExistsError(f"file {key} is already stored") from error
            raise

    def get(self, key: str) -> bytes:
        name = self._name(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _code(error) in _MISSING:
                raise FileNotFoundError(f"no file {key}") from error
            raise
        body = answer["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        name = self._name(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _code(error) in _MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        # S3 answers a delete of a missing object with success, as LocalFileStore does.
        name = self._name(key)  # refused before the client is touched
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix, PaginationConfig={"PageSize": self.page_size}
        )
        for page in pages:
            for entry in page.get("Contents", []):
                key = entry["Key"][len(self.prefix) :]
                # Objects of anyone else sharing the bucket and prefix are not PRB's files.
                try:
                    yield check_key(key)
                except ValueError:
                    continue
