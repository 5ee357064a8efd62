"""boto3 as a new user would use it against Cairn, plus the signing variants older and lower-level
clients send: SigV2 (header and presigned), signed aws-chunked, and unsigned trailers."""

import base64
import time
import urllib.error
import urllib.request
import zlib

import boto3
import pytest
from botocore.config import Config

import sigv4
from conftest import ROOT_KEY, ROOT_SECRET


def client(server, **config):
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=ROOT_KEY,
        aws_secret_access_key=ROOT_SECRET,
        region_name="us-east-1",
        config=Config(**config) if config else None,
    )


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_boto3_scenario_put_list_get_delete(server):
    s3 = client(server)
    s3.create_bucket(Bucket="boto-bucket")
    for i in range(25):
        s3.put_object(Bucket="boto-bucket", Key=f"logs/{i:03d}.txt", Body=f"line {i}".encode())
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="boto-bucket", Prefix="logs/", PaginationConfig={"PageSize": 10})
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    assert keys == [f"logs/{i:03d}.txt" for i in range(25)]
    assert s3.get_object(Bucket="boto-bucket", Key="logs/007.txt")["Body"].read() == b"line 7"
    s3.delete_object(Bucket="boto-bucket", Key="logs/007.txt")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="boto-bucket", Key="logs/007.txt")


def test_default_presigned_url_works_and_expires(server):
    s3 = client(server)
    s3.create_bucket(Bucket="presign-bucket")
    s3.put_object(Bucket="presign-bucket", Key="a.txt", Body=b"abc")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "a.txt"}, ExpiresIn=2)
    assert http("GET", url) == (200, b"abc")
    time.sleep(3.2)
    status, body = http("GET", url)
    assert status == 403 and b"expired" in body


def test_sigv2_presigned_urls_and_header_auth(server):
    v2 = client(server, signature_version="s3")
    v2.create_bucket(Bucket="v2-bucket")
    v2.put_object(Bucket="v2-bucket", Key="v2.txt", Body=b"signed with v2")
    assert v2.get_object(Bucket="v2-bucket", Key="v2.txt")["Body"].read() == b"signed with v2"
    url = v2.generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "v2.txt"}, ExpiresIn=2)
    assert "AWSAccessKeyId=" in url and "Signature=" in url and "Expires=" in url
    assert http("GET", url) == (200, b"signed with v2")
    status, _ = http("GET", url.replace("v2.txt", "other.txt"))
    assert status == 403
    time.sleep(3.2)
    status, body = http("GET", url)
    assert status == 403 and b"AccessDenied" in body
    bad = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=ROOT_KEY,
                       aws_secret_access_key="wrong", region_name="us-east-1",
                       config=Config(signature_version="s3"))
    with pytest.raises(bad.exceptions.ClientError) as err:
        bad.list_buckets()
    assert err.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_signed_aws_chunked_upload_is_verified_chunk_by_chunk(server):
    s3 = client(server)
    s3.create_bucket(Bucket="chunked-bucket")
    chunks = [b"a" * 65536, b"b" * 65536, b"c" * 100]
    url = f"{server.endpoint}/chunked-bucket/signed.bin"

    def put(tamper):
        headers = {
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(sum(map(len, chunks))),
            "content-length": str(sigv4.chunked_encoded_length(map(len, chunks))),
        }
        signed = sigv4.sign("PUT", url, headers, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ROOT_KEY, ROOT_SECRET)
        return http("PUT", url, sigv4.signed_chunked_body(signed, chunks, tamper), signed.headers)

    status, body = put(tamper=True)
    assert status == 403 and b"SignatureDoesNotMatch" in body
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket="chunked-bucket", Key="signed.bin")
    status, _ = put(tamper=False)
    assert status == 200
    assert s3.get_object(Bucket="chunked-bucket", Key="signed.bin")["Body"].read() == b"".join(chunks)


