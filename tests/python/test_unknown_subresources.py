"""Operations newer than s3s's model answer 501 NotImplemented and change nothing (s3s alone
would read `?renameObject` or an object's `?encryption` as a PutObject)."""

import boto3
import botocore
import pytest

from conftest import ROOT_KEY, ROOT_SECRET


def test_unknown_subresources_are_not_implemented_and_change_nothing(server):
    s3 = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=ROOT_KEY,
        aws_secret_access_key=ROOT_SECRET,
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket="newer-ops")
    s3.put_object(Bucket="newer-ops", Key="k", Body=b"original")
    calls = [
        lambda: s3.rename_object(Bucket="newer-ops", Key="k2", RenameSource="newer-ops/k"),
        lambda: s3.update_object_encryption(
            Bucket="newer-ops",
            Key="k",
            ObjectEncryption={"SSEKMS": {"KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/x"}},
        ),
        lambda: s3.get_bucket_abac(Bucket="newer-ops"),
        lambda: s3.get_bucket_metadata_configuration(Bucket="newer-ops"),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "NotImplemented"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert s3.get_object(Bucket="newer-ops", Key="k")["Body"].read() == b"original"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="newer-ops")["Contents"]] == ["k"]
    # The bucket's own ?encryption is BucketEncryption, which works.
    rules = s3.get_bucket_encryption(Bucket="newer-ops")["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
