"""s3cmd (Debian's package; SigV4, path-style: host_bucket without %(bucket)s) against a real
server, with a generated config file: bucket, small and multipart uploads, prefix listing,
download, a presigned URL (signurl), delete."""

import hashlib
import os
import shutil
import subprocess
import urllib.request
from urllib.parse import urlparse

import boto3
import pytest

from conftest import ROOT_KEY, ROOT_SECRET

MIB = 1024 * 1024


def clean_env():
    """The environment without AWS_* variables: the config file alone configures the client
    (an AWS_CA_BUNDLE, for one, makes rclone's SDK refuse its HTTP transport)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def s3cmd_runner(server, tmp_path):
    assert shutil.which("s3cmd"), "s3cmd is needed: apt-get install s3cmd"
    host = urlparse(server.endpoint).netloc
    config = tmp_path / "s3cfg"
    config.write_text(
        "[default]\n"
        f"access_key = {ROOT_KEY}\n"
        f"secret_key = {ROOT_SECRET}\n"
        f"host_base = {host}\n"
        f"host_bucket = {host}\n"
        "use_https = False\n"
        "signature_v2 = False\n"
        "bucket_location = us-east-1\n"
    )

    def s3cmd(*args, check=True):
        out = subprocess.run(
            ["s3cmd", "--config", str(config), "--no-progress", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=clean_env(),
        )
        if check and out.returncode != 0:
            raise AssertionError(f"s3cmd {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out

    return s3cmd


def test_s3cmd_round_trip(server, tmp_path):
    s3cmd = s3cmd_runner(server, tmp_path)
    s3cmd("mb", "s3://s3cmd-bucket")
    assert "s3://s3cmd-bucket" in s3cmd("ls").stdout

    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from s3cmd\n")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * MIB + 17))
    s3cmd("put", str(small), "s3://s3cmd-bucket/docs/small.txt")
    s3cmd("put", str(big), "s3://s3cmd-bucket/docs/big.bin", "--multipart-chunk-size-mb=5")
    s3cmd("put", str(small), "s3://s3cmd-bucket/other/x.txt")
    head = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=ROOT_KEY,
        aws_secret_access_key=ROOT_SECRET,
        region_name="us-east-1",
    ).head_object(Bucket="s3cmd-bucket", Key="docs/big.bin")
    assert head["ContentLength"] == big.stat().st_size
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]

    listing = s3cmd("ls", "s3://s3cmd-bucket/docs/").stdout
    keys = [line.split()[-1] for line in listing.splitlines()]
    assert keys == ["s3://s3cmd-bucket/docs/big.bin", "s3://s3cmd-bucket/docs/small.txt"], listing
    assert str(big.stat().st_size) in listing
    top = s3cmd("ls", "s3://s3cmd-bucket/").stdout
    assert "DIR  s3://s3cmd-bucket/docs/" in top and "DIR  s3://s3cmd-bucket/other/" in top

    back = tmp_path / "back.bin"
    s3cmd("get", "s3://s3cmd-bucket/docs/big.bin", str(back))
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()
    # s3cmd records the whole file's md5 in metadata and checks it on get; info shows it.
    info = s3cmd("info", "s3://s3cmd-bucket/docs/big.bin").stdout
    assert hashlib.md5(big.read_bytes()).hexdigest() in info

    # signurl writes a SigV2 query-string URL.
    url = s3cmd("signurl", "s3://s3cmd-bucket/docs/small.txt", "+300").stdout.strip()
    with urllib.request.urlopen(url) as resp:
        assert resp.read() == small.read_bytes()
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(url.replace("small.txt", "big.bin"))
    assert denied.value.code == 403

    s3cmd("del", "s3://s3cmd-bucket/other/x.txt")
    s3cmd("del", "--recursive", "--force", "s3://s3cmd-bucket/docs/")
    assert s3cmd("ls", "--recursive", "s3://s3cmd-bucket").stdout.strip() == ""
    s3cmd("rb", "s3://s3cmd-bucket")
    assert "s3://s3cmd-bucket" not in s3cmd("ls").stdout
