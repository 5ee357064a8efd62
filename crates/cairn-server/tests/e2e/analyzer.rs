//! Access Analyzer's ValidatePolicy through aws-sdk-accessanalyzer (and plain HTTP for what an
//! SDK cannot send): findings as AWS returns them, authorization like any other action, AWS's
//! REST-JSON errors.

use crate::harness::*;
use aws_sdk_accessanalyzer::types::{
    PathElement, PolicyType, ValidatePolicyFinding, ValidatePolicyFindingType,
    ValidatePolicyResourceType,
};

const SEED_004: &str =
    include_str!("../../../cairn-policy/tests/data/seed_policies/004_upsolver_policy.json");
const SEED_002_TRUST: &str =
    include_str!("../../../cairn-policy/tests/data/seed_policies/002_thanx_trust_policy.json");

fn analyzer_with(s: &Server, key: &str, secret: &str) -> aws_sdk_accessanalyzer::Client {
    let conf = aws_sdk_accessanalyzer::config::Builder::new()
        .behavior_version(aws_sdk_accessanalyzer::config::BehaviorVersion::latest())
        .region(aws_sdk_accessanalyzer::config::Region::new("us-east-1"))
        .endpoint_url(&s.endpoint)
        .credentials_provider(aws_sdk_accessanalyzer::config::Credentials::new(
            key, secret, None, None, "test",
        ))
        .build();
    aws_sdk_accessanalyzer::Client::from_conf(conf)
}

fn code<E: aws_sdk_accessanalyzer::error::ProvideErrorMetadata>(
    e: &aws_sdk_accessanalyzer::error::SdkError<E>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

async fn validate(
    client: &aws_sdk_accessanalyzer::Client,
    doc: &str,
    policy_type: PolicyType,
) -> Vec<ValidatePolicyFinding> {
    client
        .validate_policy()
        .policy_document(doc)
        .policy_type(policy_type)
        .send()
        .await
        .expect("validate-policy")
        .findings
}

fn filled_seed_004() -> String {
    SEED_004
        .replace("OUTPUT_BUCKET_NAME", "ups-out")
        .replace("INPUT_BUCKET_NAME", "ups-in")
        .replace("ACCOUNT_ID", "123456789012")
}

#[tokio::test]
async fn validate_policy_flags_seed_004s_invalid_action_with_its_location() {
    let s = Server::start();
    let client = analyzer_with(&s, ROOT_KEY, ROOT_SECRET);
    let doc = filled_seed_004();
    let findings = validate(&client, &doc, PolicyType::IdentityPolicy).await;
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f.issue_code, "INVALID_ACTION");
    assert_eq!(f.finding_type, ValidatePolicyFindingType::Error);
    assert_eq!(
        f.finding_details,
        "The action s3:ListObject does not exist."
    );
    assert!(
        f.learn_more_link
            .ends_with("#access-analyzer-reference-policy-checks-error-invalid-action")
    );
    let loc = &f.locations[0];
    assert_eq!(
        loc.path,
        vec![
            PathElement::Value("Statement".into()),
            PathElement::Index(2),
            PathElement::Value("Action".into()),
            PathElement::Index(1),
        ]
    );
    let span = loc.span.as_ref().expect("span");
    let (start, end) = (
        span.start.as_ref().expect("start"),
        span.end.as_ref().expect("end"),
    );
    let line = doc.lines().nth(start.line as usize - 1).unwrap_or_default();
    assert_eq!(
        &line[start.column as usize..end.column as usize],
        "\"s3:ListObject\""
    );
    assert_eq!(
        &doc[start.offset as usize..end.offset as usize],
        "\"s3:ListObject\""
    );
}

#[tokio::test]
async fn trust_policies_and_bucket_policies_get_their_own_checks() {
    let s = Server::start();
    let client = analyzer_with(&s, ROOT_KEY, ROOT_SECRET);
    // Seed 002's trust policy, as AWS validates role trust policies.
    let trust = |doc: &str| {
        client
            .validate_policy()
            .policy_document(doc)
            .policy_type(PolicyType::ResourcePolicy)
            .validate_policy_resource_type(ValidatePolicyResourceType::RoleTrust)
            .send()
    };
    let out = trust(SEED_002_TRUST).await.expect("trust policy");
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
    let out = trust(open).await.expect("open trust policy");
    let codes: Vec<&str> = out.findings.iter().map(|f| f.issue_code.as_str()).collect();
    assert_eq!(codes, vec!["MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL"]);
    assert_eq!(
        out.findings[0].finding_type,
        ValidatePolicyFindingType::SecurityWarning
    );
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"*"}]}"#;
    let out = client
        .validate_policy()
        .policy_document(bucket)
        .policy_type(PolicyType::ResourcePolicy)
        .validate_policy_resource_type(ValidatePolicyResourceType::S3Bucket)
        .send()
        .await
        .expect("bucket policy");
    let codes: Vec<&str> = out.findings.iter().map(|f| f.issue_code.as_str()).collect();
    assert_eq!(codes, vec!["UNSUPPORTED_RESOURCE_ARN_IN_POLICY"]);
}

