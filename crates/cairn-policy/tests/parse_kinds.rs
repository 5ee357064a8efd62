//! What `parse` requires of each policy kind, and the shape it returns.

use cairn_policy::{
    ActionBlock, BaseOperator, Effect, PolicyError, PolicyKind, Principal, PrincipalBlock,
    PrincipalIdKind, ResourceBlock, SetQualifier, parse,
};

const S3_READ: &str = r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#;

fn doc(version: &str, statement: &str) -> String {
    format!(r#"{{{version}"Statement":{{"Effect":"Allow",{statement}}}}}"#)
}

#[test]
fn kind_rules() {
    let v12 = r#""Version":"2012-10-17","#;
    let v08 = r#""Version":"2008-10-17","#;
    let rows: &[(PolicyKind, String, Result<(), PolicyError>)] = &[
        // Identity policies must not name a principal (IAM: "Policy document should not specify a principal.").
        (
            PolicyKind::Identity,
            doc(v12, &format!(r#""Principal":"*",{S3_READ}"#)),
            Err(PolicyError::UnexpectedPrincipal),
        ),
        (
            PolicyKind::Identity,
            doc(
                v12,
                &format!(r#""NotPrincipal":{{"AWS":"123456789012"}},{S3_READ}"#),
            ),
            Err(PolicyError::UnexpectedPrincipal),
        ),
        (
            PolicyKind::Session,
            doc(v12, &format!(r#""Principal":"*",{S3_READ}"#)),
            Err(PolicyError::UnexpectedPrincipal),
        ),
        // Bucket policies must name one (S3: MalformedPolicy "Missing required field Principal").
        (
            PolicyKind::Resource,
            doc(v12, S3_READ),
            Err(PolicyError::MissingPrincipal),
        ),
        (
            PolicyKind::Resource,
            doc(v12, &format!(r#""Principal":"*",{S3_READ}"#)),
            Ok(()),
        ),
        (
            PolicyKind::Resource,
            doc(
                v12,
                &format!(
                    r#""Principal":{{"AWS":["123456789012","arn:aws:iam::123456789012:user/bob"]}},{S3_READ}"#
                ),
            ),
            Ok(()),
        ),
        (
            PolicyKind::Resource,
            doc(
                v12,
                &format!(
                    r#""Principal":{{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}},{S3_READ}"#
                ),
            ),
            Ok(()),
        ),
        // Bucket policies still written in 2008-10-17 or without a version are accepted.
        (
            PolicyKind::Resource,
            doc(v08, &format!(r#""Principal":"*",{S3_READ}"#)),
            Ok(()),
        ),
        (
            PolicyKind::Resource,
            doc("", &format!(r#""Principal":"*",{S3_READ}"#)),
            Ok(()),
        ),
        // IAM policies are not.
        (
            PolicyKind::Identity,
            doc(v08, S3_READ),
            Err(PolicyError::Malformed(
                "Policy document must be version 2012-10-17 or greater.".into(),
            )),
        ),
        // Principals that name nobody (principal element page: no wildcards in ARNs, account ids are 12 digits).
        (
            PolicyKind::Resource,
            doc(v12, &format!(r#""Principal":{{"AWS":"bob"}},{S3_READ}"#)),
            Err(PolicyError::InvalidPrincipal("\"AWS\":\"bob\"".into())),
        ),
        (
            PolicyKind::Resource,
            doc(
                v12,
                &format!(r#""Principal":{{"AWS":"arn:aws:iam::123456789012:user/*"}},{S3_READ}"#),
            ),
            Err(PolicyError::InvalidPrincipal(
                "\"AWS\":\"arn:aws:iam::123456789012:user/*\"".into(),
            )),
        ),
        (
            PolicyKind::Resource,
            doc(v12, &format!(r#""Principal":"bob",{S3_READ}"#)),
            Err(PolicyError::InvalidPrincipal("\"bob\"".into())),
        ),
        (
            PolicyKind::Resource,
            doc(v12, &format!(r#""Principal":{{"Nobody":"x"}},{S3_READ}"#)),
            Err(PolicyError::InvalidPrincipal("\"Nobody\":\"x\"".into())),
        ),
        // Trust policies: principal required, no Resource, only sts:AssumeRole* actions.
        (
            PolicyKind::Trust,
            doc(
                v12,
                r#""Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole""#,
            ),
            Ok(()),
        ),
        (
            PolicyKind::Trust,
            doc(
                v12,
                r#""Principal":{"Federated":"accounts.google.com"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]"#,
            ),
            Ok(()),
        ),
        (
            PolicyKind::Trust,
            doc(
                v12,
                r#""Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:*""#,
            ),
            Ok(()),
        ),
        (
            PolicyKind::Trust,
            doc(v12, r#""Action":"sts:AssumeRole""#),
            Err(PolicyError::MissingPrincipal),
        ),
        (
            PolicyKind::Trust,
            doc(
                v12,
                r#""Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"*""#,
            ),
            Err(PolicyError::ProhibitedResource),
        ),
        (
            PolicyKind::Trust,
            doc(
                v12,
                r#""Principal":{"AWS":"123456789012"},"Action":"s3:GetObject""#,
            ),
            Err(PolicyError::TrustActionNotAssumeRole),
        ),
        // Generic checks still come first.
        (
            PolicyKind::Trust,
            doc(v12, r#""Principal":{"AWS":"123456789012"}"#),
            Err(PolicyError::Malformed(
                "Policy statement must contain actions.".into(),
            )),
        ),
    ];
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(kind, json, want)| {
            let got = parse(json, *kind).map(|_| ());
            (got != *want).then(|| format!("{kind:?} {json}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn error_messages_are_aws_text() {
    assert_eq!(
        PolicyError::MissingPrincipal.to_string(),
        "Missing required field Principal"
    );
    assert_eq!(
        PolicyError::UnexpectedPrincipal.to_string(),
        "Policy document should not specify a principal."
    );
    assert_eq!(
        PolicyError::ProhibitedResource.to_string(),
        "Has prohibited field Resource"
    );
    assert_eq!(
        PolicyError::InvalidPrincipal("\"AWS\":\"bob\"".into()).to_string(),
        "Invalid principal in policy: \"AWS\":\"bob\""
    );
}

#[test]
fn parsed_shape() {
    let p = parse(
        r#"{"Version":"2012-10-17","Id":"p1","Statement":[
            {"Sid":"A","Effect":"Deny","NotPrincipal":{"AWS":["123456789012"],"Service":"s3.amazonaws.com"},"NotAction":"s3:Get*","NotResource":["arn:aws:s3:::b/*",null],
             "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"]},"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}},
            {"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"*","Condition":{"Unknown":{}}}
        ]}"#,
        PolicyKind::Resource,
    )
    .expect("valid");
    assert_eq!(p.version.as_deref(), Some("2012-10-17"));
    assert_eq!(p.id.as_deref(), Some("p1"));
    assert!(p.substitutes_variables());
    let [a, b] = p.statements.as_slice() else {
        panic!("two statements")
    };
    assert_eq!(a.sid.as_deref(), Some("A"));
    assert_eq!(a.effect, Effect::Deny);
    let Some(PrincipalBlock::NotPrincipal(Principal::Ids(ids))) = &a.principal else {
        panic!("NotPrincipal ids")
    };
    assert_eq!(ids.len(), 2);
    assert!(
        ids.iter()
            .any(|i| i.kind == PrincipalIdKind::Service && i.value == "s3.amazonaws.com")
    );
    assert_eq!(a.action, ActionBlock::NotAction(vec!["s3:Get*".into()]));
    // JSON nulls in Resource lists are accepted and dropped (moto valid case 41).
    assert_eq!(
        a.resource,
        Some(ResourceBlock::NotResource(vec!["arn:aws:s3:::b/*".into()]))
    );
    assert_eq!(a.condition.len(), 3);
    let tag = a
        .condition
        .iter()
        .find(|c| c.key == "aws:TagKeys")
        .expect("tag clause");
    assert_eq!(tag.operator.qualifier, Some(SetQualifier::ForAnyValue));
    assert_eq!(tag.operator.base, BaseOperator::StringLike);
    assert!(tag.operator.if_exists);
    assert_eq!(tag.values, vec!["a*", "b"]);
    // Booleans and numbers keep their JSON text.
    assert!(a.condition.iter().any(|c| c.values == vec!["false"]));
    assert!(a.condition.iter().any(|c| c.values == vec!["10"]));
    assert_eq!(b.sid, None);
    assert_eq!(b.principal, Some(PrincipalBlock::Principal(Principal::Any)));
    // Unknown operators with empty blocks are accepted (moto valid case 19) and ignored.
    assert!(b.condition.is_empty());
}

#[test]
fn more_syntax_errors() {
    // Shapes IAM rejects as "Syntax errors in policy." beyond moto's rows.
    let rows = [
        r#"[]"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:*","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":null}}}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*",null],"Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}}"#,
    ];
    for json in rows {
        assert_eq!(
            parse(json, PolicyKind::Identity).map(|_| ()),
            Err(PolicyError::Malformed("Syntax errors in policy.".into())),
            "{json}"
        );
    }
}
