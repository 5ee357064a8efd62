"""Hostile input: requests a careless or malicious client sends. Each gets AWS's error code and
status (never a 500, never a hang), nothing outside the data dir is touched, and what was stored
before is still there afterwards."""

import hashlib
import os
import socket
import urllib.parse

import boto3
import pytest
from botocore.config import Config

import sigv4
from conftest import ROOT_KEY, ROOT_SECRET
from test_protocol import raw

BUCKET = "hostile"
CONTENT = b"stored before the attack"


@pytest.fixture()
def stored(server):
    """A server with one bucket and one object whose bytes every test checks at the end."""
    assert raw(server, "PUT", f"/{BUCKET}")[0] == 200
    assert raw(server, "PUT", f"/{BUCKET}/keep", body=CONTENT)[0] == 200
    yield server
    assert raw(server, "GET", f"/{BUCKET}/keep") == (200, CONTENT)


def code_of(body):
    start, end = body.find(b"<Code>"), body.find(b"</Code>")
    return body[start + 6:end].decode() if start >= 0 and end > start else None


HOSTILE = [
    # (method, path, body, headers, code, status)
    ("PUT", f"/{BUCKET}/" + "k" * 1025, b"x", {}, "KeyTooLongError", 400),
    ("PUT", f"/{BUCKET}?tagging", b"<Tagging>" + b"<x>" * 100_000, {}, "MalformedXML", 400),
    ("PUT", f"/{BUCKET}?tagging", b"<?xml version='1.0'?><!DOCTYPE t [<!ENTITY e 'x'>]><Tagging>&e;</Tagging>",
     {}, "MalformedXML", 400),
    ("PUT", f"/{BUCKET}?policy", b"{" + b" " * (1 << 20) + b"}", {}, "PolicyTooLarge", 400),
    ("GET", f"/{BUCKET}/keep", b"", {"range": "bytes=100-200"}, "InvalidRange", 416),
    ("GET", f"/{BUCKET}?list-type=2&max-keys=1&max-keys=2", b"", {}, "InvalidRequest", 400),
    ("GET", f"/{BUCKET}?list-type=2&max-keys=99999999999999999999", b"", {}, "InvalidArgument", 400),
    ("PUT", "/" + "b" * 64, b"", {}, "InvalidBucketName", 400),
    ("PUT", "/xn--bucket", b"", {}, "InvalidBucketName", 400),
    ("PUT", "/bucket..name", b"", {}, "InvalidBucketName", 400),
    ("PUT", "/192.168.5.4", b"", {}, "InvalidBucketName", 400),
    ("POST", f"/{BUCKET}?delete", b"<Delete>" + b"<Object><Key>k</Key></Object>" * 1001 + b"</Delete>",
     {"content-md5": None}, "MalformedXML", 400),
]


@pytest.mark.parametrize("method,path,body,headers,code,status", HOSTILE,
                         ids=[f"{h[4]}:{h[0]}:{h[1][:40]}" for h in HOSTILE])
