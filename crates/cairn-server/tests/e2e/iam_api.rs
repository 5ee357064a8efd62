//! The IAM API through aws-sdk-iam: shapes, limits and error codes as AWS returns them.

use crate::harness::*;

fn iam_code<E: aws_sdk_iam::error::ProvideErrorMetadata>(
    e: &aws_sdk_iam::error::SdkError<E>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

const S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

#[tokio::test]
async fn users_keys_and_their_conflicts() {
    let s = Server::start();
    let iam = s.iam();
    let u = iam
        .create_user()
        .user_name("alice")
        .path("/team/")
        .send()
        .await
        .unwrap();
    let u = u.user().unwrap();
    assert!(u.user_id().starts_with("AIDA"));
    assert!(u.arn().ends_with(":user/team/alice"));
    let err = iam
        .create_user()
        .user_name("ALICE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "EntityAlreadyExists");
    let err = iam
        .create_user()
        .user_name("bad name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "ValidationError");
    let err = iam.get_user().user_name("nobody").send().await.unwrap_err();
    assert_eq!(iam_code(&err), "NoSuchEntity");
    let k1 = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let k1 = k1.access_key().unwrap();
    assert!(k1.access_key_id().starts_with("AKIA") && k1.access_key_id().len() == 20);
    assert_eq!(k1.secret_access_key().len(), 40);
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let err = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "LimitExceeded");
    let keys = iam
        .list_access_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(keys.access_key_metadata().len(), 2);
    let err = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "DeleteConflict");
    for k in keys.access_key_metadata() {
        iam.delete_access_key()
            .user_name("alice")
            .access_key_id(k.access_key_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    iam.tag_user()
        .user_name("alice")
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
    assert_eq!(
        iam.list_user_tags()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .tags()
            .len(),
        1
    );
    iam.update_user()
        .user_name("alice")
        .new_user_name("alicia")
        .send()
        .await
        .unwrap();
    assert_eq!(
        iam.list_users().send().await.unwrap().users()[0].user_name(),
        "alicia"
    );
    iam.delete_user().user_name("alicia").send().await.unwrap();
    assert!(iam.list_users().send().await.unwrap().users().is_empty());
}

#[tokio::test]
async fn policies_versions_attachments_and_validation() {
    let s = Server::start();
    let iam = s.iam();
    let err = iam
        .create_policy()
        .policy_name("p")
        .policy_document("{not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "MalformedPolicyDocument");
    let err = iam
        .create_policy()
        .policy_name("p")
        .policy_document(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "MalformedPolicyDocument");
    let p = iam
        .create_policy()
        .policy_name("p")
        .policy_document(S3_READ)
        .send()
        .await
        .unwrap();
    let arn = p.policy().unwrap().arn().unwrap().to_string();
    for _ in 2..=5 {
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(S3_READ)
            .send()
            .await
            .unwrap();
    }
    let err = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(S3_READ)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "LimitExceeded");
    iam.set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "DeleteConflict");
    let v = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await
        .unwrap();
    assert!(v.policy_version().unwrap().is_default_version());
    assert!(
        v.policy_version()
            .unwrap()
            .document()
            .unwrap()
            .contains("s3%3AGetObject")
            || v.policy_version()
                .unwrap()
                .document()
                .unwrap()
                .contains("s3:GetObject")
    );
    iam.create_user().user_name("u").send().await.unwrap();
    iam.create_group().group_name("g").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("u")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("g")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let ents = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(ents.policy_users().len(), 1);
    assert_eq!(ents.policy_groups().len(), 1);
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().attachment_count(), Some(2));
    let err = iam
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "DeleteConflict");
    let err = iam
        .attach_user_policy()
        .user_name("u")
        .policy_arn("arn:aws:iam::aws:policy/NoSuchPolicy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "NoSuchEntity");
    let aws = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = aws
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    for n in [
        "AdministratorAccess",
        "AmazonS3FullAccess",
        "AmazonS3ReadOnlyAccess",
        "IAMFullAccess",
        "IAMReadOnlyAccess",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{}]}}]}}"#,
        (0..100)
            .map(|i| format!("\"arn:aws:s3:::bucket-number-{i:04}/*\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let err = iam
        .put_user_policy()
        .user_name("u")
        .policy_name("big")
        .policy_document(big)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "LimitExceeded");
}

#[tokio::test]
async fn iam_calls_are_authorized_by_policies_too() {
    let s = Server::start();
    let iam = s.iam();
    let (_, user_iam, _) = s.user("auditor").await;
    let err = user_iam.list_users().send().await.unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    iam.attach_user_policy()
        .user_name("auditor")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(user_iam.list_users().send().await.unwrap().users().len(), 1);
    let err = user_iam
        .create_user()
        .user_name("sneaky")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    // ${aws:username} lets a user manage only its own keys.
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("own-keys")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name("someone-else")
        .send()
        .await
        .unwrap();
    assert_eq!(
        user_iam
            .list_access_keys()
            .send()
            .await
            .unwrap()
            .access_key_metadata()
            .len(),
        1
    );
    let err = user_iam
        .create_access_key()
        .user_name("someone-else")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    let roles = iam
        .create_role()
        .role_name("reader")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:sub":"1234"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    assert!(roles.role().unwrap().role_id().starts_with("AROA"));
    let err = iam
        .create_role()
        .role_name("bad-trust")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "MalformedPolicyDocument");
}
