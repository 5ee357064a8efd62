"""The seed guides clicked through Cairn's web console in a real Chromium, then proven with boto3:
seed 000 (KPSync: a user without policies, a bucket with ACLs disabled and BPA on, a bucket
policy naming the user's ARN) and seed 002 (Thanx: a customer-managed policy, a role trusting
accounts.google.com for one subject, and the access-key alternative), plus a limited user who
sees AccessDenied, the access key .csv and screenshots of the main pages."""

import csv
import io
import json
import re
import uuid

import pytest
import requests
from botocore.exceptions import ClientError
from conftest import ROOT_KEY, ROOT_SECRET, Server
from playwright.sync_api import expect


def denied(fn, *args, **kwargs):
    with pytest.raises(ClientError) as e:
        fn(*args, **kwargs)
    return e.value.response["Error"]["Code"]


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.stop()


# ----------------------------------------------------------------- console steps


def sign_in_with_keys(page, server, key=ROOT_KEY, secret=ROOT_SECRET):
    page.goto(server.console)
    page.get_by_role("button", name="Sign in with an access key instead").click()
    page.get_by_label("Access key ID").fill(key)
    page.get_by_label("Secret access key").fill(secret)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Buckets", level=1)).to_be_visible()


def sign_in_with_password(page, server, account, user, password):
    page.goto(server.console)
    page.get_by_label("Account ID").fill(account)
    page.get_by_label("IAM user name").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Cairn")).to_be_visible()


def create_bucket(page, name):
    page.get_by_role("link", name="Buckets").click()
    page.get_by_role("link", name="Create bucket").click()
    page.get_by_label("Bucket name").fill(name)
    # AWS's defaults, as seed 000 wants them: ACLs disabled, all public access blocked.
    expect(page.get_by_label("ACLs disabled (recommended)")).to_be_checked()
    expect(page.get_by_label("Block all public access")).to_be_checked()
    page.get_by_role("button", name="Create bucket").click()
    expect(page.get_by_text(f'Successfully created bucket "{name}"')).to_be_visible()


def shown_arn(page):
    return page.locator(".arn-value").first.inner_text()


def create_user(page, name, policy=None, password=None):
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Create user").click()
    page.get_by_label("User name").fill(name)
    if password:
        page.get_by_label("Provide user access to the Cairn console").check()
        page.get_by_label("Console password").fill(password)
    if policy:
        page.get_by_label("Attach policies directly").check()
        page.get_by_label("Filter policies by name").fill(policy)
        page.get_by_label(f"{policy} (customer managed)").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text(f"User {name} created.")).to_be_visible()
    return shown_arn(page)


