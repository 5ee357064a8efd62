"""Signing headers botocore sends when a caller sets them itself: a SigV2 signing time in
`x-amz-date` (checked for validity and skew, as AWS does), a SigV4 request signed with `Date`
instead of `x-amz-date`, and an empty `Content-MD5`."""

import email.utils

import boto3
import pytest
from botocore.config import Config

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


def with_headers(c, operation, headers):
    c.meta.events.register(
        f"before-call.s3.{operation}", lambda **kw: kw["params"]["headers"].update(headers)
    )
    return c


def error(fn, **kwargs):
    with pytest.raises(Exception) as err:
        fn(**kwargs)
    r = err.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


@pytest.mark.parametrize(
    "amz_date, expected",
    [
        ("Bad Date", "AccessDenied"),
        ("", "AccessDenied"),
        ("Tue, 07 Jul 1950 21:53:04 GMT", "AccessDenied"),
        ("Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"),
        ("Tue, 07 Jul 9999 21:53:04 GMT", "RequestTimeTooSkewed"),
    ],
)
def test_sigv2_signing_time_must_be_valid_and_current(server, amz_date, expected):
    client(server).create_bucket(Bucket="v2-dates")
    v2 = with_headers(client(server, signature_version="s3"), "PutObject", {"x-amz-date": amz_date})
    assert error(v2.put_object, Bucket="v2-dates", Key="k", Body=b"x") == (403, expected)
    # Nothing was written.
    with pytest.raises(Exception):
        client(server).head_object(Bucket="v2-dates", Key="k")


def test_sigv2_with_a_current_date_is_accepted(server):
    # botocore signs `Date` (now); the date check lets it through to the signature check.
    client(server).create_bucket(Bucket="v2-now")
    v2 = client(server, signature_version="s3")
    v2.put_object(Bucket="v2-now", Key="k", Body=b"fresh")
    assert client(server).get_object(Bucket="v2-now", Key="k")["Body"].read() == b"fresh"
    # A current x-amz-date passes the date check too; botocore then also signs `Date`, which
    # the SigV2 spec says to leave empty when x-amz-date is sent, so the signature fails.
    now = email.utils.formatdate(usegmt=True)
    with_headers(v2, "PutObject", {"x-amz-date": now})
    assert error(v2.put_object, Bucket="v2-now", Key="k", Body=b"x") == (403, "SignatureDoesNotMatch")


def test_sigv4_signed_with_date_instead_of_amz_date(server):
    client(server).create_bucket(Bucket="v4-date")
    now = email.utils.formatdate(usegmt=True)
    # botocore then signs `Date` and sends no `x-amz-date`.
    v4 = with_headers(client(server), "PutObject", {"Date": now, "X-Amz-Date": now})
    v4.put_object(Bucket="v4-date", Key="k", Body=b"dated")
    assert client(server).get_object(Bucket="v4-date", Key="k")["Body"].read() == b"dated"
    # Another account's key is still refused: the signature is checked as before.
    wrong = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=ROOT_KEY,
                         aws_secret_access_key="wrong", region_name="us-east-1")
    with_headers(wrong, "PutObject", {"Date": now})
    assert error(wrong.put_object, Bucket="v4-date", Key="k2", Body=b"x") == (403, "SignatureDoesNotMatch")


def test_empty_content_md5_is_invalid_digest(server):
    client(server).create_bucket(Bucket="md5-empty")
    c = with_headers(client(server), "PutObject", {"Content-MD5": ""})
    assert error(c.put_object, Bucket="md5-empty", Key="k", Body=b"bar") == (400, "InvalidDigest")
