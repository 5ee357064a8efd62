//! The IAM parts of the seed guides, end to end: each credential gets exactly what AWS would give
//! it — what its policies allow, AccessDenied for everything else.

use crate::harness::*;
use aws_sdk_s3::Client;

async fn put(c: &Client, bucket: &str, key: &str) -> Result<(), String> {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(b"data".to_vec().into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn get(c: &Client, bucket: &str, key: &str) -> Result<(), String> {
    c.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn delete(c: &Client, bucket: &str, key: &str) -> Result<(), String> {
    c.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn list(c: &Client, bucket: &str) -> Result<(), String> {
    c.list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn list_all(c: &Client) -> Result<(), String> {
    c.list_buckets()
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

const DENIED: Result<(), String> = Err(String::new());

fn denied(r: Result<(), String>) -> bool {
    r.as_ref().err().map(String::as_str) == Some("AccessDenied")
}

/// Seed 000 (KPSync): a user with no policies of its own, granted by a bucket policy naming its ARN.
#[tokio::test]
async fn user_without_policies_is_granted_by_bucket_policy_naming_its_arn() {
    let s = Server::start();
    let root = s.client();
    root.create_bucket()
        .bucket("kpsync-db")
        .send()
        .await
        .unwrap();
    root.create_bucket()
        .bucket("other-bucket")
        .send()
        .await
        .unwrap();
    put(&root, "other-bucket", "secret").await.unwrap();
    let (user, user_iam, arn) = s.user("kpsync").await;
    assert!(
        denied(put(&user, "kpsync-db", "db.kdbx").await),
        "no policy yet"
    );
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"KPSync","Effect":"Allow","Principal":{{"AWS":"{arn}"}},
        "Action":["s3:ListBucket","s3:PutObjectAcl","s3:GetObject","s3:GetObjectAcl","s3:PutObject"],
        "Resource":["arn:aws:s3:::kpsync-db","arn:aws:s3:::kpsync-db/*"]}}]}}"#
    );
    root.put_bucket_policy()
        .bucket("kpsync-db")
        .policy(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(put(&user, "kpsync-db", "db.kdbx").await, Ok(()));
    assert_eq!(get(&user, "kpsync-db", "db.kdbx").await, Ok(()));
    assert_eq!(list(&user, "kpsync-db").await, Ok(()));
    assert!(denied(delete(&user, "kpsync-db", "db.kdbx").await));
    assert!(denied(get(&user, "other-bucket", "secret").await));
    assert!(denied(list(&user, "other-bucket").await));
    assert!(denied(list_all(&user).await));
    let err = user
        .create_bucket()
        .bucket("user-made")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let err = user_iam.list_users().send().await.unwrap_err();
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("AccessDenied")
    );
    let got = root
        .get_bucket_policy()
        .bucket("kpsync-db")
        .send()
        .await
        .unwrap();
    assert!(got.policy().unwrap_or_default().contains("KPSync"));
    // Removing the policy takes effect on the next request.
    root.delete_bucket_policy()
        .bucket("kpsync-db")
        .send()
        .await
        .unwrap();
    assert!(denied(get(&user, "kpsync-db", "db.kdbx").await));
    let _ = DENIED;
}