def create_access_key(page):
    """On a user's page: creates a key, downloads the .csv, returns (id, secret) from it."""
    page.get_by_role("tab", name="Security credentials").click()
    page.get_by_role("button", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Retrieve access keys")
    expect(dialog).to_be_visible()
    with page.expect_download() as d:
        dialog.get_by_role("button", name="Download .csv file").click()
    download = d.value
    raw = open(download.path(), "rb").read()
    shown_id = dialog.get_by_test_id("access-key-id").inner_text()
    dialog.get_by_role("button", name="Done").click()
    return download.suggested_filename, raw, shown_id


def parse_key_csv(raw):
    # AWS's file: UTF-8 with a byte-order mark, CRLF lines, header then one row.
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Access key ID", "Secret access key"]
    assert len(rows) == 2
    return rows[1][0], rows[1][1]


def fill_policy(page, text):
    editor = page.get_by_test_id("policy-editor")
    editor.fill(text)
    return editor


def wait_validated(page):
    summary = page.locator(".findings-summary")
    expect(summary).not_to_have_text(re.compile(r"Validating|validating shortly|Not validated"))
    return summary.inner_text()


# ----------------------------------------------------------------- seed 000


def test_seed_000_kpsync_entirely_through_the_console(page, server, shots):
    account = server.account_id()
    sign_in_with_keys(page, server)
    shots(page, "01-buckets-empty")

    # "Create User", no policies; "Security credentials" → "Create Access Key"; copy the ARN.
    user_arn = create_user(page, "kpsync-user")
    assert user_arn == f"arn:aws:iam::{account}:user/kpsync-user"
    page.get_by_role("button", name="Copy ARN").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == user_arn
    filename, raw, shown_id = create_access_key(page)
    key_id, secret = parse_key_csv(raw)
    assert filename == "kpsync-user_accessKeys.csv"
    assert key_id == shown_id and key_id.startswith("AKIA") and len(secret) == 40
    shots(page, "02-user-security-credentials")

    # "Create Bucket", defaults; permissions → bucket policy with the user's ARN.
    bucket = f"kpsync-{uuid.uuid4().hex[:8]}"
    create_bucket(page, bucket)
    page.get_by_role("tab", name="Permissions").click()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PrimaryAccess",
                "Effect": "Allow",
                "Principal": {"AWS": user_arn},
                "Action": [
                    "s3:ListBucket",
                    "s3:PutObjectAcl",
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:PutObject",
                ],
                "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
            }
        ],
    }
    fill_policy(page, json.dumps(policy, indent=4))
    assert "No findings" in wait_validated(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Successfully edited bucket policy.")).to_be_visible()
    shots(page, "03-bucket-permissions")

    # Upload through the console (with progress), then a presigned link with a chosen expiry.
    page.get_by_role("tab", name="Objects").click()
    page.locator("#upload-input").set_input_files(
        files=[{"name": "db.kdbx", "mimeType": "application/octet-stream", "buffer": b"keepass" * 1000}]
    )
    expect(page.get_by_text("Succeeded")).to_be_visible()
    expect(page.get_by_role("table").get_by_text("db.kdbx", exact=True)).to_be_visible()
    page.get_by_role("button", name="Presigned URL for db.kdbx").click()
    page.get_by_label("Time interval until the presigned URL expires").fill("5")
    page.get_by_role("button", name="Create presigned URL").click()
    url = page.get_by_test_id("presigned-url").input_value()
    assert "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=10).content == b"keepass" * 1000
    page.keyboard.press("Escape")
    shots(page, "04-bucket-objects")
    page.get_by_role("tab", name="Properties").click()
    expect(page.get_by_text("Server-side encryption with Amazon S3 managed keys (SSE-S3)")).to_be_visible()
    shots(page, "05-bucket-properties")

    # Proven with boto3: the .csv's key lists, reads and writes that bucket — and nothing else.
    s3 = server.client("s3", key_id, secret)
    s3.put_object(Bucket=bucket, Key="sync/db.kdbx", Body=b"v2")
    assert s3.get_object(Bucket=bucket, Key="sync/db.kdbx")["Body"].read() == b"v2"
    assert s3.get_object(Bucket=bucket, Key="db.kdbx")["Body"].read() == b"keepass" * 1000
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["db.kdbx", "sync/db.kdbx"]
    assert denied(s3.delete_object, Bucket=bucket, Key="db.kdbx") == "AccessDenied"
    assert denied(s3.create_bucket, Bucket=f"{bucket}-other") == "AccessDenied"
    assert denied(s3.list_buckets) == "AccessDenied"
    assert denied(server.client("iam", key_id, secret).list_users) == "AccessDenied"
    # Seed 000's bucket as the console made it.
    root = server.client("s3")
    assert root.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    assert all(root.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())

    # Deactivating the key in the console stops it.
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="kpsync-user").click()
    page.get_by_role("tab", name="Security credentials").click()
    page.get_by_role("button", name=f"Deactivate {key_id}").click()
    expect(page.get_by_role("button", name=f"Activate {key_id}", exact=True)).to_be_visible()
    assert denied(s3.get_object, Bucket=bucket, Key="db.kdbx") in ("InvalidAccessKeyId", "AccessDenied")


# ----------------------------------------------------------------- seed 002


@pytest.fixture()
def google_server(tmp_path):
    from oidc import TestIssuer

    google = TestIssuer.google()
    s = Server({"CAIRN_OIDC_JWKS": google.pin(google.write_jwks(tmp_path))})
    s.issuer = google
    yield s
    s.stop()


