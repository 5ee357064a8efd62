//! STS end to end: AssumeRole within and across accounts, ExternalId, session policies, session
//! tokens (required, forged, expired), role deletion, GetSessionToken and GetCallerIdentity.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_sts::types::Credentials as StsCredentials;

const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"sts:AssumeRole"}]}"#;
const READ_BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::roledata","arn:aws:s3:::roledata/*"]}]}"#;

async fn account_id(s: &Server) -> String {
    sts_with(s, ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string()
}

/// A bucket `roledata` with one object, and role `reader` (trust: `trust`, policy READ_BUCKET).
async fn setup(s: &Server, trust: &str) -> String {
    let account = account_id(s).await;
    let root = s.client();
    root.create_bucket()
        .bucket("roledata")
        .send()
        .await
        .unwrap();
    root.put_object()
        .bucket("roledata")
        .key("a.txt")
        .body(b"hello".to_vec().into())
        .send()
        .await
        .unwrap();
    let iam = s.iam();
    iam.create_role()
        .role_name("reader")
        .assume_role_policy_document(trust.replace("ACCOUNT", &account))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("reader")
        .policy_name("read")
        .policy_document(READ_BUCKET)
        .send()
        .await
        .unwrap();
    account
}

/// A user allowed to assume `reader`; returns its key pair.
async fn assumer(s: &Server, name: &str, account: &str) -> (String, String) {
    let iam = s.iam();
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("assume")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{account}:role/reader"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    (
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    )
}

fn session_client(s: &Server, c: &StsCredentials) -> Client {
    client_session(
        s,
        c.access_key_id(),
        c.secret_access_key(),
        c.session_token(),
    )
}

async fn get(c: &Client, key: &str) -> Result<Vec<u8>, String> {
    match c.get_object().bucket("roledata").key(key).send().await {
        Ok(out) => Ok(body_bytes(out).await),
        Err(e) => Err(code(&e)),
    }
}

async fn put(c: &Client, key: &str) -> Result<(), String> {
    c.put_object()
        .bucket("roledata")
        .key(key)
        .body(b"x".to_vec().into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

#[tokio::test]
async fn assume_role_in_the_same_account() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/reader"))
        .role_session_name("ci-run")
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{account}:assumed-role/reader/ci-run")
    );
    assert!(user.assumed_role_id().starts_with("AROA"));
    assert!(user.assumed_role_id().ends_with(":ci-run"));

    // The session has the role's permissions, not the user's.
    let c = session_client(&s, creds);
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    put(&c, "b.txt").await.unwrap();
    let err = c
        .delete_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    assert!(c.list_buckets().send().await.is_err());

    // GetCallerIdentity reports the session.
    let me = sts_with(
        &s,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap();
    assert_eq!(me.arn().unwrap(), user.arn());
    assert_eq!(me.user_id().unwrap(), user.assumed_role_id());
    assert_eq!(me.account().unwrap(), account);

    // The alice user itself cannot read the bucket.
    assert_eq!(
        get(&s.client_with(&key, &secret), "a.txt")
            .await
            .unwrap_err(),
        "AccessDenied"
    );
}

#[tokio::test]
async fn who_may_assume_a_role() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    // A user without an identity policy for sts:AssumeRole: the trust policy names only the
    // account, which delegates to the user's own policies.
    let (_, _, _) = s.user("bob").await;
    let key = s
        .iam()
        .create_access_key()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let bob = sts_with(&s, key.access_key_id(), key.secret_access_key(), None);
    let err = bob
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    // A trust policy naming bob directly needs nothing more.
    s.iam()
        .update_assume_role_policy()
        .role_name("reader")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/bob"}},"Action":"sts:AssumeRole"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    bob.assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .send()
        .await
        .unwrap();
    // Root cannot assume roles; a missing role is AccessDenied too.
    let root = sts_with(&s, ROOT_KEY, ROOT_SECRET, None);
    let err = root
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    let err = bob
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/nope"))
        .role_session_name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    // Bad input is a ValidationError.
    let err = bob
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("bad name!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "ValidationError");
    let err = bob
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "ValidationError");
    let err = bob
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("x1")
        .duration_seconds(60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "ValidationError");
}

#[tokio::test]
async fn external_id_condition() {
    let s = Server::start();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"partner-7"}}}]}"#;
    let account = setup(&s, trust).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    for ext in [None, Some("wrong-id")] {
        let err = sts
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("p1")
            .set_external_id(ext.map(str::to_string))
            .send()
            .await
            .unwrap_err();
        assert_eq!(sts_code(&err), "AccessDenied", "{ext:?}");
    }
    sts.assume_role()
        .role_arn(&role_arn)
        .role_session_name("p1")
        .external_id("partner-7")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn cross_account_assume_role_needs_both_sides() {
    let s = Server::start();
    let (partner, partner_key, partner_secret) = create_account(&s, "partner");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{partner}:root"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"x-42"}}}}}}]}}"#
    );
    let account = setup(&s, &trust).await;
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    let partner_iam = s.iam_with(&partner_key, &partner_secret);
    partner_iam
        .create_user()
        .user_name("etl")
        .send()
        .await
        .unwrap();
    let k = partner_iam
        .create_access_key()
        .user_name("etl")
        .send()
        .await
        .unwrap();
    let k = k.access_key().unwrap();
    let etl = sts_with(&s, k.access_key_id(), k.secret_access_key(), None);
    // The trust policy allows the partner account, but the partner user has no permission.
    let err = etl
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("etl")
        .external_id("x-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    partner_iam
        .put_user_policy()
        .user_name("etl")
        .policy_name("assume")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role_arn}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let err = etl
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("etl")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied", "ExternalId required");
    let out = etl
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("etl")
        .external_id("x-42")
        .send()
        .await
        .unwrap();
    let c = session_client(&s, out.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    assert_eq!(
        out.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{account}:assumed-role/reader/etl")
    );
    // An account the trust policy does not name is refused even with a policy.
    let (_, other_key, other_secret) = create_account(&s, "stranger");
    let err = sts_with(&s, &other_key, &other_secret, None)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("etl")
        .external_id("x-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
}

#[tokio::test]
async fn session_policies_narrow_the_role() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    // Inline session policy: reads only.
    let out = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("narrow")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let c = session_client(&s, out.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    let err = c
        .put_object()
        .bucket("roledata")
        .key("n.txt")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    let message = err
        .as_service_error()
        .and_then(|e| aws_sdk_s3::error::ProvideErrorMetadata::message(e))
        .unwrap_or_default()
        .to_string();
    assert!(
        message.ends_with("because no session policy allows the s3:PutObject action"),
        "{message}"
    );
    assert!(message.starts_with(&format!(
        "User: arn:aws:sts::{account}:assumed-role/reader/narrow is not authorized"
    )));
    // A session policy cannot widen: DeleteObject is not in the role's policy.
    let out = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("wide")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let c = session_client(&s, out.credentials().unwrap());
    put(&c, "w.txt").await.unwrap();
    let err = c
        .delete_object()
        .bucket("roledata")
        .key("w.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    // Managed session policies (PolicyArns): AmazonS3ReadOnlyAccess allows no PutObject.
    let out = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("managed")
        .policy_arns(
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let c = session_client(&s, out.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    assert_eq!(put(&c, "m.txt").await.unwrap_err(), "AccessDenied");
    // A malformed session policy is refused.
    let err = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("bad")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "MalformedPolicyDocument");
}

#[tokio::test]
async fn session_tokens_are_required_checked_and_expire() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    let assume = |name: &'static str| {
        sts.assume_role()
            .role_arn(&role_arn)
            .role_session_name(name)
            .send()
    };
    let creds = assume("t1").await.unwrap().credentials().unwrap().clone();
    // Without its token the key is unknown; with a forged one the token is invalid.
    let bare = s.client_with(creds.access_key_id(), creds.secret_access_key());
    let err = bare
        .get_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAccessKeyId");
    let forged = client_session(
        &s,
        creds.access_key_id(),
        creds.secret_access_key(),
        "Zm9yZ2VkLXRva2Vu",
    );
    let err = forged
        .get_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidToken");
    let err = sts_with(
        &s,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some("Zm9yZ2Vk"),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap_err();
    assert_eq!(sts_code(&err), "InvalidClientTokenId");

    // Expiry: the shortest session is 15 minutes, so the test moves this one's expiry into the
    // past in the database before its first use.
    let short = assume("t2").await.unwrap().credentials().unwrap().clone();
    let db = s.dir.join("meta.db");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE sts_sessions SET expires = 1 WHERE access_key_id = ?")
        .bind(short.access_key_id())
        .execute(&mut conn)
        .await
        .unwrap();
    let c = session_client(&s, &short);
    let err = c
        .get_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ExpiredToken");
    let err = sts_with(
        &s,
        short.access_key_id(),
        short.secret_access_key(),
        Some(short.session_token()),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap_err();
    assert_eq!(sts_code(&err), "ExpiredToken");

    // Deleting the role ends its sessions.
    let live = session_client(&s, &creds);
    assert_eq!(get(&live, "a.txt").await.unwrap(), b"hello");
    let iam = s.iam();
    iam.delete_role_policy()
        .role_name("reader")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    iam.delete_role().role_name("reader").send().await.unwrap();
    let err = live
        .get_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAccessKeyId");
}

#[tokio::test]
async fn bucket_policy_naming_the_role_admits_its_sessions() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    // The role's own policy is gone: only the bucket policy grants.
    s.iam()
        .delete_role_policy()
        .role_name("reader")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    s.client()
        .put_bucket_policy()
        .bucket("roledata")
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:role/reader"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::roledata/*","Condition":{{"StringLike":{{"aws:userid":"AROA*:job-*"}}}}}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    let ok = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("job-1")
        .send()
        .await
        .unwrap();
    let c = session_client(&s, ok.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    assert_eq!(put(&c, "x").await.unwrap_err(), "AccessDenied");
    // aws:userid carries the session name: another session name does not match.
    let other = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("adhoc")
        .send()
        .await
        .unwrap();
    let c = session_client(&s, other.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap_err(), "AccessDenied");
}

#[tokio::test]
async fn session_tags_need_tag_session_and_reach_conditions() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    let sts = sts_with(&s, &key, &secret, None);
    let role_arn = format!("arn:aws:iam::{account}:role/reader");
    let tag = aws_sdk_sts::types::Tag::builder()
        .key("team")
        .value("blue")
        .build()
        .unwrap();
    // The trust policy does not allow sts:TagSession.
    let err = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("tagged")
        .tags(tag.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    let iam = s.iam();
    iam.update_assume_role_policy()
        .role_name("reader")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("tag")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagSession","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    // The role may read only objects when its principal tag says team=blue.
    iam.put_role_policy()
        .role_name("reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::roledata/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}"#)
        .send()
        .await
        .unwrap();
    let out = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("tagged")
        .tags(tag)
        .send()
        .await
        .unwrap();
    let c = session_client(&s, out.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    let untagged = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("plain")
        .send()
        .await
        .unwrap();
    let c = session_client(&s, untagged.credentials().unwrap());
    assert_eq!(get(&c, "a.txt").await.unwrap_err(), "AccessDenied");
}

#[tokio::test]
async fn get_session_token_acts_as_the_user() {
    let s = Server::start();
    let account = setup(&s, TRUST_ACCOUNT).await;
    let (key, secret) = assumer(&s, "alice", &account).await;
    s.iam()
        .put_user_policy()
        .user_name("alice")
        .policy_name("read")
        .policy_document(READ_BUCKET)
        .send()
        .await
        .unwrap();
    let out = sts_with(&s, &key, &secret, None)
        .get_session_token()
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let c = session_client(&s, creds);
    assert_eq!(get(&c, "a.txt").await.unwrap(), b"hello");
    let err = c
        .delete_object()
        .bucket("roledata")
        .key("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let temp_sts = sts_with(
        &s,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    );
    let me = temp_sts.get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn().unwrap(),
        format!("arn:aws:iam::{account}:user/alice")
    );
    // Session credentials cannot call IAM (no MFA) nor get another session token…
    let err = iam_session(
        &s,
        creds.access_key_id(),
        creds.secret_access_key(),
        creds.session_token(),
    )
    .list_users()
    .send()
    .await
    .unwrap_err();
    assert_eq!(
        err.as_service_error()
            .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::code(e)),
        Some("InvalidClientTokenId")
    );
    let err = temp_sts.get_session_token().send().await.unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    // …but may assume a role.
    temp_sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/reader"))
        .role_session_name("from-session")
        .send()
        .await
        .unwrap();
    // Root gets at most an hour.
    let err = sts_with(&s, ROOT_KEY, ROOT_SECRET, None)
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "ValidationError");
    let info = sts_with(&s, ROOT_KEY, ROOT_SECRET, None)
        .get_access_key_info()
        .access_key_id(creds.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(info.account().unwrap(), account);
}

#[tokio::test]
async fn openid_connect_providers() {
    let s = Server::start();
    let iam = s.iam();
    let account = account_id(&s).await;
    let arn = iam
        .create_open_id_connect_provider()
        .url("https://issuer.example.com/tenant")
        .client_id_list("app-1")
        .client_id_list("app-1")
        .thumbprint_list("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")
        .send()
        .await
        .unwrap()
        .open_id_connect_provider_arn()
        .unwrap()
        .to_string();
    assert_eq!(
        arn,
        format!("arn:aws:iam::{account}:oidc-provider/issuer.example.com/tenant")
    );
    let err = iam
        .create_open_id_connect_provider()
        .url("https://issuer.example.com/tenant")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error()
            .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::code(e)),
        Some("EntityAlreadyExists")
    );
    let err = iam
        .create_open_id_connect_provider()
        .url("http://plain.example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error()
            .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::code(e)),
        Some("InvalidInput")
    );
    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("app-2")
        .send()
        .await
        .unwrap();
    iam.remove_client_id_from_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("app-1")
        .send()
        .await
        .unwrap();
    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.url(), Some("issuer.example.com/tenant"));
    assert_eq!(got.client_id_list(), ["app-2"]);
    assert_eq!(got.thumbprint_list().len(), 1);
    let list = iam.list_open_id_connect_providers().send().await.unwrap();
    assert_eq!(list.open_id_connect_provider_list().len(), 1);
    // An IAM user without permissions cannot see them.
    let (_, user_iam, _) = s.user("nobody").await;
    assert!(
        user_iam
            .list_open_id_connect_providers()
            .send()
            .await
            .is_err()
    );
    iam.delete_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error()
            .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::code(e)),
        Some("NoSuchEntity")
    );
}
