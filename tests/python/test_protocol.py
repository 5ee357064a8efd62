"""Protocol edges: addressing styles, credential scopes, payload hashes, and a table of malformed
requests, each expecting AWS's error code and HTTP status (never a 500)."""

import hashlib
import socket

import boto3
import pytest
from botocore.config import Config

import sigv4
from conftest import ROOT_KEY, ROOT_SECRET, Server


def raw(server, method, path, body=b"", headers=None, region="us-east-1", payload_hash=None):
    import urllib.error
    import urllib.request

    url = server.endpoint + path
    payload_hash = payload_hash or hashlib.sha256(body).hexdigest()
    signed = sigv4.sign(method, url, headers or {}, payload_hash, ROOT_KEY, ROOT_SECRET, region=region)
    req = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None, method=method,
                                 headers=signed.headers)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture()
def vhost_server(monkeypatch):
    s = Server(domain="cairn.test")
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and (host == "cairn.test" or host.endswith(".cairn.test")):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield s
    s.stop()


def test_virtual_hosted_and_path_style_address_the_same_buckets(vhost_server):
    port = vhost_server.endpoint.rsplit(":", 1)[1]
    def c(style):
        return boto3.client("s3", endpoint_url=f"http://cairn.test:{port}", aws_access_key_id=ROOT_KEY,
                            aws_secret_access_key=ROOT_SECRET, region_name="us-east-1",
                            config=Config(s3={"addressing_style": style}))
    virtual, path = c("virtual"), c("path")
    virtual.create_bucket(Bucket="vhost-bucket")
    virtual.put_object(Bucket="vhost-bucket", Key="dir/a.txt", Body=b"via vhost")
    assert path.get_object(Bucket="vhost-bucket", Key="dir/a.txt")["Body"].read() == b"via vhost"
    listed = virtual.list_objects_v2(Bucket="vhost-bucket")["Contents"]
    assert [o["Key"] for o in listed] == ["dir/a.txt"]
    assert "vhost-bucket" in [b["Name"] for b in virtual.list_buckets()["Buckets"]]


def test_empty_region_in_the_credential_scope_is_accepted(server):
    status, body = raw(server, "GET", "/", region="")
    assert status == 200, body


def test_payload_hash_mismatch_is_refused(server):
    assert raw(server, "PUT", "/hash-bucket")[0] == 200
    status, body = raw(server, "PUT", "/hash-bucket/k", body=b"actual", payload_hash=hashlib.sha256(b"other").hexdigest())
    assert status == 400 and b"XAmzContentSHA256Mismatch" in body, body
    assert raw(server, "GET", "/hash-bucket/k")[0] == 404


MALFORMED = [
    # (method, path, body, headers, expected code, expected status)
    ("PUT", "/bad-bucket?tagging", b"<Tagging><TagSet><Tag>", {}, "MalformedXML", 400),
    ("POST", "/bad-bucket?delete", b"not xml at all", {}, "MalformedXML", 400),
    ("PUT", "/bad-bucket/obj?tagging", b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>",
     {}, "MalformedXML", 400),
    ("GET", "/bad-bucket?list-type=2&max-keys=-1", b"", {}, "InvalidArgument", 400),
    ("GET", "/bad-bucket?list-type=2&encoding-type=base64", b"", {}, "InvalidArgument", 400),
    ("GET", "/bad-bucket?list-type=2&continuation-token=%21%21", b"", {}, "InvalidArgument", 400),
    ("PUT", "/bad-bucket/obj?partNumber=0&uploadId=x", b"x", {}, "InvalidArgument", 400),
    ("PUT", "/bad-bucket/copy", b"", {"x-amz-copy-source": "no-key-here"}, "InvalidArgument", 400),
    ("PUT", "/bad-bucket/md5", b"abc", {"content-md5": "not-base64!"}, "InvalidDigest", 400),
    ("PUT", "/bad-bucket/tags", b"abc", {"x-amz-tagging": "a=1&a=2"}, "InvalidTag", 400),
    ("PUT", "/bad-bucket/ck", b"abc", {"x-amz-checksum-crc32": "AAAAAA=="}, "BadDigest", 400),
    ("GET", "/bad-bucket/obj?partNumber=5", b"", {}, "InvalidPartNumber", 416),
    ("GET", "/no-such-bucket-here/obj", b"", {}, "NoSuchBucket", 404),
    ("PUT", "/Bad_Bucket", b"", {}, "InvalidBucketName", 400),
    ("DELETE", "/bad-bucket/obj?uploadId=nope", b"", {}, "NoSuchUpload", 404),
]


@pytest.mark.parametrize("method,path,body,headers,code,status", MALFORMED, ids=[m[4] + ":" + m[1] for m in MALFORMED])
def test_malformed_requests_get_aws_errors(server, method, path, body, headers, code, status):
    assert raw(server, "PUT", "/bad-bucket")[0] == 200
    assert raw(server, "PUT", "/bad-bucket/obj", body=b"content")[0] == 200
    got_status, got = raw(server, method, path, body=body, headers=headers)
    assert got_status == status, got
    assert f"<Code>{code}</Code>".encode() in got, got
    assert b"<RequestId>" in got


def test_account_level_block_public_access_via_s3control(server, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        # s3control prefixes the endpoint host with the account id.
        if isinstance(host, str) and host.endswith(".127.0.0.1"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    kw = dict(endpoint_url=server.endpoint, aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET,
              region_name="us-east-1")
    s3 = boto3.client("s3", **kw)
    control = boto3.client("s3control", **kw)
    account = boto3.client("sts", **kw).get_caller_identity()["Account"]
    s3.create_bucket(Bucket="acct-bpa")
    s3.delete_public_access_block(Bucket="acct-bpa")
    with pytest.raises(control.exceptions.ClientError):
        control.get_public_access_block(AccountId=account)
    control.put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": False,
                                        "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    got = control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    assert got["BlockPublicPolicy"] is True and got["BlockPublicAcls"] is False
    public = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acct-bpa/*"}]}'
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.put_bucket_policy(Bucket="acct-bpa", Policy=public)
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    control.delete_public_access_block(AccountId=account)
    with pytest.raises(control.exceptions.ClientError):
        control.get_public_access_block(AccountId=account)
    s3.put_bucket_policy(Bucket="acct-bpa", Policy=public)
    with pytest.raises(control.exceptions.ClientError) as err:
        control.get_public_access_block(AccountId="999999999999")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
