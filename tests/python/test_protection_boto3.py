"""The bucket-protection rules through boto3 (the aws-sdk-s3 e2e tests cover each in depth):
versioning, Object Lock, encryption at rest, ownership/ACLs, Block Public Access, logging, CORS."""

import datetime
import os

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import ROOT_KEY, ROOT_SECRET


def s3(server):
    return boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=ROOT_KEY,
                        aws_secret_access_key=ROOT_SECRET, region_name="us-east-1")


def code(err):
    return err.value.response["Error"]["Code"]


def test_versions_and_delete_markers(server):
    c = s3(server)
    c.create_bucket(Bucket="b3-versions")
    c.put_bucket_versioning(Bucket="b3-versions", VersioningConfiguration={"Status": "Enabled"})
    v1 = c.put_object(Bucket="b3-versions", Key="k", Body=b"one")["VersionId"]
    c.put_object(Bucket="b3-versions", Key="k", Body=b"two")
    marker = c.delete_object(Bucket="b3-versions", Key="k")
    assert marker["DeleteMarker"] is True
    with pytest.raises(ClientError) as err:
        c.get_object(Bucket="b3-versions", Key="k")
    assert code(err) == "NoSuchKey"
    assert c.get_object(Bucket="b3-versions", Key="k", VersionId=v1)["Body"].read() == b"one"
    listed = c.list_object_versions(Bucket="b3-versions")
    assert len(listed["Versions"]) == 2 and len(listed["DeleteMarkers"]) == 1
    # The cleanup loop test suites run: every entry carries a VersionId.
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in listed["Versions"] + listed["DeleteMarkers"]]
    c.delete_objects(Bucket="b3-versions", Delete={"Objects": objects})
    c.delete_bucket(Bucket="b3-versions")


def test_object_lock_governance_and_bypass(server):
    c = s3(server)
    c.create_bucket(Bucket="b3-lock", ObjectLockEnabledForBucket=True)
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    v = c.put_object(Bucket="b3-lock", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                     ObjectLockRetainUntilDate=until)["VersionId"]
    assert c.get_object_retention(Bucket="b3-lock", Key="k", VersionId=v)["Retention"]["Mode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as err:
        c.delete_object(Bucket="b3-lock", Key="k", VersionId=v)
    assert code(err) == "AccessDenied"
    c.delete_object(Bucket="b3-lock", Key="k", VersionId=v, BypassGovernanceRetention=True)


def test_encryption_at_rest_and_customer_keys(server):
    c = s3(server)
    c.create_bucket(Bucket="b3-crypt")
    enc = c.get_bucket_encryption(Bucket="b3-crypt")["ServerSideEncryptionConfiguration"]
    assert enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert c.put_object(Bucket="b3-crypt", Key="k", Body=b"secret")["ServerSideEncryption"] == "AES256"
    got = c.get_object(Bucket="b3-crypt", Key="k")
    assert got["ServerSideEncryption"] == "AES256" and got["Body"].read() == b"secret"
    key = os.urandom(32)
    c.put_object(Bucket="b3-crypt", Key="c", Body=b"mine", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert c.get_object(Bucket="b3-crypt", Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["Body"].read() == b"mine"
    with pytest.raises(ClientError):
        c.get_object(Bucket="b3-crypt", Key="c")
    # SSE-KMS with the account's AWS-managed key; an undeclared key is KMS.NotFoundException.
    put = c.put_object(Bucket="b3-crypt", Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["ServerSideEncryption"] == "aws:kms" and ":key/" in put["SSEKMSKeyId"]
    assert c.get_object(Bucket="b3-crypt", Key="kms")["Body"].read() == b"x"
    with pytest.raises(ClientError) as err:
        c.put_object(Bucket="b3-crypt", Key="kms2", Body=b"x", ServerSideEncryption="aws:kms",
                     SSEKMSKeyId="no-such-key")
    assert code(err) == "KMS.NotFoundException"


def test_ownership_bpa_logging_and_cors(server):
    c = s3(server)
    c.create_bucket(Bucket="b3-site")
    c.create_bucket(Bucket="b3-logs")
    assert c.get_public_access_block(Bucket="b3-site")["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    own = c.get_bucket_ownership_controls(Bucket="b3-site")["OwnershipControls"]["Rules"][0]
    assert own["ObjectOwnership"] == "BucketOwnerEnforced"
    with pytest.raises(ClientError) as err:
        c.put_object(Bucket="b3-site", Key="k", Body=b"x", ACL="public-read")
    assert code(err) == "AccessControlListNotSupported"
    public = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b3-site/*"}]}'
    with pytest.raises(ClientError) as err:
        c.put_bucket_policy(Bucket="b3-site", Policy=public)
    assert code(err) == "AccessDenied"
    c.put_bucket_logging(Bucket="b3-site", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "b3-logs", "TargetPrefix": "site/"}})
    assert c.get_bucket_logging(Bucket="b3-site")["LoggingEnabled"]["TargetBucket"] == "b3-logs"
    c.put_bucket_cors(Bucket="b3-site", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://example.com"], "AllowedMethods": ["GET"]}]})
    assert c.get_bucket_cors(Bucket="b3-site")["CORSRules"][0]["AllowedMethods"] == ["GET"]