def test_unsigned_payload_trailer_checksum_is_verified(server):
    s3 = client(server)
    s3.create_bucket(Bucket="trailer-bucket")
    data = b"trailing checksum body"
    url = f"{server.endpoint}/trailer-bucket/t.bin"

    def put(crc):
        trailer = f"x-amz-checksum-crc32:{crc}\r\n\r\n".encode()
        body = f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n" + trailer
        headers = {
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(data)),
            "x-amz-trailer": "x-amz-checksum-crc32",
            "content-length": str(len(body)),
        }
        signed = sigv4.sign("PUT", url, headers, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ROOT_KEY, ROOT_SECRET)
        return http("PUT", url, body, signed.headers)

    good = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    status, body = put(base64.b64encode(b"\0\0\0\0").decode())
    assert status == 400 and b"BadDigest" in body, body
    status, body = put(good)
    assert status == 200, body
    got = s3.get_object(Bucket="trailer-bucket", Key="t.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == good


def test_skewed_clock_is_refused(server):
    import datetime

    url = f"{server.endpoint}/"
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)
    signed = sigv4.sign("GET", url, {}, sigv4.EMPTY_SHA256, ROOT_KEY, ROOT_SECRET, now=past)
    status, body = http("GET", url, None, signed.headers)
    assert status == 403 and b"RequestTimeTooSkewed" in body


def test_browser_form_upload_with_a_signed_post_policy(server):
    import requests

    s3 = client(server)
    s3.create_bucket(Bucket="form-bucket")
    post = s3.generate_presigned_post(
        "form-bucket",
        "uploads/photo.jpg",
        Conditions=[["starts-with", "$key", "uploads/"], ["content-length-range", 1, 1000]],
        ExpiresIn=300,
    )
    ok = requests.post(post["url"], data=post["fields"], files={"file": ("photo.jpg", b"jpeg bytes")})
    assert ok.status_code == 204, ok.text
    assert s3.get_object(Bucket="form-bucket", Key="uploads/photo.jpg")["Body"].read() == b"jpeg bytes"
    too_big = requests.post(post["url"], data=post["fields"], files={"file": ("big.bin", b"x" * 2000)})
    assert too_big.status_code == 400 and "EntityTooLarge" in too_big.text, too_big.text
    fields = dict(post["fields"], key="elsewhere/photo.jpg")
    outside = requests.post(post["url"], data=fields, files={"file": ("photo.jpg", b"jpeg")})
    assert outside.status_code == 403, outside.text
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket="form-bucket", Key="elsewhere/photo.jpg")


def test_browser_form_fields_filename_redirect_tagging_and_acl(server):
    """The form fields s3s leaves to Cairn: `${filename}` in the key (substituted before the policy
    is checked), the ETag in the redirect, `tagging` and `acl`; a policy without a signature."""
    import urllib.parse

    import requests

    s3 = client(server)
    s3.create_bucket(Bucket="form-fields", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="form-fields")
    post = s3.generate_presigned_post(
        "form-fields",
        "in/${filename}",
        Fields={"acl": "public-read", "tagging": "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"},
        Conditions=[
            ["starts-with", "$key", "in/"],
            {"acl": "public-read"},
            ["starts-with", "$tagging", ""],
            ["starts-with", "$success_action_redirect", ""],
        ],
        ExpiresIn=300,
    )
    fields = dict(post["fields"], success_action_redirect="http://example.invalid/done")
    got = requests.post(post["url"], data=fields, files={"file": ("cat.txt", b"meow")}, allow_redirects=False)
    assert got.status_code == 303, got.text
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(got.headers["Location"]).query)
    head = s3.head_object(Bucket="form-fields", Key="in/cat.txt")
    assert query["key"] == ["in/cat.txt"]
    assert query["etag"] == [head["ETag"]] and head["ETag"].startswith('"')
    tags = s3.get_object_tagging(Bucket="form-fields", Key="in/cat.txt")["TagSet"]
    assert tags == [{"Key": "k", "Value": "v"}]
    grants = s3.get_object_acl(Bucket="form-fields", Key="in/cat.txt")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)
    # A file name that leaves the policy's prefix is still refused (it is checked substituted).
    post = s3.generate_presigned_post(
        "form-fields", "${filename}", Conditions=[["starts-with", "$key", "in/"]], ExpiresIn=300
    )
    outside = requests.post(post["url"], data=post["fields"], files={"file": ("cat.txt", b"meow")})
    assert outside.status_code == 403, outside.text
    # A policy without its signature is malformed, not an anonymous upload.
    unsigned = {k: v for k, v in post["fields"].items() if k not in ("x-amz-signature", "signature")}
    refused = requests.post(post["url"], data=unsigned, files={"file": ("cat.txt", b"meow")})
    assert refused.status_code == 400 and "InvalidArgument" in refused.text, refused.text
