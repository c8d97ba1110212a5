"""S3-compatible object storage for tests: moto's S3 server (a real HTTP API on a loopback port), never mocks.

- `s3_server`: `python -m moto.server` on a free 127.0.0.1 port, started for the test session and stopped after.
- `s3_storage`: STORAGES exactly as portal/settings/base.py builds them from AWS_STORAGE_BUCKET_NAME,
  AWS_PRIVATE_BUCKET_NAME and AWS_S3_ENDPOINT_URL, pointed at fresh public and private buckets of that server, with
  test credentials and the public-read policy of docs/deployment.md on the public bucket; yields the boto3 client
  for reading the buckets back.
"""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import boto3
import pytest
from django.conf import settings

BASE_SETTINGS = Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"
CREDENTIALS = {"AWS_S3_ACCESS_KEY_ID": "testing", "AWS_S3_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


def deployed_storages(**environment: str) -> dict:
    """STORAGES exactly as base.py builds them for production from the given environment variables."""
    with mock.patch.dict(os.environ, environment):
        return runpy.run_path(str(BASE_SETTINGS))["STORAGES"]


def public_read_policy(bucket: str) -> dict:
    """The bucket policy docs/deployment.md gives: anyone may read the public upload folders, nothing else."""
    folders = [folder.rstrip("/") for folder in settings.PORTAL_PUBLIC_MEDIA_DIRS]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicUploads",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/{folder}/*" for folder in folders],
            }
        ],
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """http://127.0.0.1:<port> of a moto S3 server this session started (and stops)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_S3_CUSTOM_ENDPOINTS": f"http://127.0.0.1:{port}"},
    )
    try:
        for _ in range(200):
            if process.poll() is not None:
                pytest.fail("moto's S3 server exited at start-up")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("moto's S3 server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    """The portal's storages on fresh public and private buckets of the moto server; yields a boto3 S3 client."""
    suffix = uuid.uuid4().hex[:12]
    public, private = f"portal-public-{suffix}", f"portal-private-{suffix}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    )
    client.create_bucket(Bucket=public)
    client.create_bucket(Bucket=private)
    client.put_bucket_policy(Bucket=public, Policy=json.dumps(public_read_policy(public)))
    storages = deployed_storages(
        AWS_STORAGE_BUCKET_NAME=public,
        AWS_PRIVATE_BUCKET_NAME=private,
        AWS_S3_ENDPOINT_URL=s3_server,
        AWS_S3_REGION_NAME=REGION,
        AWS_S3_ADDRESSING_STYLE="path",
    )
    # Through pytest-django's `settings` (not override_settings): a test's own `settings.X = ...` then restores in
    # the right order, never bringing these storages back after the test.
    settings.STORAGES = storages
    for name, value in CREDENTIALS.items():
        setattr(settings, name, value)
    client.public_bucket, client.private_bucket = public, private
    return client