def test_hostile_requests_get_aws_errors(stored, method, path, body, headers, code, status):
    headers = dict(headers)
    if "content-md5" in headers:
        import base64
        headers["content-md5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    got_status, got = raw(stored, method, path, body=body, headers=headers)
    assert (got_status, code_of(got)) == (status, code), got[:500]


@pytest.mark.parametrize("key", ["../../../../etc/cairn-escape", "a/../../b", "..", ".", "a//b", "nul\0key",
                                 "dot/./slash", "back\\slash\\..\\..\\x"])
def test_keys_are_names_not_paths(stored, key):
    """S3 keys are opaque names: `..`, `.`, NUL and backslashes are stored literally and never
    reach a path outside the data dir."""
    status, body = raw_key(stored, "PUT", key, b"literal")
    if key == "nul\0key" and status == 400:
        # Refusing a control character is acceptable; it must be AWS's shape, not a crash.
        assert code_of(body) is not None, body
        return
    assert status == 200, body
    assert raw_key(stored, "GET", key) == (200, b"literal")
    listed = raw(stored, "GET", f"/{BUCKET}?list-type=2&prefix=" + urllib.parse.quote(key, safe=""))[1]
    from xml.sax.saxutils import escape
    assert f"<Key>{escape(key)}</Key>".encode() in listed or key == "nul\0key", listed
    assert not os.path.exists("/etc/cairn-escape")
    assert raw_key(stored, "DELETE", key)[0] == 204


def raw_key(server, method, key, body=b""):
    """A signed request for `BUCKET/key`: signed over the key's canonical (once-encoded) form,
    sent with every byte but `/` percent-encoded."""
    import urllib.error
    import urllib.request

    signed = sigv4.sign(method, f"{server.endpoint}/{BUCKET}/{key}", {}, hashlib.sha256(body).hexdigest(),
                        ROOT_KEY, ROOT_SECRET)
    url = f"{server.endpoint}/{BUCKET}/" + urllib.parse.quote(key, safe="/")
    req = urllib.request.Request(url, data=body if method == "PUT" else None, method=method, headers=signed.headers)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_invalid_utf8_key_is_refused_cleanly(stored):
    status, body = raw(stored, "PUT", f"/{BUCKET}/bad%FF%FEkey", body=b"x")
    assert status == 400, body
    assert code_of(body) in ("InvalidURI", "InvalidArgument"), body


def test_unknown_iam_action(stored):
    status, body = raw_query(stored, "Action=Frobnicate&Version=2010-05-08", "iam")
    assert (status, code_of(body)) == (400, "InvalidAction"), body


def test_one_megabyte_user_policy_is_refused(stored):
    iam = boto3.client("iam", endpoint_url=stored.endpoint, aws_access_key_id=ROOT_KEY,
                       aws_secret_access_key=ROOT_SECRET, region_name="us-east-1")
    iam.create_user(UserName="big")
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::' \
        + "a" * (1 << 20) + '"}]}'
    with pytest.raises(iam.exceptions.ClientError) as err:
        iam.put_user_policy(UserName="big", PolicyName="p", PolicyDocument=doc)
    # The Query body itself exceeds what IAM reads.
    assert err.value.response["Error"]["Code"] == "RequestEntityTooLarge"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    # Under the body limit, the policy exceeds the user's inline-policy quota.
    with pytest.raises(iam.exceptions.ClientError) as err:
        iam.put_user_policy(UserName="big", PolicyName="p", PolicyDocument=doc[: 200_000] + '"}]}')
    assert err.value.response["Error"]["Code"] in ("LimitExceeded", "ValidationError")
    assert iam.list_user_policies(UserName="big")["PolicyNames"] == []


def test_one_megabyte_jwt_is_refused(stored):
    from botocore import UNSIGNED
    sts = boto3.client("sts", endpoint_url=stored.endpoint, region_name="us-east-1",
                       config=Config(signature_version=UNSIGNED))
    for size, expected in ((1 << 20, ("RequestEntityTooLarge", 413)), (100_000, ("ValidationError", 400))):
        token = "eyJhbGciOiJSUzI1NiJ9." + "A" * size + ".sig"
        with pytest.raises(sts.exceptions.ClientError) as err:
            sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="sess",
                                              WebIdentityToken=token)
        got = (err.value.response["Error"]["Code"], err.value.response["ResponseMetadata"]["HTTPStatusCode"])
        assert got == expected


def raw_query(server, form, service):
    """A SigV4-signed Query-protocol POST (IAM/STS)."""
    import urllib.error
    import urllib.request

    url = server.endpoint + "/"
    body = form.encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    signed = sign_service("POST", url, headers, body, service)
    req = urllib.request.Request(url, data=body, method="POST", headers=signed)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sign_service(method, url, headers, body, service):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), service, "us-east-1").add_auth(req)
    return dict(req.headers)


# --- the wire: requests no SDK would send ---

def send_raw(server, data, read_timeout=10):
    host, port = urllib.parse.urlsplit(server.endpoint).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (or hung up) before reading everything: what did it say?
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def signed_head(server, method, path, body_hash, extra):
    url = server.endpoint + path
    signed = sigv4.sign(method, url, extra, body_hash, ROOT_KEY, ROOT_SECRET)
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in signed.headers.items()]
    return ("\r\n".join(lines) + "\r\n").encode()


def status_of(response):
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None


def test_negative_content_length(stored):
    head = signed_head(stored, "PUT", f"/{BUCKET}/neg", "UNSIGNED-PAYLOAD", {})
    got = send_raw(stored, head + b"content-length: -5\r\nconnection: close\r\n\r\nabcde")
    assert status_of(got) == 400, got[:300]
    assert raw(stored, "GET", f"/{BUCKET}/neg")[0] == 404


