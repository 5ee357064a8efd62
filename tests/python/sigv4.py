"""A minimal SigV4 signer for requests the SDKs do not send on their own (signed aws-chunked
bodies, hand-made trailers). Follows the AWS Signature Version 4 documentation."""

import datetime
import hashlib
import hmac
import urllib.parse

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret, date, region="us-east-1", service="s3"):
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


class Signed:
    """Headers for one request plus what chunk signatures need."""

    def __init__(self, headers, seed_signature, amz_date, scope, key):
        self.headers = headers
        self.seed_signature = seed_signature
        self.amz_date = amz_date
        self.scope = scope
        self.key = key


def sign(method, url, headers, payload_hash, access_key, secret, now=None, region="us-east-1"):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers)
    headers["host"] = parts.netloc
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload_hash
    names = sorted(h.lower() for h in headers)
    canonical_headers = "".join(f"{n}:{str(headers[n]).strip()}\n" for n in names)
    signed_headers = ";".join(names)
    pairs = [p if "=" in p else p + "=" for p in parts.query.split("&")] if parts.query else []
    query = "&".join(sorted(pairs))
    path = urllib.parse.quote(parts.path, safe="/~")
    canonical = "\n".join([method, path, query, canonical_headers, signed_headers, payload_hash])
    scope = f"{date}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = signing_key(secret, date, region)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
    return Signed(headers, signature, amz_date, scope, key)


def chunk_signature(signed, previous, data):
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256-PAYLOAD", signed.amz_date, signed.scope, previous, EMPTY_SHA256,
         hashlib.sha256(data).hexdigest()]
    )
    return hmac.new(signed.key, to_sign.encode(), hashlib.sha256).hexdigest()


def signed_chunked_body(signed, chunks, tamper=False):
    """The aws-chunked body of STREAMING-AWS4-HMAC-SHA256-PAYLOAD, each chunk signed."""
    out = b""
    previous = signed.seed_signature
    for data in list(chunks) + [b""]:
        sig = chunk_signature(signed, previous, data)
        if tamper and data:
            sig = "0" * 64
        out += f"{len(data):x};chunk-signature={sig}\r\n".encode() + data + b"\r\n"
        previous = sig
    return out


def chunked_encoded_length(chunk_sizes):
    """Content-Length of a signed aws-chunked body with chunks of these sizes."""
    total = 0
    for size in list(chunk_sizes) + [0]:
        total += len(f"{size:x};chunk-signature=") + 64 + 2 + size + 2
    return total
