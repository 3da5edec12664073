"""moto's S3 server on 127.0.0.1 (a real HTTP endpoint), one per test session, and a
fresh bucket per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

ACCESS_KEY = "AKIATABLEFMTTEST0001"
SECRET_KEY = "tablefmt-test-secret-DO-NOT-PRINT-9f8e7d"


@dataclass(frozen=True)
class S3Endpoint:
    url: str

    def storage_options(self) -> dict[str, str]:
        return {"endpoint_url": self.url, "region": "us-east-1",
                "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def new_bucket(self) -> str:
        name = f"tf-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3Endpoint(f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: S3Endpoint) -> str:
    return s3_endpoint.new_bucket()