/// Seed 001 (middleman s3_sync): a group inline policy allowing s3:* on one bucket.
#[tokio::test]
async fn group_policy_grants_one_bucket_fully_and_nothing_else() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    root.create_bucket()
        .bucket("www-example")
        .send()
        .await
        .unwrap();
    root.create_bucket()
        .bucket("private-stuff")
        .send()
        .await
        .unwrap();
    let (user, _, _) = s.user("deployer").await;
    iam.create_group()
        .group_name("site-deployers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("site-deployers")
        .user_name("deployer")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("site-deployers")
        .policy_name("www")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
            "Resource":["arn:aws:s3:::www-example","arn:aws:s3:::www-example/*"]}]}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put(&user, "www-example", "index.html").await, Ok(()));
    assert_eq!(get(&user, "www-example", "index.html").await, Ok(()));
    assert_eq!(list(&user, "www-example").await, Ok(()));
    assert_eq!(delete(&user, "www-example", "index.html").await, Ok(()));
    user.put_bucket_tagging()
        .bucket("www-example")
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("site")
                        .value("www")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(denied(list_all(&user).await), "cannot list all buckets");
    assert!(denied(put(&user, "private-stuff", "x").await));
    assert!(denied(list(&user, "private-stuff").await));
    // Root keys may do anything in the account.
    assert_eq!(list_all(&root).await, Ok(()));
    assert_eq!(put(&root, "private-stuff", "x").await, Ok(()));
    // Leaving the group takes effect on the next request.
    iam.remove_user_from_group()
        .group_name("site-deployers")
        .user_name("deployer")
        .send()
        .await
        .unwrap();
    assert!(denied(put(&user, "www-example", "index.html").await));
}

/// Seed 002 (alternative path): a customer-managed append-only policy attached to a user.
#[tokio::test]
async fn managed_write_only_policy_allows_put_and_delete_but_not_read_or_list() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    root.create_bucket()
        .bucket("thanx-dest")
        .send()
        .await
        .unwrap();
    let (user, _, _) = s.user("thanx-writer").await;
    let policy = iam
        .create_policy()
        .policy_name("thanx-append-only")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],
            "Resource":"arn:aws:s3:::thanx-dest/*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let arn = policy.policy().and_then(|p| p.arn()).unwrap().to_string();
    iam.attach_user_policy()
        .user_name("thanx-writer")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    // The third party's connection test: write, then delete a test object.
    assert_eq!(
        put(&user, "thanx-dest", "connection-test.txt").await,
        Ok(())
    );
    assert_eq!(
        delete(&user, "thanx-dest", "connection-test.txt").await,
        Ok(())
    );
    put(&user, "thanx-dest", "export.csv").await.unwrap();
    assert!(denied(get(&user, "thanx-dest", "export.csv").await));
    assert!(denied(list(&user, "thanx-dest").await));
    // Detaching takes effect on the next request.
    iam.detach_user_policy()
        .user_name("thanx-writer")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(denied(put(&user, "thanx-dest", "again.csv").await));
}

/// Seed 003: one user per bucket with an inline CRUD policy.
#[tokio::test]
async fn inline_user_policy_gives_crud_on_its_own_bucket_only() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    for b in ["shop-production", "shop-staging"] {
        root.create_bucket().bucket(b).send().await.unwrap();
    }
    let (user, _, _) = s.user("shop-production").await;
    iam.put_user_policy()
        .user_name("shop-production")
        .policy_name("crud")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:ListBucket","s3:ListBucketVersions","s3:ListBucketMultipartUploads"],"Resource":"arn:aws:s3:::shop-production"},
              {"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:PutObject","s3:PutObjectAcl","s3:GetObjectAcl",
                 "s3:DeleteObject","s3:DeleteObjectVersion","s3:PutObjectRetention","s3:GetObjectRetention","s3:RestoreObject",
                 "s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::shop-production/*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put(&user, "shop-production", "a.jpg").await, Ok(()));
    assert_eq!(get(&user, "shop-production", "a.jpg").await, Ok(()));
    assert_eq!(list(&user, "shop-production").await, Ok(()));
    user.list_multipart_uploads()
        .bucket("shop-production")
        .send()
        .await
        .unwrap();
    assert_eq!(delete(&user, "shop-production", "a.jpg").await, Ok(()));
    assert!(denied(put(&user, "shop-staging", "a.jpg").await));
    let err = user
        .delete_bucket()
        .bucket("shop-production")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let err = user
        .get_bucket_policy()
        .bucket("shop-production")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
}

