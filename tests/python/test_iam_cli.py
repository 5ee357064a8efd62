"""The seeds' IAM steps typed into the aws CLI verbatim, then the resulting keys used with it."""

import json
import os
import subprocess


def aws(env, *args, check=True, input=None):
    out = subprocess.run(["aws", *args], env=env, capture_output=True, text=True, input=input)
    if check and out.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
    return out


def as_user(server, key):
    env = server.env()
    env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
    env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
    return env


def test_kpsync_guide_bucket_policy_for_a_user_without_policies(server, tmp_path):
    root = server.env()
    user = json.loads(aws(root, "iam", "create-user", "--user-name", "kpsync").stdout)["User"]
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "kpsync").stdout)["AccessKey"]
    aws(root, "s3api", "create-bucket", "--bucket", "kpsync-vault", "--object-ownership", "BucketOwnerEnforced")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": user["Arn"]},
            "Action": ["s3:ListBucket", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectAcl", "s3:PutObject"],
            "Resource": ["arn:aws:s3:::kpsync-vault", "arn:aws:s3:::kpsync-vault/*"],
        }],
    }
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    aws(root, "s3api", "put-bucket-policy", "--bucket", "kpsync-vault", "--policy", f"file://{tmp_path / 'policy.json'}")
    env = as_user(server, key)
    db = tmp_path / "passwords.kdbx"
    db.write_bytes(os.urandom(4096))
    aws(env, "s3", "cp", str(db), "s3://kpsync-vault/passwords.kdbx", "--only-show-errors")
    assert "passwords.kdbx" in aws(env, "s3", "ls", "s3://kpsync-vault").stdout
    back = tmp_path / "back.kdbx"
    aws(env, "s3", "cp", "s3://kpsync-vault/passwords.kdbx", str(back), "--only-show-errors")
    assert back.read_bytes() == db.read_bytes()
    denied = aws(env, "s3", "rm", "s3://kpsync-vault/passwords.kdbx", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    denied = aws(env, "s3", "mb", "s3://kpsync-own-bucket", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    denied = aws(env, "iam", "list-users", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr


def test_upsolver_guide_managed_policy_with_username_variable(server, tmp_path):
    root = server.env()
    account = json.loads(aws(root, "iam", "create-user", "--user-name", "upsolver").stdout)["User"]["Arn"].split(":")[4]
    for b in ["ups-in", "ups-out"]:
        aws(root, "s3", "mb", f"s3://{b}")
    aws(root, "s3", "cp", "-", "s3://ups-in/data.json", input="{}")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "arn:aws:s3:::*"},
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::ups-out", "arn:aws:s3:::ups-out/*"]},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListObject", "s3:ListBucket"],
             "Resource": ["arn:aws:s3:::ups-in", "arn:aws:s3:::ups-in/*"]},
            {"Effect": "Allow", "Action": ["iam:SimulatePrincipalPolicy"],
             "Resource": f"arn:aws:iam::{account}:user/${{aws:username}}"},
        ],
    }
    (tmp_path / "p.json").write_text(json.dumps(policy))
    arn = json.loads(aws(root, "iam", "create-policy", "--policy-name", "UpsolverPolicy",
                         "--policy-document", f"file://{tmp_path / 'p.json'}").stdout)["Policy"]["Arn"]
    aws(root, "iam", "attach-user-policy", "--user-name", "upsolver", "--policy-arn", arn)
    attached = json.loads(aws(root, "iam", "list-attached-user-policies", "--user-name", "upsolver").stdout)
    assert attached["AttachedPolicies"][0]["PolicyArn"] == arn
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "upsolver").stdout)["AccessKey"]
    env = as_user(server, key)
    listing = aws(env, "s3", "ls").stdout
    assert "ups-in" in listing and "ups-out" in listing
    aws(env, "s3", "cp", "s3://ups-in/data.json", str(tmp_path / "d.json"), "--only-show-errors")
    aws(env, "s3", "cp", str(tmp_path / "d.json"), "s3://ups-out/result.json", "--only-show-errors")
    denied = aws(env, "s3", "cp", str(tmp_path / "d.json"), "s3://ups-in/x.json", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    doc = json.loads(aws(root, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1").stdout)
    assert doc["PolicyVersion"]["Document"]["Statement"][2]["Action"][1] == "s3:ListObject"
    # The service checks its own permissions; ${aws:username} confines it to itself.
    user_arn = f"arn:aws:iam::{account}:user/upsolver"
    sim = json.loads(aws(env, "iam", "simulate-principal-policy", "--policy-source-arn", user_arn,
                         "--action-names", "s3:GetObject", "s3:PutObject",
                         "--resource-arns", "arn:aws:s3:::ups-in/data.json").stdout)
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in sim["EvaluationResults"]}
    assert decisions == {"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny"}
    allowed = next(r for r in sim["EvaluationResults"] if r["EvalActionName"] == "s3:GetObject")
    statement = allowed["MatchedStatements"][0]
    assert (statement["SourcePolicyId"], statement["SourcePolicyType"]) == ("UpsolverPolicy", "user-managed")
    assert statement["StartPosition"]["Line"] >= 1 and statement["EndPosition"]["Column"] > 1
    assert allowed["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    # ${aws:username} makes the permission to simulate the user's own, and no one else's.
    aws(root, "iam", "create-user", "--user-name", "someone-else")
    other_arn = f"arn:aws:iam::{account}:user/someone-else"
    self_check = json.loads(aws(env, "iam", "simulate-principal-policy", "--policy-source-arn", user_arn,
                                "--action-names", "iam:SimulatePrincipalPolicy",
                                "--resource-arns", user_arn, other_arn).stdout)
    assert [r["EvalDecision"] for r in self_check["EvaluationResults"]] == ["allowed", "implicitDeny"]
    denied = aws(env, "iam", "simulate-principal-policy", "--policy-source-arn",
                 other_arn, "--action-names", "s3:GetObject", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    keys = json.loads(aws(root, "iam", "get-context-keys-for-principal-policy",
                          "--policy-source-arn", user_arn).stdout)
    assert keys["ContextKeyNames"] == ["aws:username"]
    custom = json.loads(aws(root, "iam", "simulate-custom-policy", "--policy-input-list", json.dumps(policy),
                            "--action-names", "s3:DeleteObject", "--resource-arns", "arn:aws:s3:::ups-out/x").stdout)
    assert custom["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_middleman_guide_group_policy(server, tmp_path):
    root = server.env()
    aws(root, "s3", "mb", "s3://middleman-site")
    aws(root, "s3", "mb", "s3://not-the-site")
    aws(root, "iam", "create-group", "--group-name", "middleman-deployers")
    aws(root, "iam", "create-user", "--user-name", "middleman")
    aws(root, "iam", "add-user-to-group", "--group-name", "middleman-deployers", "--user-name", "middleman")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::middleman-site", "arn:aws:s3:::middleman-site/*"]}]}
    aws(root, "iam", "put-group-policy", "--group-name", "middleman-deployers", "--policy-name", "site",
        "--policy-document", json.dumps(policy))
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "middleman").stdout)["AccessKey"]
    env = as_user(server, key)
    site = tmp_path / "build"
    site.mkdir()
    (site / "index.html").write_text("<h1>deployed</h1>")
    aws(env, "s3", "sync", str(site), "s3://middleman-site", "--delete", "--only-show-errors")
    assert "index.html" in aws(env, "s3", "ls", "s3://middleman-site").stdout
    aws(env, "s3", "rm", "s3://middleman-site/index.html", "--only-show-errors")
    denied = aws(env, "s3", "ls", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    denied = aws(env, "s3", "ls", "s3://not-the-site", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    groups = json.loads(aws(root, "iam", "list-groups-for-user", "--user-name", "middleman").stdout)
    assert [g["GroupName"] for g in groups["Groups"]] == ["middleman-deployers"]


def test_agency_guide_inline_user_policy_per_bucket(server, tmp_path):
    root = server.env()
    for b in ["acme-production", "acme-staging"]:
        aws(root, "s3api", "create-bucket", "--bucket", b,
            "--create-bucket-configuration", "LocationConstraint=eu-north-1")
        aws(root, "iam", "create-user", "--user-name", b)
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"],
             "Resource": f"arn:aws:s3:::{b}"},
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:PutObjectAcl",
                                           "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:DeleteObjectVersion",
                                           "s3:PutObjectRetention", "s3:RestoreObject", "s3:ListMultipartUploadParts",
                                           "s3:AbortMultipartUpload"],
             "Resource": f"arn:aws:s3:::{b}/*"}]}
        aws(root, "iam", "put-user-policy", "--user-name", b, "--policy-name", "crud",
            "--policy-document", json.dumps(policy))
    got = json.loads(aws(root, "iam", "get-user-policy", "--user-name", "acme-production", "--policy-name", "crud").stdout)
    assert got["PolicyDocument"]["Statement"][0]["Resource"] == "arn:aws:s3:::acme-production"
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "acme-production").stdout)["AccessKey"]
    env = as_user(server, key)
    f = tmp_path / "logo.png"
    f.write_bytes(os.urandom(1000))
    aws(env, "s3", "cp", str(f), "s3://acme-production/assets/logo.png", "--only-show-errors")
    aws(env, "s3", "cp", "s3://acme-production/assets/logo.png", str(tmp_path / "back.png"), "--only-show-errors")
    aws(env, "s3", "rm", "s3://acme-production/assets/logo.png", "--only-show-errors")
    denied = aws(env, "s3", "cp", str(f), "s3://acme-staging/logo.png", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr


def test_sts_get_caller_identity_names_root_and_users(server):
    root = server.env()
    me = json.loads(aws(root, "sts", "get-caller-identity").stdout)
    assert me["Arn"] == f"arn:aws:iam::{me['Account']}:root"
    aws(root, "iam", "create-user", "--user-name", "who-am-i", "--path", "/ops/")
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "who-am-i").stdout)["AccessKey"]
    user = json.loads(aws(as_user(server, key), "sts", "get-caller-identity").stdout)
    assert user["Arn"] == f"arn:aws:iam::{me['Account']}:user/ops/who-am-i"
    assert user["UserId"].startswith("AIDA")
    env = as_user(server, key)
    env["AWS_SECRET_ACCESS_KEY"] = "wrong" * 8
    bad = aws(env, "sts", "get-caller-identity", check=False)
    assert bad.returncode != 0 and "SignatureDoesNotMatch" in bad.stderr


def test_update_role_and_update_group(server):
    root = server.env()
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    aws(root, "iam", "create-role", "--role-name", "builder", "--assume-role-policy-document", trust)
    # botocore requires UpdateRole's (empty) result element.
    aws(root, "iam", "update-role", "--role-name", "builder", "--description", "CI builds",
        "--max-session-duration", "7200")
    role = json.loads(aws(root, "iam", "get-role", "--role-name", "builder").stdout)["Role"]
    assert role["Description"] == "CI builds" and role["MaxSessionDuration"] == 7200
    aws(root, "iam", "create-group", "--group-name", "deploy")
    aws(root, "iam", "create-user", "--user-name", "dev")
    aws(root, "iam", "add-user-to-group", "--group-name", "deploy", "--user-name", "dev")
    aws(root, "iam", "update-group", "--group-name", "deploy", "--new-group-name", "release",
        "--new-path", "/teams/")
    group = json.loads(aws(root, "iam", "get-group", "--group-name", "release").stdout)
    assert group["Group"]["Path"] == "/teams/"
    assert [u["UserName"] for u in group["Users"]] == ["dev"]
    gone = aws(root, "iam", "get-group", "--group-name", "deploy", check=False)
    assert gone.returncode != 0 and "NoSuchEntity" in gone.stderr
