"""Publications in an S3 (or S3-compatible) bucket, for `indexer.publish`.

    s3://bucket/prefix/<id>/<file>          each file of a publication
    s3://bucket/prefix/<id>/checksums.json  written after them: the publication is whole
    s3://bucket/prefix/CURRENT              written after that: replicas switch

Every write is one PUT of one object, which S3 shows whole or not at all, so
there is nothing to rename. boto3 finds credentials, the region and the endpoint
as the AWS tools do (environment, ~/.aws, instance role; AWS_ENDPOINT_URL for
MinIO, Ceph, R2 and the like). It is an optional dependency: `pip install -e '.[s3]'`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from indexer.build import CURRENT
from indexer.publish import CHECKSUMS, PublishError  # loaded first: it loads this module

_MISSING = {"NoSuchKey", "404", "NotFound"}
_LEFTOVER_SECONDS = 3600  # a publication without checksums.json this old was interrupted


class S3:
    def __init__(self, bucket: str, prefix: str, where: str) -> None:
        try:
            import boto3
            import botocore.exceptions
        except ImportError:
            raise PublishError(f"{where}: publishing to S3 needs boto3: run "
                               "`pip install -e '.[s3]'`") from None
        self.bucket = bucket
        self.prefix = prefix
        self.where = where
        self._errors = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)
        self._client: Any = boto3.client("s3")

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def _call(self, name: str, action: Any, **arguments: Any) -> Any:
        """`action(Bucket=..., **arguments)`, its errors said plainly: FileNotFoundError
        for a missing object, PublishError naming the object for the rest."""
        try:
            return action(Bucket=self.bucket, **arguments)
        except self._errors as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            if code in _MISSING:
                raise FileNotFoundError(f"s3://{self.bucket}/{self._key(name)}") from None
            raise PublishError(f"s3://{self.bucket}/{self._key(name)}: {error}") from None

    def read(self, name: str) -> bytes:
        answer = self._call(name, self._client.get_object, Key=self._key(name))
        body: bytes = answer["Body"].read()
        return body

    def has(self, name: str) -> bool:
        try:
            self._call(name, self._client.head_object, Key=self._key(name))
        except FileNotFoundError:
            return False
        return True

    def put(self, ident: str, files: dict[str, Path]) -> None:
        # checksums.json last: until it is there, the publication is not one.
        for name in sorted(files, key=lambda n: n == CHECKSUMS):
            with files[name].open("rb") as data:
                self._call(f"{ident}/{name}", self._client.put_object,
                           Key=self._key(f"{ident}/{name}"), Body=data)

    def fetch(self, name: str, to: Path) -> None:
        answer = self._call(name, self._client.get_object, Key=self._key(name))
        with to.open("wb") as out:
            for chunk in answer["Body"].iter_chunks(1 << 20):
                out.write(chunk)

    def point(self, ident: str) -> None:
        self._call(CURRENT, self._client.put_object, Key=self._key(CURRENT),
                   Body=ident.encode("utf-8"))

    def prune(self, live: str, keep: int) -> None:
        """Remove all but the `keep` newest publications (by the time their
        checksums.json gives; `live` always stays), and interrupted ones an hour old."""
        base = self._key("")
        published: dict[str, float] = {}
        objects: dict[str, list[str]] = {}
        newest: dict[str, float] = {}
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base)
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    ident, _, name = item["Key"][len(base):].partition("/")
                    if not name or not ident.startswith("gen-"):
                        continue
                    when = item["LastModified"].timestamp()
                    objects.setdefault(ident, []).append(item["Key"])
                    newest[ident] = max(newest.get(ident, 0.0), when)
                    if name == CHECKSUMS:
                        published[ident] = when
        except self._errors as error:
            raise PublishError(f"{self.where}: cannot list the publications ({error})"
                               ) from None
        # When each was published, to the fraction of a second (object times are
        # whole seconds): a few small reads, one per publication kept.
        for ident in published:
            try:
                published[ident] = float(json.loads(self.read(f"{ident}/{CHECKSUMS}"))
                                         ["published_at"])
            except (OSError, ValueError, KeyError, TypeError):
                pass  # keep the object's time
        others = sorted((i for i in published if i != live), key=published.__getitem__,
                        reverse=True)
        stale = others[keep - 1:] + [
            i for i in objects if i not in published and i != live
            and newest[i] < time.time() - _LEFTOVER_SECONDS]
        for ident in stale:
            keys = objects[ident]
            for start in range(0, len(keys), 1000):  # at most 1,000 keys a request
                self._call(ident, self._client.delete_objects, Delete={
                    "Objects": [{"Key": key} for key in keys[start:start + 1000]],
                    "Quiet": True})