#[tokio::test]
async fn malformed_documents_are_findings_not_failures() {
    let s = Server::start();
    let client = analyzer_with(&s, ROOT_KEY, ROOT_SECRET);
    for (doc, first) in [
        ("\"", "JSON_SYNTAX_ERROR"),
        ("[]", "DATA_TYPE_MISMATCH"),
        (r#"{"Statement":5}"#, "MISSING_VERSION"),
        ("", "JSON_SYNTAX_ERROR"),
    ] {
        let findings = validate(&client, doc, PolicyType::IdentityPolicy).await;
        assert_eq!(
            findings.first().map(|f| f.issue_code.as_str()),
            Some(first),
            "{doc}"
        );
    }
}

#[tokio::test]
async fn findings_come_in_pages() {
    let s = Server::start();
    let client = analyzer_with(&s, ROOT_KEY, ROOT_SECRET);
    let doc = r#"{"Statement":[{"Effect":"Allow","Action":["s3:A","s3:B","s3:C","s3:D"],"Resource":"*"}]}"#;
    let all = validate(&client, doc, PolicyType::IdentityPolicy).await;
    assert_eq!(all.len(), 5);
    let pages: Vec<_> = client
        .validate_policy()
        .policy_document(doc)
        .policy_type(PolicyType::IdentityPolicy)
        .max_results(2)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 3);
    let paged: Vec<ValidatePolicyFinding> = pages
        .into_iter()
        .flat_map(|p| p.expect("page").findings)
        .collect();
    assert_eq!(paged, all);
}

#[tokio::test]
async fn a_user_needs_access_analyzer_validate_policy() {
    let s = Server::start();
    let iam_root = s.iam();
    iam_root
        .create_user()
        .user_name("author")
        .send()
        .await
        .expect("user");
    let key = iam_root
        .create_access_key()
        .user_name("author")
        .send()
        .await
        .expect("key");
    let key = key.access_key().expect("key");
    let client = analyzer_with(&s, key.access_key_id(), key.secret_access_key());
    let err = client
        .validate_policy()
        .policy_document(filled_seed_004())
        .policy_type(PolicyType::IdentityPolicy)
        .send()
        .await
        .expect_err("no policy allows it");
    assert_eq!(code(&err), "AccessDeniedException");
    let message = err
        .as_service_error()
        .and_then(|e| e.meta().message())
        .unwrap_or_default();
    assert!(
        message.contains("is not authorized to perform: access-analyzer:ValidatePolicy"),
        "{message}"
    );
    iam_root
        .put_user_policy()
        .user_name("author")
        .policy_name("validate")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"access-analyzer:ValidatePolicy","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("put policy");
    let findings = validate(&client, &filled_seed_004(), PolicyType::IdentityPolicy).await;
    assert_eq!(findings.len(), 1);
}

#[tokio::test]
async fn bad_credentials_get_rest_json_errors() {
    let s = Server::start();
    let stranger = analyzer_with(&s, "AKIAIOSFODNN7NOBODY1", ROOT_SECRET);
    let err = stranger
        .validate_policy()
        .policy_document("{}")
        .policy_type(PolicyType::IdentityPolicy)
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(code(&err), "UnrecognizedClientException");
    let wrong_secret = analyzer_with(&s, ROOT_KEY, "not-the-secret");
    let err = wrong_secret
        .validate_policy()
        .policy_document("{}")
        .policy_type(PolicyType::IdentityPolicy)
        .send()
        .await
        .expect_err("wrong secret");
    assert_eq!(code(&err), "InvalidSignatureException");
    // Unsigned: no anonymous access.
    let resp = reqwest::Client::new()
        .post(format!("{}/policy/validation", s.endpoint))
        .header("content-type", "application/json")
        .body(r#"{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 403);
    assert_eq!(
        resp.headers()
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok()),
        Some("MissingAuthenticationTokenException")
    );
    // An unknown policy type is the caller's mistake.
    let client = analyzer_with(&s, ROOT_KEY, ROOT_SECRET);
    let err = client
        .validate_policy()
        .policy_document("{}")
        .policy_type(PolicyType::from("NOT_A_TYPE"))
        .send()
        .await
        .expect_err("bad type");
    assert_eq!(code(&err), "ValidationException");
}
