//! IAM policy simulation through aws-sdk-iam: AWS's result shape (matched statements with their
//! positions, missing context values, boundary and cross-account details, resource-specific
//! results), context keys, pagination, errors — and simulated decisions agreeing with real S3
//! requests made with the same principals' keys.

use crate::harness::*;
use aws_sdk_iam::types::{
    ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType,
};
use aws_sdk_s3::Client;

fn iam_code<E: aws_sdk_iam::error::ProvideErrorMetadata>(
    e: &aws_sdk_iam::error::SdkError<E>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

/// `(SourcePolicyId, SourcePolicyType, start (line, column), end (line, column))`.
type Matched = (String, String, Option<(i32, i32)>, Option<(i32, i32)>);

fn matched(statements: &[aws_sdk_iam::types::Statement]) -> Vec<Matched> {
    statements
        .iter()
        .map(|m| {
            (
                m.source_policy_id().unwrap_or_default().to_string(),
                m.source_policy_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                m.start_position().map(|p| (p.line(), p.column())),
                m.end_position().map(|p| (p.line(), p.column())),
            )
        })
        .collect()
}

/// "ok", or the error code.
fn iam_outcome<T, E: aws_sdk_iam::error::ProvideErrorMetadata>(
    r: Result<T, aws_sdk_iam::error::SdkError<E>>,
) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => iam_code(&e),
    }
}

fn decision(r: &EvaluationResult) -> &str {
    r.eval_decision().as_str()
}

async fn account_of(s: &Server) -> String {
    let u = s
        .iam()
        .create_user()
        .user_name("account-probe")
        .send()
        .await
        .unwrap();
    u.user()
        .unwrap()
        .arn()
        .split(':')
        .nth(4)
        .unwrap()
        .to_string()
}

