"""rclone (Debian's package; provider Other, path-style) against a real server, with a generated
config file: bucket, small and multipart uploads, prefix listing, download, presigned link, delete."""

import hashlib
import os
import shutil
import subprocess
import urllib.request

import boto3
import pytest

from conftest import ROOT_KEY, ROOT_SECRET

MIB = 1024 * 1024


def clean_env():
    """The environment without AWS_* variables: the config file alone configures the client
    (an AWS_CA_BUNDLE, for one, makes rclone's SDK refuse its HTTP transport)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def rclone_runner(server, tmp_path):
    assert shutil.which("rclone"), "rclone is needed: apt-get install rclone"
    config = tmp_path / "rclone.conf"
    config.write_text(
        "[cairn]\n"
        "type = s3\n"
        "provider = Other\n"
        f"access_key_id = {ROOT_KEY}\n"
        f"secret_access_key = {ROOT_SECRET}\n"
        f"endpoint = {server.endpoint}\n"
        "region = us-east-1\n"
        "force_path_style = true\n"
    )

    def rclone(*args, check=True):
        out = subprocess.run(
            ["rclone", "--config", str(config), "--retries", "1", "--low-level-retries", "1", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=clean_env(),
        )
        if check and out.returncode != 0:
            raise AssertionError(f"rclone {' '.join(args)} failed:\n{out.stderr}")
        return out

    return rclone


def s3(server):
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=ROOT_KEY,
        aws_secret_access_key=ROOT_SECRET,
        region_name="us-east-1",
    )


def test_rclone_round_trip(server, tmp_path):
    rclone = rclone_runner(server, tmp_path)
    rclone("mkdir", "cairn:rclone-bucket")
    assert "rclone-bucket" in rclone("lsd", "cairn:").stdout

    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from rclone\n")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * MIB + 17))
    rclone("copyto", str(small), "cairn:rclone-bucket/docs/small.txt")
    # Above the cutoff rclone uploads in chunks: a three-part multipart upload.
    rclone("copyto", str(big), "cairn:rclone-bucket/docs/big.bin", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M")
    rclone("copyto", str(small), "cairn:rclone-bucket/other/x.txt")
    head = s3(server).head_object(Bucket="rclone-bucket", Key="docs/big.bin")
    assert head["ContentLength"] == big.stat().st_size
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]

    # Listing a "directory" is a ListObjects with prefix docs/ and delimiter.
    assert rclone("lsf", "cairn:rclone-bucket/docs").stdout.split() == ["big.bin", "small.txt"]
    sizes = rclone("ls", "cairn:rclone-bucket/docs").stdout
    assert f"{big.stat().st_size} big.bin" in sizes
    # rclone check compares sizes and hashes (for multipart, its own md5 metadata) both ways.
    rclone("check", str(tmp_path), "cairn:rclone-bucket/docs", "--include", "{small.txt,big.bin}")

    back = tmp_path / "back"
    rclone("copy", "cairn:rclone-bucket/docs", str(back))
    assert hashlib.sha256((back / "big.bin").read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()
    assert (back / "small.txt").read_bytes() == small.read_bytes()
    assert rclone("cat", "cairn:rclone-bucket/other/x.txt").stdout == "hello from rclone\n"

    # `rclone link` on S3 is a presigned GET URL.
    url = rclone("link", "--expire", "1h", "cairn:rclone-bucket/docs/small.txt").stdout.strip()
    with urllib.request.urlopen(url) as resp:
        assert resp.read() == small.read_bytes()
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(url.replace("small.txt", "big.bin"))
    assert denied.value.code == 403

    rclone("deletefile", "cairn:rclone-bucket/other/x.txt")
    assert sorted(rclone("lsf", "-R", "cairn:rclone-bucket").stdout.split()) == ["docs/", "docs/big.bin", "docs/small.txt"]
    rclone("purge", "cairn:rclone-bucket")
    assert "rclone-bucket" not in rclone("lsd", "cairn:").stdout
