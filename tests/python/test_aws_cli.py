"""The aws CLI, verbatim, against Cairn: s3 cp/ls/sync/rm/presign and s3api."""

import hashlib
import json
import os
import subprocess
import urllib.request

import pytest


def aws(server, *args, check=True):
    out = subprocess.run(["aws", *args], env=server.env(), capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
    return out


def test_cli_copies_a_20_mib_file_as_multipart_and_back(server, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(20 * 1024 * 1024))
    aws(server, "s3", "mb", "s3://cli-bucket")
    aws(server, "s3", "cp", str(src), "s3://cli-bucket/backups/big.bin", "--only-show-errors")
    head = json.loads(aws(server, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "backups/big.bin").stdout)
    assert head["ContentLength"] == 20 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-3"), "the CLI uploads 20 MiB in 8 MiB parts"
    back = tmp_path / "back.bin"
    aws(server, "s3", "cp", "s3://cli-bucket/backups/big.bin", str(back), "--only-show-errors")
    assert hashlib.md5(back.read_bytes()).digest() == hashlib.md5(src.read_bytes()).digest()
    listing = aws(server, "s3", "ls", "s3://cli-bucket/backups/").stdout
    assert "big.bin" in listing and "20971520" in listing


def test_cli_sync_ls_rm_and_rb(server, tmp_path):
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<h1>hi</h1>")
    (site / "css" / "main.css").write_text("body{}")
    aws(server, "s3", "mb", "s3://site-bucket")
    aws(server, "s3", "sync", str(site), "s3://site-bucket", "--only-show-errors")
    listing = aws(server, "s3", "ls", "s3://site-bucket", "--recursive").stdout
    assert "index.html" in listing and "css/main.css" in listing
    top = aws(server, "s3", "ls", "s3://site-bucket").stdout
    assert "PRE css/" in top
    # A second sync uploads nothing new.
    again = aws(server, "s3", "sync", str(site), "s3://site-bucket").stdout
    assert "upload:" not in again
    failed = aws(server, "s3", "rb", "s3://site-bucket", check=False)
    assert failed.returncode != 0 and "BucketNotEmpty" in failed.stderr
    aws(server, "s3", "rm", "s3://site-bucket", "--recursive", "--only-show-errors")
    aws(server, "s3", "rb", "s3://site-bucket")
    assert "site-bucket" not in aws(server, "s3", "ls").stdout


def test_s3api_put_get_tagging_and_location(server, tmp_path):
    aws(server, "s3api", "create-bucket", "--bucket", "api-bucket",
        "--create-bucket-configuration", "LocationConstraint=eu-north-1")
    loc = json.loads(aws(server, "s3api", "get-bucket-location", "--bucket", "api-bucket").stdout)
    assert loc["LocationConstraint"] == "eu-north-1"
    body = tmp_path / "b.txt"
    body.write_text("hello cli")
    aws(server, "s3api", "put-object", "--bucket", "api-bucket", "--key", "k.txt", "--body", str(body),
        "--content-type", "text/plain", "--metadata", "team=web", "--tagging", "env=prod")
    out = tmp_path / "out.txt"
    got = json.loads(aws(server, "s3api", "get-object", "--bucket", "api-bucket", "--key", "k.txt", str(out)).stdout)
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"team": "web"}
    assert out.read_text() == "hello cli"
    tags = json.loads(aws(server, "s3api", "get-object-tagging", "--bucket", "api-bucket", "--key", "k.txt").stdout)
    assert tags["TagSet"] == [{"Key": "env", "Value": "prod"}]
    missing = aws(server, "s3api", "get-object", "--bucket", "api-bucket", "--key", "nope", str(out), check=False)
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr


def test_cli_presign_gives_a_working_time_limited_url(server):
    aws(server, "s3", "mb", "s3://presign-bucket")
    subprocess.run(["aws", "s3", "cp", "-", "s3://presign-bucket/doc.txt"], input="shared", text=True,
                   env=server.env(), check=True)
    url = aws(server, "s3", "presign", "s3://presign-bucket/doc.txt", "--expires-in", "300").stdout.strip()
    with urllib.request.urlopen(url) as resp:
        assert resp.read() == b"shared"
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(url.replace("doc.txt", "other.txt"))
    assert denied.value.code == 403