def test_body_shorter_than_content_length_stores_nothing(stored):
    body_hash = hashlib.sha256(b"x" * 1000).hexdigest()
    head = signed_head(stored, "PUT", f"/{BUCKET}/short", body_hash, {"content-length": "1000"})
    host, port = urllib.parse.urlsplit(stored.endpoint).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head + b"\r\n" + b"x" * 400)
        s.shutdown(socket.SHUT_WR)
        try:
            s.recv(65536)
        except OSError:
            pass
    assert raw(stored, "GET", f"/{BUCKET}/short")[0] == 404
    listed = raw(stored, "GET", f"/{BUCKET}?list-type=2")[1]
    assert b"<Key>short</Key>" not in listed


def test_body_longer_than_content_length_is_not_a_second_request(stored):
    """Bytes after the declared body are parsed as the next request on the connection, which must
    itself be authenticated: a smuggled unsigned DELETE is refused."""
    head = signed_head(stored, "PUT", f"/{BUCKET}/long", hashlib.sha256(b"abc").hexdigest(), {"content-length": "3"})
    smuggled = f"DELETE /{BUCKET}/keep HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode()
    got = send_raw(stored, head + b"\r\nabc" + smuggled)
    assert got.count(b"HTTP/1.1 ") == 2, got[:500]
    assert b"HTTP/1.1 200" in got and (b"HTTP/1.1 403" in got or b"HTTP/1.1 400" in got), got[:800]


def test_header_flood_is_refused(stored):
    flood = b"".join(b"x-flood-%d: %s\r\n" % (i, b"v" * 50) for i in range(5000))
    got = send_raw(stored, f"GET /{BUCKET}/keep HTTP/1.1\r\nhost: x\r\n".encode() + flood + b"\r\n")
    assert status_of(got) in (400, 431) or got == b"", got[:300]


def test_huge_header_value_is_refused(stored):
    got = send_raw(stored, f"GET /{BUCKET}/keep HTTP/1.1\r\nhost: x\r\nx-big: ".encode() + b"v" * (2 << 20) + b"\r\n\r\n")
    assert status_of(got) in (400, 431) or got == b"", got[:300]


def test_garbage_request_line(stored):
    got = send_raw(stored, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200) + b"\r\n\r\n")
    assert status_of(got) in (400, None), got[:300]


def test_unsigned_request_to_a_private_object_is_denied(stored):
    got = send_raw(stored, f"GET /{BUCKET}/keep HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
    assert status_of(got) == 403 and b"<Code>AccessDenied</Code>" in got, got[:300]


def test_chunked_body_with_bad_chunk_size(stored):
    head = signed_head(stored, "PUT", f"/{BUCKET}/chunky", "UNSIGNED-PAYLOAD", {})
    got = send_raw(stored, head + b"transfer-encoding: chunked\r\nconnection: close\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n")
    # Like S3, Cairn wants a Content-Length on PUT: 411 MissingContentLength before any body is read.
    assert status_of(got) == 411 and b"<Code>MissingContentLength</Code>" in got, got[:300]
    assert raw(stored, "GET", f"/{BUCKET}/chunky")[0] == 404


def form(parts, boundary="hostileXyZ"):
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("shape", ["huge-fields", "no-file", "cut-short", "tiny-pieces"])
def test_form_uploads_read_ahead_answer_and_store_nothing(stored, shape):
    """The router reads a POST form's fields before s3s does: oversized, fileless, truncated or
    trickled forms each get an error (an anonymous upload to a private bucket at best), never a
    hang or a 500."""
    key = f"form-{shape}"
    parts = [("key", None, key.encode()), ("file", "f.txt", b"data")]
    if shape == "huge-fields":
        parts = [("x-ignore-pad", None, b"p" * (600 << 10))] * 3 + parts
    if shape == "no-file":
        parts = parts[:1]
    body = form(parts)
    if shape == "cut-short":
        body = body[:20]
    head = (f"POST /{BUCKET} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n"
            f"content-type: multipart/form-data; boundary=hostileXyZ\r\n"
            f"content-length: {len(form(parts))}\r\n\r\n").encode()
    host, port = urllib.parse.urlsplit(stored.endpoint).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(head)
        try:
            if shape == "tiny-pieces":
                for i in range(0, len(body), 7):
                    s.sendall(body[i:i + 7])
            else:
                s.sendall(body)
            if shape == "cut-short":
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except (socket.timeout, ConnectionResetError):
            pass
    if shape != "cut-short":
        assert status_of(got) in (400, 403), got[:300]
    assert status_of(got) != 500 and b"HTTP/1.1 5" not in got, got[:300]
    assert raw(stored, "GET", f"/{BUCKET}/{key}")[0] == 404