/// Seed 004 (Upsolver): a managed policy with ListAllMyBuckets, s3:* on the output bucket, reads on
/// the input bucket (including the non-existent s3:ListObject, which IAM accepts).
#[tokio::test]
async fn upsolver_policy_reads_input_writes_output_and_lists_buckets() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    for b in ["upsolver-input", "upsolver-output"] {
        root.create_bucket().bucket(b).send().await.unwrap();
    }
    put(&root, "upsolver-input", "events.json").await.unwrap();
    let (user, _, _) = s.user("upsolver").await;
    let account = s
        .iam()
        .get_user()
        .user_name("upsolver")
        .send()
        .await
        .unwrap()
        .user()
        .map(|u| u.arn().split(':').nth(4).unwrap_or_default().to_string())
        .unwrap();
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*"}},
          {{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::upsolver-output","arn:aws:s3:::upsolver-output/*"]}},
          {{"Effect":"Allow","Action":["s3:GetObject","s3:ListObject","s3:ListBucket","s3:GetBucketLocation"],
            "Resource":["arn:aws:s3:::upsolver-input","arn:aws:s3:::upsolver-input/*"]}},
          {{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
    );
    let p = iam
        .create_policy()
        .policy_name("upsolver")
        .policy_document(doc)
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("upsolver")
        .policy_arn(p.policy().and_then(|p| p.arn()).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(list_all(&user).await, Ok(()));
    assert_eq!(get(&user, "upsolver-input", "events.json").await, Ok(()));
    assert_eq!(list(&user, "upsolver-input").await, Ok(()));
    assert!(denied(put(&user, "upsolver-input", "x").await));
    assert!(denied(delete(&user, "upsolver-input", "events.json").await));
    assert_eq!(put(&user, "upsolver-output", "out.parquet").await, Ok(()));
    assert_eq!(
        delete(&user, "upsolver-output", "out.parquet").await,
        Ok(())
    );
}

/// Keys: inactive keys are refused at once, deleted keys are unknown; AccessDenied explains.
#[tokio::test]
async fn key_changes_take_effect_on_the_next_request() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    root.create_bucket()
        .bucket("keys-bucket")
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name("rotating")
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("rotating")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("rotating")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let user = s.client_with(key.access_key_id(), key.secret_access_key());
    assert_eq!(list(&user, "keys-bucket").await, Ok(()));
    let err = user
        .put_object()
        .bucket("keys-bucket")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let message = err
        .as_service_error()
        .and_then(|e| e.meta().message())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::keys-bucket/k\" because no identity-based policy allows the s3:PutObject action"),
        "{message}"
    );
    iam.update_access_key()
        .user_name("rotating")
        .access_key_id(key.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    assert_eq!(
        list(&user, "keys-bucket").await,
        Err("InvalidAccessKeyId".into())
    );
    iam.update_access_key()
        .user_name("rotating")
        .access_key_id(key.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Active)
        .send()
        .await
        .unwrap();
    assert_eq!(list(&user, "keys-bucket").await, Ok(()));
    iam.delete_access_key()
        .user_name("rotating")
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        list(&user, "keys-bucket").await,
        Err("InvalidAccessKeyId".into())
    );
}

/// A bucket policy's explicit Deny beats the owner's identity allows; `Principal: *` grants
/// anonymous access only once Block Public Access is turned off.
#[tokio::test]
async fn explicit_deny_in_bucket_policy_wins_and_invalid_policies_are_refused() {
    let s = Server::start();
    let root = s.client();
    root.create_bucket().bucket("guarded").send().await.unwrap();
    let (user, _, arn) = s.user("admin-ish").await;
    s.iam()
        .attach_user_policy()
        .user_name("admin-ish")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(put(&user, "guarded", "k").await, Ok(()));
    let deny = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":{{"AWS":"{arn}"}},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::guarded/*"}}]}}"#
    );
    root.put_bucket_policy()
        .bucket("guarded")
        .policy(deny)
        .send()
        .await
        .unwrap();
    let err = user
        .delete_object()
        .bucket("guarded")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let message = err
        .as_service_error()
        .and_then(|e| e.meta().message())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("explicit deny in a resource-based policy"),
        "{message}"
    );
    assert_eq!(get(&user, "guarded", "k").await, Ok(()));
    for (bad, why) in [
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#,
            "Missing required field Principal",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListObject","Resource":"arn:aws:s3:::guarded"}]}"#,
            "Policy has invalid action",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}"#,
            "Policy has invalid resource",
        ),
        ("not json", "This policy contains invalid Json"),
    ] {
        let err = root
            .put_bucket_policy()
            .bucket("guarded")
            .policy(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "MalformedPolicy", "{bad}");
        let msg = err
            .as_service_error()
            .and_then(|e| e.meta().message())
            .unwrap_or_default()
            .to_string();
        assert!(msg.contains(why), "{msg} should mention {why}");
    }
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#;
    // Block Public Access is on for new buckets: a public policy is refused...
    let err = root
        .put_bucket_policy()
        .bucket("guarded")
        .policy(public)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    // ...until the owner turns it off.
    root.delete_public_access_block()
        .bucket("guarded")
        .send()
        .await
        .unwrap();
    root.put_bucket_policy()
        .bucket("guarded")
        .policy(public)
        .send()
        .await
        .unwrap();
    let status = root
        .get_bucket_policy_status()
        .bucket("guarded")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.policy_status().and_then(|p| p.is_public()),
        Some(true)
    );
    let anon = reqwest::get(format!("{}/guarded/k", s.endpoint))
        .await
        .unwrap();
    assert_eq!(anon.status(), 200);
    // RestrictPublicBuckets: the public policy then admits only the owner's account.
    root.put_public_access_block()
        .bucket("guarded")
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let anon = reqwest::get(format!("{}/guarded/k", s.endpoint))
        .await
        .unwrap();
    assert_eq!(anon.status(), 403);
}

/// Cross-account access needs both the bucket policy and the caller's own identity policy.
#[tokio::test]
async fn cross_account_grant_needs_bucket_policy_and_identity_policy() {
    let s = Server::start();
    let owner = s.client();
    owner
        .create_bucket()
        .bucket("shared-data")
        .send()
        .await
        .unwrap();
    put(&owner, "shared-data", "report.csv").await.unwrap();
    let (partner_id, partner_key, partner_secret) = create_account(&s, "partner");
    assert_eq!(partner_id.len(), 12);
    let partner_root = s.client_with(&partner_key, &partner_secret);
    let partner_iam = s.iam_with(&partner_key, &partner_secret);
    // The partner account has its own IAM namespace.
    partner_iam
        .create_user()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    assert!(s.iam().get_user().user_name("reader").send().await.is_err());
    let key = partner_iam
        .create_access_key()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let reader = s.client_with(key.access_key_id(), key.secret_access_key());
    // Nothing is shared yet.
    assert!(denied(
        get(&partner_root, "shared-data", "report.csv").await
    ));
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{partner_id}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-data/*"}}]}}"#
    );
    owner
        .put_bucket_policy()
        .bucket("shared-data")
        .policy(policy)
        .send()
        .await
        .unwrap();
    // The bucket policy alone is not enough for the partner's user...
    assert!(denied(get(&reader, "shared-data", "report.csv").await));
    partner_iam
        .put_user_policy()
        .user_name("reader")
        .policy_name("read-shared")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-data/*"}]}"#)
        .send()
        .await
        .unwrap();
    // ...both sides together are.
    assert_eq!(get(&reader, "shared-data", "report.csv").await, Ok(()));
    assert!(denied(put(&reader, "shared-data", "x").await));
    assert!(denied(list(&reader, "shared-data").await));
    // The partner's buckets are its own.
    partner_root
        .create_bucket()
        .bucket("partner-bucket")
        .send()
        .await
        .unwrap();
    assert!(denied(list(&owner, "partner-bucket").await));
    let names: Vec<String> = owner
        .list_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect();
    assert_eq!(names, vec!["shared-data".to_string()]);
}

/// Condition keys from the request: `s3:prefix` with `${aws:username}`, `aws:SourceIp`, and the
/// *Version actions a `versionId` selects.
#[tokio::test]
async fn conditions_see_prefix_source_ip_and_version_ids() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    root.create_bucket().bucket("homes").send().await.unwrap();
    put(&root, "homes", "home/alice/notes.txt").await.unwrap();
    put(&root, "homes", "home/bob/notes.txt").await.unwrap();
    let (alice, _, _) = s.user("alice").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("home")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::homes","Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}},
              {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::homes/home/${aws:username}/*"},
              {"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    let listed = alice
        .list_objects_v2()
        .bucket("homes")
        .prefix("home/alice/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(1));
    let err = alice
        .list_objects_v2()
        .bucket("homes")
        .prefix("home/bob/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    assert!(denied(list(&alice, "homes").await), "no prefix, no listing");
    assert_eq!(get(&alice, "homes", "home/alice/notes.txt").await, Ok(()));
    assert!(denied(get(&alice, "homes", "home/bob/notes.txt").await));
    assert_eq!(
        put(&alice, "homes", "home/alice/new.txt").await,
        Ok(()),
        "loopback is inside the allowed range"
    );
    // Naming a version needs s3:GetObjectVersion, which the policy does not grant.
    let err = alice
        .get_object()
        .bucket("homes")
        .key("home/alice/notes.txt")
        .version_id("null")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("no-loopback")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    assert!(denied(get(&alice, "homes", "home/alice/notes.txt").await));
}

/// A permissions boundary caps identity policies; object and principal tags feed conditions;
/// key use is reported by GetAccessKeyLastUsed.
#[tokio::test]
async fn boundaries_tags_and_key_last_use() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    root.create_bucket()
        .bucket("tagged-data")
        .send()
        .await
        .unwrap();
    for (key, team) in [("web/a.txt", "web"), ("ops/b.txt", "ops")] {
        root.put_object()
            .bucket("tagged-data")
            .key(key)
            .tagging(format!("team={team}"))
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let (user, _, _) = s.user("carol").await;
    iam.tag_user()
        .user_name("carol")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("web")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("carol")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3FullAccess")
        .send()
        .await
        .unwrap();
    // Full access, but a boundary allows only reads of objects tagged with the user's team.
    let boundary = iam
        .create_policy()
        .policy_name("team-reads")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"${aws:PrincipalTag/team}"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    let boundary_arn = boundary.policy().and_then(|p| p.arn()).unwrap().to_string();
    assert_eq!(
        put(&user, "tagged-data", "web/new.txt").await,
        Ok(()),
        "before the boundary"
    );
    iam.put_user_permissions_boundary()
        .user_name("carol")
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(get(&user, "tagged-data", "web/a.txt").await, Ok(()));
    assert!(
        denied(get(&user, "tagged-data", "ops/b.txt").await),
        "other team's object"
    );
    assert!(
        denied(put(&user, "tagged-data", "web/c.txt").await),
        "the boundary allows no writes"
    );
    let message = user
        .put_object()
        .bucket("tagged-data")
        .key("x")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err()
        .into_service_error()
        .meta()
        .message()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("is not authorized to perform: s3:PutObject"),
        "{message}"
    );
    iam.delete_user_permissions_boundary()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(put(&user, "tagged-data", "web/c.txt").await, Ok(()));
    let keys = iam
        .list_access_keys()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let key_id = keys.access_key_metadata()[0]
        .access_key_id()
        .unwrap()
        .to_string();
    let used = iam
        .get_access_key_last_used()
        .access_key_id(&key_id)
        .send()
        .await
        .unwrap();
    let used = used.access_key_last_used().unwrap();
    assert_eq!(used.service_name(), "s3");
    assert!(used.last_used_date().is_some());
}
