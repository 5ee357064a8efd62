"""Creates the identities ceph/s3-tests expects on a running Cairn and writes its s3tests.conf.

Used by scripts/s3-tests.sh. Two layouts, because the suite's sections mean different things to
its S3 tests and to its IAM/STS tests:

- `accounts` (test_s3.py, test_headers.py): [s3 main], [s3 alt] and [s3 tenant] are the root users
  of three accounts, so that ACL grants and bucket ownership between them are cross-account as
  the tests assume; [iam root] and [iam alt root] are two more accounts (their user_id is the
  account id, as the suite builds `arn:aws:iam::<id>:root` from it).
- `iam` (test_iam.py, test_sts.py): [iam] is the main account's root and [s3 alt] an IAM user of
  that account with no permissions but ListAllMyBuckets (the suite lists buckets as alt before
  every test), so the tests' user policies are what grant it access; its user_id is its user
  name, which the tests pass as UserName.

user_id and display_name are read back from what Cairn reports (ListBuckets' Owner), because the
suite compares them with ACL and listing owners.
"""

import argparse
import json
import os
import subprocess

import boto3
from botocore.client import Config


def create_account(cairn, data_dir, name):
    """`cairn account create NAME`: returns (account id, access key id, secret)."""
    out = subprocess.run(
        [cairn, "account", "create", name, "--data-dir", data_dir],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    account = key = secret = None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Created account "):
            account = line.split()[2]
        elif line.startswith("AWS_ACCESS_KEY_ID="):
            key = line.split("=", 1)[1]
        elif line.startswith("AWS_SECRET_ACCESS_KEY="):
            secret = line.split("=", 1)[1]
    if not (account and key and secret):
        raise RuntimeError(f"unexpected output of cairn account create: {out!r}")
    return account, key, secret


def client(service, endpoint, key, secret):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(signature_version="s3v4") if service == "s3" else None,
    )


def owner(endpoint, key, secret):
    """(canonical id, display name) as Cairn reports them for this key's account."""
    found = client("s3", endpoint, key, secret).list_buckets()["Owner"]
    return found["ID"], found.get("DisplayName", "")


def account_id(endpoint, key, secret):
    return client("sts", endpoint, key, secret).get_caller_identity()["Account"]


def section(name, key, secret, user_id, display_name, email, **extra):
    lines = [
        f"[{name}]",
        f"access_key = {key}",
        f"secret_key = {secret}",
        f"user_id = {user_id}",
        f"display_name = {display_name}",
        f"email = {email}",
    ]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--cairn", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--layout", choices=["accounts", "iam"], default="accounts")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--kms-keys", default="", help="the server's --kms-key ids, comma-separated")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    main_key = os.environ["CAIRN_ROOT_ACCESS_KEY_ID"]
    main_secret = os.environ["CAIRN_ROOT_SECRET_ACCESS_KEY"]
    ep = args.endpoint
    host, port = ep.split("://", 1)[1].rsplit(":", 1)

    def account(name):
        return create_account(args.cairn, args.data_dir, name)

    _, tenant_key, tenant_secret = account("s3-tests-tenant")
    iam_root_id, iam_root_key, iam_root_secret = account("s3-tests-iam-root")
    iam_alt_id, iam_alt_key, iam_alt_secret = account("s3-tests-iam-alt-root")

    if args.layout == "accounts":
        _, alt_key, alt_secret = account("s3-tests-alt")
        alt_id, alt_name = owner(ep, alt_key, alt_secret)
        iam_key, iam_secret = main_key, main_secret
    else:
        iam = client("iam", ep, main_key, main_secret)
        alt_id = alt_name = "s3-tests-alt-user"
        iam.create_user(UserName=alt_id)
        created = iam.create_access_key(UserName=alt_id)["AccessKey"]
        alt_key, alt_secret = created["AccessKeyId"], created["SecretAccessKey"]
        policy = iam.create_policy(
            PolicyName="s3-tests-list-buckets",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
                    ],
                }
            ),
        )["Policy"]
        iam.attach_user_policy(UserName=alt_id, PolicyArn=policy["Arn"])
        iam_key, iam_secret = main_key, main_secret

    main_id, main_name = owner(ep, main_key, main_secret)
    tenant_id, tenant_name = owner(ep, tenant_key, tenant_secret)
    main_account = account_id(ep, main_key, main_secret)
    # kms_keyid / kms_keyid2 by ARN: S3 reports an object's KMS key as its ARN, and the suite
    # compares that header with the id it sent.
    kms = {}
    for name, key_id in zip(["kms_keyid", "kms_keyid2"], filter(None, args.kms_keys.split(","))):
        kms[name] = f"arn:aws:kms:{args.region}:{main_account}:key/{key_id}"

    conf = [
        "[DEFAULT]\n"
        f"host = {host}\nport = {port}\nis_secure = False\nssl_verify = False\n",
        "[fixtures]\n"
        "bucket prefix = s3t-{random}-\n"
        "iam name prefix = s3-tests-\n"
        "iam path prefix = /s3-tests/\n",
        section(
            "s3 main", main_key, main_secret, main_id, main_name, "main@example.com",
            api_name="us-east-2", **kms,
        ),
        section("s3 alt", alt_key, alt_secret, alt_id, alt_name, "alt@example.com"),
        section(
            "s3 tenant", tenant_key, tenant_secret, tenant_id, tenant_name,
            "tenant@example.com", tenant="s3-tests-tenant",
        ),
        section("iam", iam_key, iam_secret, main_account, main_name, "iam@example.com"),
        section(
            "iam root", iam_root_key, iam_root_secret, iam_root_id, iam_root_id,
            "iam-root@example.com",
        ),
        section(
            "iam alt root", iam_alt_key, iam_alt_secret, iam_alt_id, iam_alt_id,
            "iam-alt-root@example.com",
        ),
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(conf))


if __name__ == "__main__":
    main()
