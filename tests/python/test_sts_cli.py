"""STS through the aws CLI and boto3: assume a role, use the temporary credentials, and see
them refused without their token."""

import json

import boto3
import botocore
import pytest

from conftest import ROOT_KEY, ROOT_SECRET
from test_iam_cli import aws, as_user


def test_assume_role_with_the_cli_and_use_the_session(server, tmp_path):
    root = server.env()
    account = json.loads(aws(root, "sts", "get-caller-identity").stdout)["Account"]
    aws(root, "s3", "mb", "s3://sts-cli-data")
    aws(root, "s3", "cp", "-", "s3://sts-cli-data/in.txt", input="hello")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/deployer"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}}}]}
    (tmp_path / "trust.json").write_text(json.dumps(trust))
    aws(root, "iam", "create-user", "--user-name", "deployer")
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "deployer").stdout)["AccessKey"]
    role = json.loads(aws(root, "iam", "create-role", "--role-name", "site-deploy",
                          "--assume-role-policy-document", f"file://{tmp_path / 'trust.json'}").stdout)["Role"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::sts-cli-data/*"}]}
    aws(root, "iam", "put-role-policy", "--role-name", "site-deploy", "--policy-name", "rw",
        "--policy-document", json.dumps(policy))
    env = as_user(server, key)
    refused = aws(env, "sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "deploy-1",
                  check=False)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr
    out = json.loads(aws(env, "sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "deploy-1",
                         "--external-id", "ext-1", "--duration-seconds", "900").stdout)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/site-deploy/deploy-1"
    session = server.env()
    session["AWS_ACCESS_KEY_ID"] = creds["AccessKeyId"]
    session["AWS_SECRET_ACCESS_KEY"] = creds["SecretAccessKey"]
    session["AWS_SESSION_TOKEN"] = creds["SessionToken"]
    me = json.loads(aws(session, "sts", "get-caller-identity").stdout)
    assert me["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert me["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]
    assert aws(session, "s3", "cp", "s3://sts-cli-data/in.txt", "-").stdout == "hello"
    aws(session, "s3", "cp", "-", "s3://sts-cli-data/out.txt", input="written")
    denied = aws(session, "s3", "rm", "s3://sts-cli-data/in.txt", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    # Without the token the temporary key is unknown.
    del session["AWS_SESSION_TOKEN"]
    denied = aws(session, "s3api", "get-object", "--bucket", "sts-cli-data", "--key", "in.txt", "/dev/null",
                 check=False)
    assert denied.returncode != 0 and "InvalidAccessKeyId" in denied.stderr


def test_boto3_session_credentials_and_presigned_url(server):
    import requests

    root = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET)
    creds = root.get_session_token(DurationSeconds=900)["Credentials"]
    s3 = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                      aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
    s3.create_bucket(Bucket="sts-boto-data")
    s3.put_object(Bucket="sts-boto-data", Key="k", Body=b"v")
    assert s3.get_object(Bucket="sts-boto-data", Key="k")["Body"].read() == b"v"
    # A presigned URL made with temporary credentials carries the token.
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "sts-boto-data", "Key": "k"}, ExpiresIn=60)
    assert "x-amz-security-token" in url.lower()
    assert requests.get(url, timeout=10).content == b"v"
    forged = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token="forged")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        forged.get_object(Bucket="sts-boto-data", Key="k")
    assert e.value.response["Error"]["Code"] == "InvalidToken"
