"""Seed 004's "Validate Policy" step through the aws CLI verbatim: Access Analyzer's
validate-policy against Cairn's endpoint, as root and as an IAM user without the permission."""

import json
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(REPO, "crates", "cairn-policy", "tests", "data", "seed_policies")


def aws(env, *args, check=True):
    out = subprocess.run(["aws", *args], env=env, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
    return out


def seed(name):
    with open(os.path.join(SEEDS, name)) as f:
        return f.read()


def filled_upsolver_policy(tmp_path):
    """The guide's policy with its placeholders replaced, as steps 6-8 tell the user to."""
    text = (
        seed("004_upsolver_policy.json")
        .replace("OUTPUT_BUCKET_NAME", "ups-out")
        .replace("INPUT_BUCKET_NAME", "ups-in")
        .replace("ACCOUNT_ID", "123456789012")
    )
    path = tmp_path / "upsolver-policy.json"
    path.write_text(text)
    return path, text


def test_validate_policy_flags_s3_list_object(server, tmp_path):
    path, text = filled_upsolver_policy(tmp_path)
    out = aws(server.env(), "accessanalyzer", "validate-policy",
              "--policy-document", f"file://{path}", "--policy-type", "IDENTITY_POLICY",
              "--endpoint-url", server.endpoint)
    findings = json.loads(out.stdout)["findings"]
    assert [f["issueCode"] for f in findings] == ["INVALID_ACTION"]
    f = findings[0]
    assert f["findingType"] == "ERROR"
    assert f["findingDetails"] == "The action s3:ListObject does not exist."
    assert f["learnMoreLink"].endswith("#access-analyzer-reference-policy-checks-error-invalid-action")
    loc = f["locations"][0]
    assert loc["path"] == [{"value": "Statement"}, {"index": 2}, {"value": "Action"}, {"index": 1}]
    start, end = loc["span"]["start"], loc["span"]["end"]
    assert text[start["offset"]:end["offset"]] == '"s3:ListObject"'
    line = text.splitlines()[start["line"] - 1]
    assert line[start["column"]:end["column"]] == '"s3:ListObject"'


def test_validate_policy_as_written_also_flags_the_account_placeholder(server, tmp_path):
    path = tmp_path / "as-written.json"
    path.write_text(seed("004_upsolver_policy.json"))
    out = aws(server.env(), "accessanalyzer", "validate-policy",
              "--policy-document", f"file://{path}", "--policy-type", "IDENTITY_POLICY",
              "--endpoint-url", server.endpoint)
    codes = sorted(f["issueCode"] for f in json.loads(out.stdout)["findings"])
    assert codes == ["INVALID_ACTION", "INVALID_ARN_ACCOUNT"]


def test_validate_trust_policy_as_aws_does(server, tmp_path):
    path = tmp_path / "trust.json"
    path.write_text(seed("002_thanx_trust_policy.json"))
    out = aws(server.env(), "accessanalyzer", "validate-policy",
              "--policy-document", f"file://{path}", "--policy-type", "RESOURCE_POLICY",
              "--validate-policy-resource-type", "AWS::IAM::AssumeRolePolicyDocument",
              "--endpoint-url", server.endpoint)
    assert json.loads(out.stdout)["findings"] == []


def test_user_without_permission_is_denied_then_allowed(server, tmp_path):
    root = server.env()
    aws(root, "iam", "create-user", "--user-name", "policy-author")
    key = json.loads(aws(root, "iam", "create-access-key", "--user-name", "policy-author").stdout)["AccessKey"]
    env = server.env()
    env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
    env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
    path, _ = filled_upsolver_policy(tmp_path)
    args = ("accessanalyzer", "validate-policy", "--policy-document", f"file://{path}",
            "--policy-type", "IDENTITY_POLICY", "--endpoint-url", server.endpoint)
    denied = aws(env, *args, check=False)
    assert denied.returncode != 0
    assert "AccessDeniedException" in denied.stderr
    assert "access-analyzer:ValidatePolicy" in denied.stderr
    allow = tmp_path / "allow.json"
    allow.write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "access-analyzer:ValidatePolicy", "Resource": "*"}],
    }))
    aws(root, "iam", "put-user-policy", "--user-name", "policy-author", "--policy-name", "validate",
        "--policy-document", f"file://{allow}")
    out = aws(env, *args)
    assert [f["issueCode"] for f in json.loads(out.stdout)["findings"]] == ["INVALID_ACTION"]