def test_seed_002_thanx_role_and_user_through_the_console(page, google_server, shots):
    server = google_server
    sub = "112233445566778899000"
    sign_in_with_keys(page, server)
    bucket = f"thanx-{uuid.uuid4().hex[:8]}"
    create_bucket(page, bucket)

    # IAM → Policies → Create policy → JSON; the validator flags a typo inline first.
    page.get_by_role("link", name="Policies", exact=True).click()
    page.get_by_role("link", name="Create policy").click()
    typo = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:ListObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}],
    }
    fill_policy(page, json.dumps(typo, indent=4))
    wait_validated(page)
    expect(page.get_by_test_id("findings")).to_contain_text("INVALID_ACTION")
    page.get_by_role("button", name=re.compile(r"^Line \d+, column")).first.click()
    assert page.evaluate("document.activeElement.selectionStart") > 0
    shots(page, "06-policy-editor-findings")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }
    fill_policy(page, json.dumps(policy, indent=4))
    assert "No findings" in wait_validated(page)
    page.get_by_label("Policy name").fill("thanx-writer")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_text("Policy created.")).to_be_visible()
    policy_arn = shown_arn(page)

    # Roles → Create role → web identity template (seed 002's), the subject filled in.
    page.get_by_role("link", name="Roles").click()
    page.get_by_role("link", name="Create role").click()
    editor = page.get_by_test_id("policy-editor")
    trust = editor.input_value()
    assert '"Federated": "accounts.google.com"' in trust
    assert "sts:AssumeRoleWithWebIdentity" in trust
    fill_policy(page, trust.replace("<some_service_account_identifier>", sub))
    wait_validated(page)
    page.get_by_label("Filter policies by name").fill("thanx")
    page.get_by_label("thanx-writer (customer managed)").check()
    page.get_by_label("Role name").fill("transfer-role")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_text("Role transfer-role created.")).to_be_visible()
    role_arn = shown_arn(page)
    assert role_arn.endswith(":role/transfer-role")
    shots(page, "07-role")

    # Proven: a token for that subject writes and deletes (the connection test), nothing more.
    sts = server.client("sts")
    token = server.issuer.sign(server.issuer.google_service_account_claims(sub, "thanx"))
    creds = sts.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="thanx", WebIdentityToken=token
    )["Credentials"]
    s3 = server.client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    s3.put_object(Bucket=bucket, Key="thanx-test.txt", Body=b"test")
    s3.delete_object(Bucket=bucket, Key="thanx-test.txt")
    s3.put_object(Bucket=bucket, Key="export.csv", Body=b"a,b")
    assert denied(s3.get_object, Bucket=bucket, Key="export.csv") == "AccessDenied"
    assert denied(s3.list_objects_v2, Bucket=bucket) == "AccessDenied"
    other = server.issuer.sign(server.issuer.google_service_account_claims("999", "thanx"))
    assert denied(
        sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="other", WebIdentityToken=other
    ) == "AccessDenied"

    # The alternative: a user with the same policy attached and an access key.
    create_user(page, "transfer-service", policy="thanx-writer")
    _, raw, _ = create_access_key(page)
    key_id, secret = parse_key_csv(raw)
    u = server.client("s3", key_id, secret)
    u.put_object(Bucket=bucket, Key="from-user.csv", Body=b"x")
    assert denied(u.get_object, Bucket=bucket, Key="from-user.csv") == "AccessDenied"

    # The policy simulator agrees, and highlights the statement that allowed.
    page.get_by_role("link", name="Policy simulator").click()
    page.get_by_label("Principal").select_option(label="User: transfer-service")
    page.get_by_label("Actions (comma-separated)").fill("s3:PutObject, s3:GetObject")
    page.get_by_label("Resource ARNs (comma-separated)").fill(f"arn:aws:s3:::{bucket}/k")
    page.get_by_role("button", name="Run simulation").click()
    put = page.locator("article.sim-result", has_text="s3:PutObject on")
    expect(put.locator(".decision")).to_have_text("allowed")
    expect(put.locator("mark.matched")).to_contain_text('"s3:PutObject"')
    expect(page.locator("article.sim-result", has_text="s3:GetObject on").locator(".decision")).to_have_text(
        "implicitDeny"
    )
    shots(page, "08-policy-simulator")

    # The policy's page: versions, with the ARN as created.
    page.goto(server.console + "#/iam/policies")
    page.get_by_role("link", name="thanx-writer").click()
    assert shown_arn(page) == policy_arn
    expect(page.get_by_role("link", name="v1 (Default)")).to_be_visible()
    shots(page, "09-policy")


# ----------------------------------------------------------------- denied, passwords


def test_limited_user_signs_in_with_a_password_and_sees_access_denied(page, server, shots):
    account = server.account_id()
    sign_in_with_keys(page, server)
    create_user(page, "intern", password="First-pass-1")
    sign_out(page)

    # A wrong password is refused; the right one asks for a new password (reset required).
    sign_in_with_password(page, server, account, "intern", "wrong-Pass-1")
    expect(page.get_by_role("alert")).to_contain_text("InvalidCredentials")
    sign_in_with_password(page, server, account, "intern", "First-pass-1")
    expect(page.get_by_label("New password")).to_be_visible()
    page.get_by_label("New password").fill("Second-pass-2")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Buckets", level=1)).to_be_visible()

    # Every action is authorized as the user: no policies, so AccessDenied, with AWS's message.
    expect(page.get_by_role("alert")).to_contain_text("AccessDenied")
    page.get_by_role("link", name="Users").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        f"User: arn:aws:iam::{account}:user/intern is not authorized to perform: iam:ListUsers"
    )
    shots(page, "10-access-denied")

    # The console session is the user's own: once allowed, the same page works.
    server.client("iam").put_user_policy(
        UserName="intern",
        PolicyName="list",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
        ),
    )
    page.reload()
    expect(page.get_by_role("link", name="intern")).to_be_visible()
    sign_out(page)
    sign_in_with_password(page, server, account, "intern", "Second-pass-2")
    expect(page.get_by_role("heading", name="Buckets", level=1)).to_be_visible()


def test_account_settings_and_navigation_by_keyboard(page, server, shots):
    sign_in_with_keys(page, server)
    page.get_by_role("link", name="Block Public Access (account)").click()
    expect(page.get_by_role("heading", name="Block Public Access settings for this account")).to_be_visible()
    page.get_by_role("button", name="Edit Account settings").click()
    page.get_by_label("Block all public access").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved account settings.")).to_be_visible()
    shots(page, "11-account-bpa")
    # The setting is the account's, as S3 Control reports it (path-style route, signed by root).
    s3 = server.client("s3")
    bucket = "kb-" + uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    assert denied(
        s3.put_bucket_policy,
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
            }
        ),
    ) == "AccessDenied"

    # Tabs move with the arrow keys; the page heading takes focus after navigation.
    page.goto(server.console + f"#/s3/bucket/{bucket}")
    expect(page.get_by_role("heading", name=bucket, level=1)).to_be_focused()
    page.get_by_role("tab", name="Objects").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Properties")).to_have_attribute("aria-selected", "true")
    shots(page, "12-bucket-properties-keyboard")