/// Statement 0 spans lines 4–9, statement 1 lines 10–15; both braces at character 5.
const READER: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Read\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::shape/*\"\n    },\n    {\n      \"Sid\": \"NoSecrets\",\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::shape/secret/*\"\n    }\n  ]\n}";

#[tokio::test]
async fn simulation_names_the_statements_that_decided_with_their_positions() {
    let s = Server::start();
    let iam = s.iam();
    let (_, _, arn) = s.user("shaper").await;
    iam.put_user_policy()
        .user_name("shaper")
        .policy_name("reader")
        .policy_document(READER)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("listers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("listers")
        .user_name("shaper")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("listers")
        .policy_name("list")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::shape"}]}"#)
        .send()
        .await
        .unwrap();
    let writer = iam
        .create_policy()
        .policy_name("writer")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::shape/uploads/*"}]}"#)
        .send()
        .await
        .unwrap();
    for policy in [
        writer.policy().and_then(|p| p.arn()).unwrap(),
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ] {
        iam.attach_user_policy()
            .user_name("shaper")
            .policy_arn(policy)
            .send()
            .await
            .unwrap();
    }
    let sim = |action: &str, resource: &str| {
        iam.simulate_principal_policy()
            .policy_source_arn(&arn)
            .action_names(action)
            .resource_arns(resource)
            .send()
    };

    let out = sim("s3:GetObject", "arn:aws:s3:::shape/a.txt")
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "allowed");
    assert_eq!(r.eval_action_name(), "s3:GetObject");
    assert_eq!(r.eval_resource_name(), Some("arn:aws:s3:::shape/a.txt"));
    let m = matched(r.matched_statements());
    assert!(
        m.contains(&("reader".into(), "user".into(), Some((4, 6)), Some((9, 6)))),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|(id, t, ..)| id == "AmazonS3ReadOnlyAccess" && t == "aws-managed"),
        "{m:?}"
    );
    assert!(r.organizations_decision_detail().is_none());
    assert!(r.permissions_boundary_decision_detail().is_none());
    // A named resource: its own entry, with the same decision and statements.
    let specific = r.resource_specific_results();
    assert_eq!(specific.len(), 1);
    assert_eq!(specific[0].eval_resource_name(), "arn:aws:s3:::shape/a.txt");
    assert_eq!(specific[0].eval_resource_decision().as_str(), "allowed");
    assert_eq!(matched(specific[0].matched_statements()), m);
    // Same account, named resource: the details map is there but empty.
    assert_eq!(r.eval_decision_details().map(|d| d.len()), Some(0));

    // An explicit deny names only the denying statement.
    let out = sim("s3:GetObject", "arn:aws:s3:::shape/secret/k")
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "explicitDeny");
    assert_eq!(
        matched(r.matched_statements()),
        [("reader".into(), "user".into(), Some((10, 6)), Some((15, 6)))]
    );

    let out = sim("s3:ListBucket", "arn:aws:s3:::shape").await.unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "allowed");
    let m = matched(r.matched_statements());
    assert!(
        m.contains(&("list".into(), "group".into(), Some((1, 39)), Some((1, 113)))),
        "{m:?}"
    );

    let out = sim("s3:PutObject", "arn:aws:s3:::shape/uploads/x")
        .await
        .unwrap();
    let m = matched(out.evaluation_results()[0].matched_statements());
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].0.as_str(), m[0].1.as_str()),
        ("writer", "user-managed")
    );

    let out = sim("s3:DeleteObject", "arn:aws:s3:::shape/a.txt")
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "implicitDeny");
    assert!(r.matched_statements().is_empty());

    // `*`: no resource-specific entry and, within one account, no details map.
    let out = sim("s3:ListAllMyBuckets", "*").await.unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "allowed");
    assert!(r.resource_specific_results().is_empty());
    assert!(r.eval_decision_details().is_none());
}

#[tokio::test]
async fn missing_context_values_are_reported_where_the_resource_is() {
    let s = Server::start();
    let iam = s.iam();
    let account = account_of(&s).await;
    let policy = r#"{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
      {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::ctx/${aws:username}/*"}]}"#;
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(policy)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::ctx/ann/1")
        .resource_arns("arn:aws:s3:::ctx/ann/2")
        .send()
        .await
        .unwrap();
    let results = out.evaluation_results();
    let pairs: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r.eval_action_name(),
                r.eval_resource_name().unwrap_or_default(),
                decision(r),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("s3:GetObject", "arn:aws:s3:::ctx/ann/1", "implicitDeny"),
            ("s3:GetObject", "arn:aws:s3:::ctx/ann/2", "implicitDeny"),
            ("s3:PutObject", "arn:aws:s3:::ctx/ann/1", "implicitDeny"),
            ("s3:PutObject", "arn:aws:s3:::ctx/ann/2", "implicitDeny"),
        ]
    );
    for r in results {
        // Named resources: the missing keys are in the resource's own entry.
        assert!(r.missing_context_values().is_empty());
        let specific = r.resource_specific_results();
        assert_eq!(specific.len(), 1);
        let want = if r.eval_action_name() == "s3:GetObject" {
            "aws:SourceIp"
        } else {
            "aws:username"
        };
        assert_eq!(specific[0].missing_context_values(), [want]);
    }

    // `*`: the missing keys are at the top.
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(policy)
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_resource_name(), Some("*"));
    assert_eq!(r.missing_context_values(), ["aws:SourceIp"]);
    assert!(r.resource_specific_results().is_empty());

    // Supplying the keys (an address, a caller whose name fills the variable) decides it.
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(policy)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::ctx/ann/1")
        .caller_arn(format!("arn:aws:iam::{account}:user/ann"))
        .context_entries(
            ContextEntry::builder()
                .context_key_name("aws:SourceIp")
                .context_key_values("10.1.2.3")
                .context_key_type(ContextKeyTypeEnum::Ip)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for r in out.evaluation_results() {
        assert_eq!(decision(r), "allowed", "{}", r.eval_action_name());
        assert!(
            r.resource_specific_results()[0]
                .missing_context_values()
                .is_empty()
        );
        let m = matched(r.matched_statements());
        assert_eq!(
            (m[0].0.as_str(), m[0].1.as_str()),
            ("PolicyInputList.1", "none")
        );
    }
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(policy)
        .action_names("s3:GetObject")
        .context_entries(
            ContextEntry::builder()
                .context_key_name("aws:SourceIp")
                .context_key_values("192.168.0.1")
                .context_key_type(ContextKeyTypeEnum::Ip)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "implicitDeny");
    assert!(r.missing_context_values().is_empty());
}

#[tokio::test]
async fn permissions_boundary_detail_says_whether_the_boundary_allows() {
    let s = Server::start();
    let iam = s.iam();
    let (_, _, arn) = s.user("bounded").await;
    iam.attach_user_policy()
        .user_name("bounded")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3FullAccess")
        .send()
        .await
        .unwrap();
    let boundary = iam
        .create_policy()
        .policy_name("read-only-boundary")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    iam.put_user_permissions_boundary()
        .user_name("bounded")
        .permissions_boundary(boundary.policy().and_then(|p| p.arn()).unwrap())
        .send()
        .await
        .unwrap();
    let out = iam
        .simulate_principal_policy()
        .policy_source_arn(&arn)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::b/k")
        .send()
        .await
        .unwrap();
    let [get, put] = out.evaluation_results() else {
        panic!("two results")
    };
    assert_eq!(decision(get), "allowed");
    let allowed_by_boundary = |r: &EvaluationResult| {
        r.permissions_boundary_decision_detail()
            .map(|d| d.allowed_by_permissions_boundary())
    };
    assert_eq!(allowed_by_boundary(get), Some(true));
    let m = matched(get.matched_statements());
    assert!(
        m.iter()
            .any(|(id, t, ..)| id == "read-only-boundary" && t == "user-managed"),
        "{m:?}"
    );
    assert_eq!(decision(put), "implicitDeny");
    assert_eq!(allowed_by_boundary(put), Some(false));
    assert_eq!(
        put.resource_specific_results()[0]
            .permissions_boundary_decision_detail()
            .map(|d| d.allowed_by_permissions_boundary()),
        Some(false)
    );
    // A boundary given as a parameter replaces the entity's.
    let out = iam
        .simulate_principal_policy()
        .policy_source_arn(&arn)
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::b/k")
        .permissions_boundary_policy_input_list(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "allowed");
    assert_eq!(allowed_by_boundary(r), Some(true));
    assert!(
        matched(r.matched_statements())
            .iter()
            .any(|(id, t, ..)| id == "PermissionsBoundaryPolicyInputList.1" && t == "none")
    );
    // Two boundaries at once are not a thing.
    let err = iam
        .simulate_principal_policy()
        .policy_source_arn(&arn)
        .action_names("s3:PutObject")
        .permissions_boundary_policy_input_list(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .permissions_boundary_policy_input_list(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "InvalidInput");
}

#[tokio::test]
async fn resource_policy_and_resource_owner_split_the_decision_per_side() {
    let s = Server::start();
    let iam = s.iam();
    let account = account_of(&s).await;
    let caller = format!("arn:aws:iam::{account}:user/visitor");
    let identity = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#;
    let bucket = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Principal":{{"AWS":"{caller}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xacct/*"}},
          {{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::xacct/*"}}]}}"#
    );
    let simulate = |owner: Option<&str>| {
        let mut call = iam
            .simulate_custom_policy()
            .policy_input_list(identity)
            .action_names("s3:GetObject")
            .action_names("s3:PutObject")
            .action_names("s3:DeleteObject")
            .resource_arns("arn:aws:s3:::xacct/k")
            .resource_policy(&bucket)
            .caller_arn(&caller);
        if let Some(owner) = owner {
            call = call.resource_owner(owner);
        }
        call.send()
    };
    let details = |r: &EvaluationResult| {
        let d = r.eval_decision_details().cloned().unwrap_or_default();
        (
            d.get("IAM Policy").map(|v| v.as_str().to_string()),
            d.get("Resource Policy").map(|v| v.as_str().to_string()),
        )
    };
    let s = |v: &str| Some(v.to_string());

    // Across accounts both sides must allow.
    let out = simulate(Some("111122223333")).await.unwrap();
    let [get, put, delete] = out.evaluation_results() else {
        panic!("three results")
    };
    assert_eq!(decision(get), "allowed");
    assert_eq!(details(get), (s("allowed"), s("allowed")));
    let m = matched(get.matched_statements());
    assert!(
        m.iter()
            .any(|(id, t, ..)| id == "ResourcePolicy" && t == "resource"),
        "{m:?}"
    );
    assert!(m.iter().any(|(id, ..)| id == "PolicyInputList.1"), "{m:?}");
    assert_eq!(decision(put), "implicitDeny");
    assert_eq!(details(put), (s("allowed"), s("implicitDeny")));
    assert_eq!(decision(delete), "explicitDeny");
    assert_eq!(details(delete), (s("implicitDeny"), s("explicitDeny")));
    assert_eq!(
        details(get),
        {
            let d = get.resource_specific_results()[0]
                .eval_decision_details()
                .cloned()
                .unwrap_or_default();
            (
                d.get("IAM Policy").map(|v| v.as_str().to_string()),
                d.get("Resource Policy").map(|v| v.as_str().to_string()),
            )
        },
        "the resource's entry carries the same details"
    );
    // The owner as an account ARN.
    let out = simulate(Some("arn:aws:iam::111122223333:root"))
        .await
        .unwrap();
    assert_eq!(decision(&out.evaluation_results()[1]), "implicitDeny");

    // Within the caller's account (the default owner) one side is enough.
    let out = simulate(None).await.unwrap();
    let [get, put, delete] = out.evaluation_results() else {
        panic!("three results")
    };
    assert_eq!(decision(get), "allowed");
    assert_eq!(decision(put), "allowed");
    assert_eq!(details(put), (s("allowed"), s("implicitDeny")));
    assert_eq!(decision(delete), "explicitDeny");
}

#[tokio::test]
async fn context_keys_for_custom_and_principal_policies() {
    let s = Server::start();
    let iam = s.iam();
    // The aws CLI reference's example.
    let out = iam
        .get_context_keys_for_custom_policy()
        .policy_input_list(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(out.context_key_names(), ["aws:username", "aws:CurrentTime"]);

    let (_, user_iam, arn) = s.user("keyed").await;
    iam.put_user_policy()
        .user_name("keyed")
        .policy_name("home")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}]}"#)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("office")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("office")
        .user_name("keyed")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("office")
        .policy_name("office-network")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}"#)
        .send()
        .await
        .unwrap();
    let out = iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(&arn)
        .policy_input_list(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.context_key_names(),
        [
            "s3:prefix",
            "aws:username",
            "aws:SourceIp",
            "aws:MultiFactorAuthPresent"
        ]
    );
    // Listing keys is authorized like everything else.
    let err = user_iam
        .get_context_keys_for_custom_policy()
        .policy_input_list(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    let err = user_iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    let err = iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(arn.replace("keyed", "nobody"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "NoSuchEntity");
}

#[tokio::test]
async fn simulation_results_page_with_max_items_and_marker() {
    let s = Server::start();
    let iam = s.iam();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;
    let actions = ["s3:GetObject", "s3:PutObject", "s3:GetObjectAcl"];
    let resources: Vec<String> = (0..5).map(|i| format!("arn:aws:s3:::pages/{i}")).collect();
    let call = || {
        let mut c = iam.simulate_custom_policy().policy_input_list(policy);
        for a in actions {
            c = c.action_names(a);
        }
        for r in &resources {
            c = c.resource_arns(r);
        }
        c
    };
    let all = call().send().await.unwrap();
    assert!(!all.is_truncated());
    assert!(all.marker().is_none());
    let whole: Vec<(String, String)> = all
        .evaluation_results()
        .iter()
        .map(|r| {
            (
                r.eval_action_name().to_string(),
                r.eval_resource_name().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(whole.len(), 15);
    let mut paged = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = call()
            .max_items(4)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.evaluation_results().len() <= 4);
        paged.extend(out.evaluation_results().iter().map(|r| {
            (
                r.eval_action_name().to_string(),
                r.eval_resource_name().unwrap_or_default().to_string(),
            )
        }));
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        marker = out.marker().map(str::to_string);
        assert!(marker.is_some());
    }
    assert_eq!(pages, 4);
    assert_eq!(paged, whole);
    let err = call().max_items(0).send().await.unwrap_err();
    assert_eq!(iam_code(&err), "ValidationError");
    let err = call().marker("not-a-marker").send().await.unwrap_err();
    assert_eq!(iam_code(&err), "InvalidInput");
}

#[tokio::test]
async fn simulation_refuses_what_aws_refuses() {
    let s = Server::start();
    let iam = s.iam();
    let account = account_of(&s).await;
    let (_, user_iam, arn) = s.user("plain").await;
    iam.create_group().group_name("crew").send().await.unwrap();
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let principal = |source: &str| {
        iam.simulate_principal_policy()
            .policy_source_arn(source)
            .action_names("s3:GetObject")
    };
    assert_eq!(
        iam_outcome(principal(&arn.replace("plain", "ghost")).send().await),
        "NoSuchEntity"
    );
    assert_eq!(
        iam_outcome(
            principal(&format!("arn:aws:iam::{account}:policy/x"))
                .send()
                .await
        ),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(principal("not-an-arn-at-all").send().await),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(principal(&arn).resource_policy("{not json").send().await),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(
            principal(&arn)
                .policy_input_list(r#"{"Statement":[]}"#)
                .send()
                .await
        ),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(
            principal(&arn)
                .caller_arn(format!("arn:aws:iam::{account}:role/r"))
                .send()
                .await
        ),
        "InvalidInput"
    );
    let group = format!("arn:aws:iam::{account}:group/crew");
    let bucket_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{arn}"}},"Action":"s3:GetObject","Resource":"*"}}]}}"#
    );
    assert_eq!(
        iam_outcome(
            principal(&group)
                .resource_policy(&bucket_policy)
                .send()
                .await
        ),
        "InvalidInput",
        "a group source needs a CallerArn for the resource policy"
    );
    assert_eq!(
        iam_outcome(
            principal(&group)
                .resource_policy(&bucket_policy)
                .caller_arn(&arn)
                .send()
                .await
        ),
        "ok"
    );
    assert_eq!(
        iam_outcome(
            principal(&arn)
                .context_entries(
                    ContextEntry::builder()
                        .context_key_name("s3:max-keys")
                        .context_key_values("many")
                        .context_key_type(ContextKeyTypeEnum::Numeric)
                        .build()
                )
                .send()
                .await
        ),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(principal(&arn).action_names("s3:*").send().await),
        "InvalidInput"
    );
    assert_eq!(
        iam_outcome(
            iam.simulate_custom_policy()
                .policy_input_list(allow)
                .action_names("s3:GetObject")
                .resource_policy(&bucket_policy)
                .send()
                .await
        ),
        "InvalidInput",
        "a resource policy needs a CallerArn"
    );
    // Simulation is authorized: a user without permissions may simulate nothing.
    assert_eq!(
        iam_outcome(
            user_iam
                .simulate_custom_policy()
                .policy_input_list(allow)
                .action_names("s3:GetObject")
                .send()
                .await
        ),
        "AccessDenied"
    );
    assert_eq!(
        iam_outcome(
            user_iam
                .simulate_principal_policy()
                .policy_source_arn(&arn)
                .action_names("s3:GetObject")
                .send()
                .await
        ),
        "AccessDenied"
    );
    // A role's policies (no session) and a group's: simulated, the group's without a name.
    iam.put_group_policy()
        .group_name("crew")
        .policy_name("own-folder")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::crew/${aws:username}/*"}]}"#)
        .send()
        .await
        .unwrap();
    let out = principal(&group)
        .resource_arns("arn:aws:s3:::crew/plain/x")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(decision(r), "implicitDeny");
    assert_eq!(
        r.resource_specific_results()[0].missing_context_values(),
        ["aws:username"]
    );
    let out = principal(&group)
        .resource_arns("arn:aws:s3:::crew/plain/x")
        .caller_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(decision(&out.evaluation_results()[0]), "allowed");
    iam.create_role()
        .role_name("reader-role")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("reader-role")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let out = principal(&format!("arn:aws:iam::{account}:role/reader-role"))
        .action_names("s3:PutObject")
        .send()
        .await
        .unwrap();
    let decisions: Vec<&str> = out.evaluation_results().iter().map(decision).collect();
    assert_eq!(decisions, ["allowed", "implicitDeny"]);
}

/// Seed 004 (Upsolver): the service checks its own permissions with SimulatePrincipalPolicy,
/// which its policy allows only on `user/${aws:username}` — itself.
#[tokio::test]
async fn upsolver_simulates_itself_but_not_another_user() {
    let s = Server::start();
    let iam = s.iam();
    let account = account_of(&s).await;
    let (_, upsolver, arn) = s.user("upsolver").await;
    let (_, _, other) = s.user("someone-else").await;
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":["arn:aws:s3:::*"]}},
          {{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::ups-output","arn:aws:s3:::ups-output/*"]}},
          {{"Effect":"Allow","Action":["s3:ListBucket","s3:ListObject","s3:GetObject"],"Resource":["arn:aws:s3:::ups-input","arn:aws:s3:::ups-input/*"]}},
          {{"Effect":"Allow","Action":["iam:SimulatePrincipalPolicy"],"Resource":["arn:aws:iam::{account}:user/${{aws:username}}"]}}]}}"#
    );
    let p = iam
        .create_policy()
        .policy_name("UpsolverS3policy")
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
    let out = upsolver
        .simulate_principal_policy()
        .policy_source_arn(&arn)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::ups-input/events.json")
        .resource_arns("arn:aws:s3:::ups-output/out.parquet")
        .send()
        .await
        .unwrap();
    let got: Vec<(&str, &str, &str)> = out
        .evaluation_results()
        .iter()
        .map(|r| {
            (
                r.eval_action_name(),
                r.eval_resource_name().unwrap_or_default(),
                decision(r),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "s3:GetObject",
                "arn:aws:s3:::ups-input/events.json",
                "allowed"
            ),
            (
                "s3:GetObject",
                "arn:aws:s3:::ups-output/out.parquet",
                "allowed"
            ),
            (
                "s3:PutObject",
                "arn:aws:s3:::ups-input/events.json",
                "implicitDeny"
            ),
            (
                "s3:PutObject",
                "arn:aws:s3:::ups-output/out.parquet",
                "allowed"
            ),
        ]
    );
    let m = matched(out.evaluation_results()[0].matched_statements());
    assert_eq!(
        m,
        [(
            "UpsolverS3policy".into(),
            "user-managed".into(),
            Some((4, 12)),
            Some((4, 152))
        )]
    );
    // The variable confines the permission to the caller itself.
    let out = upsolver
        .simulate_principal_policy()
        .policy_source_arn(&arn)
        .action_names("iam:SimulatePrincipalPolicy")
        .resource_arns(&arn)
        .resource_arns(&other)
        .send()
        .await
        .unwrap();
    let decisions: Vec<&str> = out.evaluation_results().iter().map(decision).collect();
    assert_eq!(decisions, ["allowed", "implicitDeny"]);
    let err = upsolver
        .simulate_principal_policy()
        .policy_source_arn(&other)
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&err), "AccessDenied");
    let message = err
        .as_service_error()
        .and_then(|e| aws_sdk_iam::error::ProvideErrorMetadata::message(e))
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("is not authorized to perform: iam:SimulatePrincipalPolicy"),
        "{message}"
    );
}

// ---- Simulated decisions against real requests ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
}

fn outcome<E>(
    r: Result<(), aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>>,
) -> Outcome
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
{
    match r {
        Ok(()) => Outcome::Allowed,
        Err(e) if status(&e) == 403 => {
            assert_eq!(code(&e), "AccessDenied");
            Outcome::Denied
        }
        // Authorized, then not found: the request got past authorization.
        Err(e) if status(&e) == 404 => Outcome::Allowed,
        Err(e) => panic!("unexpected failure: {e:?}"),
    }
}

/// Performs `action` on `resource` as the client's principal.
async fn real(c: &Client, action: &str, resource: &str) -> Outcome {
    let path = resource.strip_prefix("arn:aws:s3:::").unwrap_or_default();
    let (bucket, key) = match path.split_once('/') {
        Some((b, k)) => (b, k),
        None => (path, ""),
    };
    match action {
        "s3:ListAllMyBuckets" => outcome(c.list_buckets().send().await.map(|_| ())),
        "s3:ListBucket" => outcome(c.list_objects_v2().bucket(bucket).send().await.map(|_| ())),
        "s3:GetBucketVersioning" => outcome(
            c.get_bucket_versioning()
                .bucket(bucket)
                .send()
                .await
                .map(|_| ()),
        ),
        "s3:GetObject" => outcome(
            c.get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ()),
        ),
        "s3:GetObjectAcl" => outcome(
            c.get_object_acl()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ()),
        ),
        "s3:GetObjectTagging" => outcome(
            c.get_object_tagging()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ()),
        ),
        "s3:PutObject" => outcome(
            c.put_object()
                .bucket(bucket)
                .key(key)
                .body(b"simulated".to_vec().into())
                .send()
                .await
                .map(|_| ()),
        ),
        "s3:DeleteObject" => outcome(
            c.delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ()),
        ),
        other => panic!("no real request for {other}"),
    }
}

/// The seeds' policies over five users and two buckets; for every (principal, action, resource)
/// triple, SimulatePrincipalPolicy with the bucket's policy as ResourcePolicy and the account as
/// ResourceOwner must decide what the real request with that principal's keys meets.
#[tokio::test]
async fn simulated_decisions_match_real_requests() {
    let s = Server::start();
    let root = s.client();
    let iam = s.iam();
    for b in ["sim-data", "sim-logs"] {
        root.create_bucket().bucket(b).send().await.unwrap();
    }
    for (b, k) in [
        ("sim-data", "public/readme.txt"),
        ("sim-data", "secret/keys.txt"),
        ("sim-data", "reports/q1.csv"),
        ("sim-logs", "2024/app.log"),
    ] {
        root.put_object()
            .bucket(b)
            .key(k)
            .body(b"seeded".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let names = ["alice", "bob", "carol", "dave", "erin"];
    let mut users = Vec::new();
    for name in names {
        users.push(s.user(name).await);
    }
    let account = users[0].2.split(':').nth(4).unwrap().to_string();
    let arn_of = |name: &str| format!("arn:aws:iam::{account}:user/{name}");

    // alice: seed 001, a group whose inline policy allows s3:* on one bucket.
    iam.create_group()
        .group_name("deployers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("deployers")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("deployers")
        .policy_name("site")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::sim-data","arn:aws:s3:::sim-data/*"]}]}"#)
        .send()
        .await
        .unwrap();
    // bob: seed 000, no policies of his own; the bucket policy names him.
    // carol: seed 003, an inline CRUD policy on her bucket, under a read-only boundary.
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("crud")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["s3:ListBucket","s3:ListBucketMultipartUploads","s3:ListBucketVersions"],"Resource":"arn:aws:s3:::sim-logs"},
          {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject","s3:PutObjectAcl","s3:GetObjectAcl","s3:GetObjectVersion","s3:DeleteObjectVersion","s3:PutObjectRetention","s3:RestoreObject","s3:ListMultipartUploadParts","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::sim-logs/*"}]}"#)
        .send()
        .await
        .unwrap();
    let boundary = iam
        .create_policy()
        .policy_name("read-only-boundary")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    iam.put_user_permissions_boundary()
        .user_name("carol")
        .permissions_boundary(boundary.policy().and_then(|p| p.arn()).unwrap())
        .send()
        .await
        .unwrap();
    // dave: an AWS-managed read-only policy and an inline deny on the secrets.
    iam.attach_user_policy()
        .user_name("dave")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("dave")
        .policy_name("no-secrets")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::sim-data/secret/*"}]}"#)
        .send()
        .await
        .unwrap();
    // erin: seed 004's managed policy, input sim-data, output sim-logs.
    let upsolver = iam
        .create_policy()
        .policy_name("UpsolverS3policy")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[
              {{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":["arn:aws:s3:::*"]}},
              {{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::sim-logs","arn:aws:s3:::sim-logs/*"]}},
              {{"Effect":"Allow","Action":["s3:ListBucket","s3:ListObject","s3:GetObject"],"Resource":["arn:aws:s3:::sim-data","arn:aws:s3:::sim-data/*"]}},
              {{"Effect":"Allow","Action":["iam:SimulatePrincipalPolicy"],"Resource":["arn:aws:iam::{account}:user/${{aws:username}}"]}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("erin")
        .policy_arn(upsolver.policy().and_then(|p| p.arn()).unwrap())
        .send()
        .await
        .unwrap();

    let data_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Sid":"KPSync","Effect":"Allow","Principal":{{"AWS":"{bob}"}},
            "Action":["s3:ListBucket","s3:PutObjectAcl","s3:GetObject","s3:GetObjectAcl","s3:PutObject"],
            "Resource":["arn:aws:s3:::sim-data","arn:aws:s3:::sim-data/*"]}},
          {{"Sid":"Uploads","Effect":"Allow","Principal":{{"AWS":"{dave}"}},"Action":"s3:PutObject",
            "Resource":"arn:aws:s3:::sim-data/uploads/*","Condition":{{"IpAddress":{{"aws:SourceIp":"127.0.0.0/8"}}}}}},
          {{"Sid":"KeepReports","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject",
            "Resource":"arn:aws:s3:::sim-data/reports/*"}}]}}"#,
        bob = arn_of("bob"),
        dave = arn_of("dave"),
    );
    let logs_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Sid":"Incoming","Effect":"Allow","Principal":{{"AWS":"{carol}"}},"Action":"s3:PutObject",
            "Resource":"arn:aws:s3:::sim-logs/incoming/*"}}]}}"#,
        carol = arn_of("carol"),
    );
    for (bucket, policy) in [("sim-data", &data_policy), ("sim-logs", &logs_policy)] {
        root.put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .send()
            .await
            .unwrap();
    }

    // The triples: every user, against both buckets and the account.
    let mut triples: Vec<(usize, &str, String)> = Vec::new();
    for (u, name) in names.iter().enumerate() {
        triples.push((u, "s3:ListAllMyBuckets", "*".to_string()));
        triples.push((
            u,
            "s3:GetObject",
            "arn:aws:s3:::sim-data/secret/keys.txt".to_string(),
        ));
        for (bucket, existing) in [
            ("sim-data", "public/readme.txt"),
            ("sim-logs", "2024/app.log"),
        ] {
            let obj = |key: &str| format!("arn:aws:s3:::{bucket}/{key}");
            triples.push((u, "s3:ListBucket", format!("arn:aws:s3:::{bucket}")));
            triples.push((
                u,
                "s3:GetBucketVersioning",
                format!("arn:aws:s3:::{bucket}"),
            ));
            triples.push((u, "s3:GetObject", obj(existing)));
            triples.push((u, "s3:GetObjectAcl", obj(existing)));
            triples.push((u, "s3:GetObjectTagging", obj(existing)));
            triples.push((u, "s3:PutObject", obj(&format!("uploads/{name}.bin"))));
            triples.push((u, "s3:PutObject", obj(&format!("incoming/{name}.log"))));
            triples.push((u, "s3:DeleteObject", obj(&format!("scratch/{name}.tmp"))));
            triples.push((u, "s3:DeleteObject", obj("reports/q1.csv")));
        }
    }
    assert!(triples.len() >= 50, "{} triples", triples.len());

    let source_ip = ContextEntry::builder()
        .context_key_name("aws:SourceIp")
        .context_key_values("127.0.0.1")
        .context_key_type(ContextKeyTypeEnum::Ip)
        .build();
    let mut mismatches = Vec::new();
    let mut tally = std::collections::BTreeMap::new();
    for (u, action, resource) in &triples {
        let name = names[*u];
        let bucket_policy = resource
            .strip_prefix("arn:aws:s3:::sim-data")
            .map(|_| &data_policy)
            .or_else(|| {
                resource
                    .strip_prefix("arn:aws:s3:::sim-logs")
                    .map(|_| &logs_policy)
            });
        let mut call = iam
            .simulate_principal_policy()
            .policy_source_arn(arn_of(name))
            .action_names(*action)
            .resource_arns(resource)
            .resource_owner(&account)
            .context_entries(source_ip.clone());
        if let Some(policy) = bucket_policy {
            call = call.resource_policy(policy);
        }
        let out = call.send().await.unwrap();
        let simulated = out.evaluation_results()[0].eval_decision().clone();
        let reality = real(&users[*u].0, action, resource).await;
        let agree = match simulated {
            PolicyEvaluationDecisionType::Allowed => reality == Outcome::Allowed,
            PolicyEvaluationDecisionType::ExplicitDeny
            | PolicyEvaluationDecisionType::ImplicitDeny => reality == Outcome::Denied,
            _ => false,
        };
        *tally.entry(simulated.as_str().to_string()).or_insert(0) += 1;
        if !agree {
            mismatches.push(format!(
                "{name} {action} {resource}: simulated {}, real {reality:?}",
                simulated.as_str()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    // The set exercises every kind of answer.
    for kind in ["allowed", "implicitDeny", "explicitDeny"] {
        assert!(tally.get(kind).copied().unwrap_or(0) >= 5, "{tally:?}");
    }
}
