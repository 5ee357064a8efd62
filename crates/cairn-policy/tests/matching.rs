//! Action, resource and policy-variable matching inside identity policies.

mod common;

use cairn_policy::{Decision, RequestPrincipal};
use common::*;

/// (Action element, Resource element, requested action, requested resource, allowed?)
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, bool);

fn check(principal: RequestPrincipal, rows: &[Row<'_>]) {
    let mut failures = Vec::new();
    for (actions, resources, action, resource, want) in rows {
        let p = identity(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow",{actions},{resources}}}}}"#
        ));
        let got = with_identity(&[&p], &request(principal.clone(), action, resource)).decision
            == Decision::Allow;
        if got != *want {
            failures.push(format!(
                "{actions} {resources} / {action} {resource}: want {want}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn actions() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    // and .../reference_policies_elements_notaction.html
    check(
        bob(),
        &[
            (
                r#""Action":"s3:GetObject""#,
                r#""Resource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            // Case-insensitive.
            (
                r#""Action":"S3:getobject""#,
                r#""Resource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"*""#,
                "s3:DeleteObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""Action":"*""#,
                r#""Resource":"*""#,
                "iam:CreateUser",
                "arn:aws:iam::123456789012:user/x",
                true,
            ),
            (
                r#""Action":"s3:Get*""#,
                r#""Resource":"*""#,
                "s3:PutObject",
                "arn:aws:s3:::b/k",
                false,
            ),
            (
                r#""Action":"s3:*Object""#,
                r#""Resource":"*""#,
                "s3:PutObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""Action":"s3:*Object""#,
                r#""Resource":"*""#,
                "s3:PutObjectAcl",
                "arn:aws:s3:::b/k",
                false,
            ),
            (
                r#""Action":"s3:?etObject""#,
                r#""Resource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""Action":["iam:*","s3:GetObject"]"#,
                r#""Resource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""Action":"s3:GetObject""#,
                r#""Resource":"*""#,
                "s3:GetObjectAcl",
                "arn:aws:s3:::b/k",
                false,
            ),
            // NotAction: everything except the listed actions.
            (
                r#""NotAction":"iam:*""#,
                r#""Resource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                true,
            ),
            (
                r#""NotAction":"iam:*""#,
                r#""Resource":"*""#,
                "iam:CreateUser",
                "arn:aws:iam::123456789012:user/x",
                false,
            ),
            (
                r#""NotAction":["s3:DeleteObject","s3:DeleteBucket"]"#,
                r#""Resource":"*""#,
                "s3:DeleteObject",
                "arn:aws:s3:::b/k",
                false,
            ),
        ],
    );
}

#[test]
fn resources() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    // and .../reference_policies_elements_notresource.html
    check(
        bob(),
        &[
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b""#,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                true,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b/*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/dir/k",
                true,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b/*""#,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b*""#,
                "s3:ListBucket",
                "arn:aws:s3:::bucket2",
                true,
            ),
            // The resource part is case-sensitive.
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b/Doc.txt""#,
                "s3:GetObject",
                "arn:aws:s3:::b/doc.txt",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b/doc?.txt""#,
                "s3:GetObject",
                "arn:aws:s3:::b/doc1.txt",
                true,
            ),
            // A trailing * of a segment runs over colons (object keys may contain them).
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::b/*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/a:b:c",
                true,
            ),
            (
                r#""Action":"iam:*""#,
                r#""Resource":"arn:aws:iam::*:user/*""#,
                "iam:GetUser",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            (
                r#""Action":"iam:*""#,
                r#""Resource":"arn:aws:iam::*:user/*""#,
                "iam:GetRole",
                "arn:aws:iam::123456789012:role/bob",
                false,
            ),
            // Actions without resource types use "*", also matched by a service-wide ARN.
            (
                r#""Action":"s3:ListAllMyBuckets""#,
                r#""Resource":"*""#,
                "s3:ListAllMyBuckets",
                "*",
                true,
            ),
            (
                r#""Action":"s3:ListAllMyBuckets""#,
                r#""Resource":"arn:aws:s3:::*""#,
                "s3:ListAllMyBuckets",
                "*",
                true,
            ),
            (
                r#""Action":"s3:ListAllMyBuckets""#,
                r#""Resource":"arn:aws:s3:::b""#,
                "s3:ListAllMyBuckets",
                "*",
                false,
            ),
            (
                r#""Action":"s3:ListAllMyBuckets""#,
                r#""Resource":"arn:aws:s3:::b*""#,
                "s3:ListAllMyBuckets",
                "*",
                false,
            ),
            // NotResource: everything except the listed resources.
            (
                r#""Action":"s3:*""#,
                r#""NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]"#,
                "s3:GetObject",
                "arn:aws:s3:::HRBucket/Payroll/jan",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]"#,
                "s3:GetObject",
                "arn:aws:s3:::HRBucket/Other",
                true,
            ),
            // NotAction with NotResource (moto valid case 28).
            (
                r#""NotAction":"s3:ListBucket""#,
                r#""NotResource":"*""#,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                false,
            ),
        ],
    );
}

#[test]
fn policy_variables_in_resources() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    check(
        bob(),
        &[
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/home/${aws:username}/*""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/home/bob/notes.txt",
                true,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/home/${aws:username}/*""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/home/alice/notes.txt",
                false,
            ),
            (
                r#""Action":"iam:*""#,
                r#""Resource":"arn:aws:iam::123456789012:user/${aws:username}""#,
                "iam:ChangePassword",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            (
                r#""Action":"iam:*""#,
                r#""Resource":"arn:aws:iam::123456789012:user/${aws:username}""#,
                "iam:ChangePassword",
                "arn:aws:iam::123456789012:user/alice",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/home/${aws:userid}/*""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/home/AIDABOB/x",
                true,
            ),
            // ${*} is a literal asterisk, not a wildcard.
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/${*}""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/*",
                true,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/${*}""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/x",
                false,
            ),
        ],
    );
    // A role session has no aws:username: the element with the variable matches nothing.
    check(
        session(),
        &[
            (
                r#""Action":"s3:*""#,
                r#""Resource":"arn:aws:s3:::bucket/home/${aws:username}/*""#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/home//x",
                false,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Resource":["arn:aws:s3:::bucket/home/${aws:username}/*","arn:aws:s3:::bucket/public/*"]"#,
                "s3:GetObject",
                "arn:aws:s3:::bucket/public/x",
                true,
            ),
        ],
    );
}

#[test]
fn variables_are_literal_in_old_versions() {
    // Without "Version": "2012-10-17", ${...} is plain text (policy variables page, "Specifying a value for Version").
    let p = bucket(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}}"#,
    );
    let set = cairn_policy::PolicySet {
        resource: vec![("old", &p)],
        ..Default::default()
    };
    let literal = request(bob(), "s3:GetObject", "arn:aws:s3:::b/${aws:username}");
    let substituted = request(bob(), "s3:GetObject", "arn:aws:s3:::b/bob");
    assert!(cairn_policy::evaluate(&set, &literal).is_allowed());
    assert!(!cairn_policy::evaluate(&set, &substituted).is_allowed());
}
