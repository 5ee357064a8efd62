//! Scenarios from the five third-party setup guides Cairn must serve: each
//! writes a policy for an S3 client and expects exactly these permissions.

mod common;

use cairn_policy::{Decision, Policy, PolicySet, catalog, evaluate};
use common::*;

/// Evaluates `(action, resource, expected)` rows for bob against a policy set.
fn expect(set: &PolicySet<'_>, rows: &[(&str, &str, Decision)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(action, resource, want)| {
            let e = evaluate(set, &request(bob(), action, resource));
            (e.decision != *want).then(|| {
                format!(
                    "{action} on {resource}: got {:?} ({}), want {want:?}",
                    e.decision, e.reason
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every action a policy names must be in the catalog, except the listed typos.
fn unknown_actions(p: &Policy) -> Vec<String> {
    p.statements
        .iter()
        .flat_map(|s| match &s.action {
            cairn_policy::ActionBlock::Action(list)
            | cairn_policy::ActionBlock::NotAction(list) => list.clone(),
        })
        .filter(|a| a != "*" && !a.contains('*'))
        .filter(|a| {
            let (service, name) = a.split_once(':').unwrap_or_default();
            !catalog::is_known_action(service, name)
        })
        .collect()
}

use Decision::{Allow, ImplicitDeny};

#[test]
fn guide1_bucket_policy_naming_a_user() {
    // KPSync: the bucket owner grants an IAM user access through the bucket
    // policy only; the user has no identity-based policies.
    let b = bucket(
        r#"{
          "Version": "2012-10-17",
          "Statement": [{
            "Sid": "KPSyncAccess",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"},
            "Action": ["s3:ListBucket", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectAcl", "s3:PutObject"],
            "Resource": ["arn:aws:s3:::kpsync-bucket", "arn:aws:s3:::kpsync-bucket/*"]
          }]
        }"#,
    );
    assert!(unknown_actions(&b).is_empty());
    let set = PolicySet {
        resource: vec![("kpsync-bucket policy", &b)],
        ..Default::default()
    };
    expect(
        &set,
        &[
            ("s3:ListBucket", "arn:aws:s3:::kpsync-bucket", Allow),
            ("s3:GetObject", "arn:aws:s3:::kpsync-bucket/db.kdbx", Allow),
            ("s3:PutObject", "arn:aws:s3:::kpsync-bucket/db.kdbx", Allow),
            (
                "s3:GetObjectAcl",
                "arn:aws:s3:::kpsync-bucket/db.kdbx",
                Allow,
            ),
            (
                "s3:PutObjectAcl",
                "arn:aws:s3:::kpsync-bucket/db.kdbx",
                Allow,
            ),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::kpsync-bucket/db.kdbx",
                ImplicitDeny,
            ),
            (
                "s3:DeleteBucket",
                "arn:aws:s3:::kpsync-bucket",
                ImplicitDeny,
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::other-bucket/db.kdbx",
                ImplicitDeny,
            ),
            ("s3:ListBucket", "arn:aws:s3:::other-bucket", ImplicitDeny),
        ],
    );
}

#[test]
fn guide2_group_inline_policy_on_one_bucket() {
    // A group inline policy granting s3:* on one bucket and its objects; the
    // member evaluates it as one of its identity-based policies.
    let g = identity(
        r#"{
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::backup-bucket", "arn:aws:s3:::backup-bucket/*"]
          }]
        }"#,
    );
    let set = PolicySet {
        identity: vec![("group backup inline", &g)],
        ..Default::default()
    };
    expect(
        &set,
        &[
            ("s3:ListBucket", "arn:aws:s3:::backup-bucket", Allow),
            ("s3:GetBucketLocation", "arn:aws:s3:::backup-bucket", Allow),
            (
                "s3:PutObject",
                "arn:aws:s3:::backup-bucket/2024/db.tar",
                Allow,
            ),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::backup-bucket/2024/db.tar",
                Allow,
            ),
            (
                "s3:AbortMultipartUpload",
                "arn:aws:s3:::backup-bucket/2024/db.tar",
                Allow,
            ),
            // Listing all buckets is a "*" resource action: not covered.
            ("s3:ListAllMyBuckets", "*", ImplicitDeny),
            ("s3:ListBucket", "arn:aws:s3:::other-bucket", ImplicitDeny),
            ("s3:GetObject", "arn:aws:s3:::other-bucket/x", ImplicitDeny),
            // Prefix look-alikes are other buckets.
            (
                "s3:ListBucket",
                "arn:aws:s3:::backup-bucket-2",
                ImplicitDeny,
            ),
            (
                "iam:GetUser",
                "arn:aws:iam::123456789012:user/bob",
                ImplicitDeny,
            ),
        ],
    );
}

#[test]
fn guide3_managed_policy_put_and_delete_only() {
    let m = identity(
        r#"{
          "Version": "2012-10-17",
          "Statement": [{
            "Sid": "WriteOnly",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::drop-bucket/*"
          }]
        }"#,
    );
    assert!(unknown_actions(&m).is_empty());
    let set = PolicySet {
        identity: vec![("arn:aws:iam::123456789012:policy/drop-write", &m)],
        ..Default::default()
    };
    expect(
        &set,
        &[
            ("s3:PutObject", "arn:aws:s3:::drop-bucket/a/b.txt", Allow),
            ("s3:DeleteObject", "arn:aws:s3:::drop-bucket/a/b.txt", Allow),
            (
                "s3:GetObject",
                "arn:aws:s3:::drop-bucket/a/b.txt",
                ImplicitDeny,
            ),
            ("s3:ListBucket", "arn:aws:s3:::drop-bucket", ImplicitDeny),
            // The object ARN pattern does not cover the bucket itself.
            ("s3:PutObject", "arn:aws:s3:::drop-bucket", ImplicitDeny),
            ("s3:PutObject", "arn:aws:s3:::other/a", ImplicitDeny),
        ],
    );
    let e = evaluate(
        &set,
        &request(bob(), "s3:GetObject", "arn:aws:s3:::drop-bucket/a"),
    );
    assert_eq!(
        e.reason,
        "no identity-based policy allows the s3:GetObject action"
    );
}

#[test]
fn guide4_inline_user_policy_with_full_crud() {
    let u = identity(
        r#"{
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "Bucket",
              "Effect": "Allow",
              "Action": ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
              "Resource": "arn:aws:s3:::app-data"
            },
            {
              "Sid": "Objects",
              "Effect": "Allow",
              "Action": [
                "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
                "s3:GetObjectAcl", "s3:PutObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObjectVersionAcl",
                "s3:GetObjectRetention", "s3:PutObjectRetention", "s3:RestoreObject",
                "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"
              ],
              "Resource": "arn:aws:s3:::app-data/*"
            }
          ]
        }"#,
    );
    assert!(unknown_actions(&u).is_empty(), "{:?}", unknown_actions(&u));
    let set = PolicySet {
        identity: vec![("user bob inline app-data", &u)],
        ..Default::default()
    };
    let object = "arn:aws:s3:::app-data/reports/q1.csv";
    let mut rows: Vec<(&str, &str, Decision)> = [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:GetObjectAcl",
        "s3:PutObjectAcl",
        "s3:GetObjectVersionAcl",
        "s3:PutObjectVersionAcl",
        "s3:GetObjectRetention",
        "s3:PutObjectRetention",
        "s3:RestoreObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
    ]
    .iter()
    .map(|a| (*a, object, Allow))
    .collect();
    rows.extend([
        ("s3:ListBucket", "arn:aws:s3:::app-data", Allow),
        ("s3:ListBucketVersions", "arn:aws:s3:::app-data", Allow),
        (
            "s3:ListBucketMultipartUploads",
            "arn:aws:s3:::app-data",
            Allow,
        ),
        ("s3:GetBucketVersioning", "arn:aws:s3:::app-data", Allow),
        (
            "s3:PutBucketVersioning",
            "arn:aws:s3:::app-data",
            ImplicitDeny,
        ),
        ("s3:DeleteBucket", "arn:aws:s3:::app-data", ImplicitDeny),
        ("s3:PutBucketPolicy", "arn:aws:s3:::app-data", ImplicitDeny),
        ("s3:PutObjectLegalHold", object, ImplicitDeny),
        ("s3:BypassGovernanceRetention", object, ImplicitDeny),
        (
            "s3:GetObject",
            "arn:aws:s3:::other/reports/q1.csv",
            ImplicitDeny,
        ),
    ]);
    expect(&set, &rows);
}

#[test]
fn guide5_upsolver_policy_with_variables_and_a_typo() {
    let p = identity(
        r#"{
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::upsolver-output", "arn:aws:s3:::upsolver-output/*"]},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:ListObject", "s3:GetBucketLocation"],
             "Resource": ["arn:aws:s3:::upsolver-input", "arn:aws:s3:::upsolver-input/*"]},
            {"Effect": "Allow", "Action": "iam:SimulatePrincipalPolicy", "Resource": "arn:aws:iam::123456789012:user/${aws:username}"}
          ]
        }"#,
    );
    // IAM accepts the non-existent s3:ListObject; a linter flags it.
    assert_eq!(unknown_actions(&p), vec!["s3:ListObject".to_owned()]);
    assert!(!catalog::is_known_action("s3", "ListObject"));
    assert!(catalog::is_known_action("iam", "SimulatePrincipalPolicy"));
    let set = PolicySet {
        identity: vec![("upsolver", &p)],
        ..Default::default()
    };
    expect(
        &set,
        &[
            ("s3:ListAllMyBuckets", "*", Allow),
            (
                "s3:PutObject",
                "arn:aws:s3:::upsolver-output/part-0001.parquet",
                Allow,
            ),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::upsolver-output/part-0001.parquet",
                Allow,
            ),
            ("s3:ListBucket", "arn:aws:s3:::upsolver-output", Allow),
            (
                "s3:GetObject",
                "arn:aws:s3:::upsolver-input/events/1.json",
                Allow,
            ),
            ("s3:ListBucket", "arn:aws:s3:::upsolver-input", Allow),
            (
                "s3:PutObject",
                "arn:aws:s3:::upsolver-input/events/1.json",
                ImplicitDeny,
            ),
            (
                "s3:DeleteObject",
                "arn:aws:s3:::upsolver-input/events/1.json",
                ImplicitDeny,
            ),
            ("s3:GetObject", "arn:aws:s3:::elsewhere/x", ImplicitDeny),
            // ${aws:username} resolves to the caller: bob may simulate himself only.
            (
                "iam:SimulatePrincipalPolicy",
                "arn:aws:iam::123456789012:user/bob",
                Allow,
            ),
            (
                "iam:SimulatePrincipalPolicy",
                "arn:aws:iam::123456789012:user/alice",
                ImplicitDeny,
            ),
        ],
    );
    // A role session has no aws:username, so the variable statement grants nothing.
    let e = evaluate(
        &set,
        &request(
            session(),
            "iam:SimulatePrincipalPolicy",
            "arn:aws:iam::123456789012:user/",
        ),
    );
    assert_eq!(e.decision, ImplicitDeny);
}
