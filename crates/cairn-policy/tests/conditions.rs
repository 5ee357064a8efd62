//! Condition operators, one row per documented behaviour.
//! Source unless noted: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

mod common;

use cairn_policy::Decision;
use common::*;

/// Whether an Allow statement with this `Condition` lets bob GetObject when
/// the request carries `keys`.
fn holds(condition: &str, keys: &[(&str, &[&str])]) -> bool {
    let p = identity(&format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}}}"#
    ));
    let mut ctx = request(bob(), "s3:GetObject", "arn:aws:s3:::b/k");
    for (k, v) in keys {
        ctx = ctx.with_key(k, v);
    }
    with_identity(&[&p], &ctx).decision == Decision::Allow
}

type Row<'a> = (&'a str, &'a [(&'a str, &'a [&'a str])], bool);

fn check(rows: &[Row<'_>]) {
    let failures: Vec<String> = rows
        .iter()
        .filter(|(c, k, want)| holds(c, k) != *want)
        .map(|(c, k, want)| format!("{c} with {k:?}: want {want}"))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn string_operators() {
    check(&[
        // StringEquals: exact, case-sensitive.
        (
            r#"{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}"#,
            &[("aws:PrincipalTag/job-category", &["iamuser-admin"])],
            true,
        ),
        (
            r#"{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}"#,
            &[("aws:PrincipalTag/job-category", &["IAMUSER-ADMIN"])],
            false,
        ),
        // Condition key names are case-insensitive.
        (
            r#"{"StringEquals":{"AWS:PRINCIPALTAG/JOB-CATEGORY":"iamuser-admin"}}"#,
            &[("aws:PrincipalTag/job-category", &["iamuser-admin"])],
            true,
        ),
        // Multiple values for one key are ORed.
        (
            r#"{"StringEquals":{"s3:x-amz-acl":["private","bucket-owner-full-control"]}}"#,
            &[("s3:x-amz-acl", &["bucket-owner-full-control"])],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:x-amz-acl":["private","bucket-owner-full-control"]}}"#,
            &[("s3:x-amz-acl", &["public-read"])],
            false,
        ),
        // A missing key makes a positive operator false...
        (r#"{"StringEquals":{"s3:x-amz-acl":"private"}}"#, &[], false),
        // ...and a negated operator true.
        (
            r#"{"StringNotEquals":{"s3:x-amz-acl":"public-read"}}"#,
            &[],
            true,
        ),
        (
            r#"{"StringNotEquals":{"s3:x-amz-acl":"public-read"}}"#,
            &[("s3:x-amz-acl", &["public-read"])],
            false,
        ),
        (
            r#"{"StringNotEquals":{"s3:x-amz-acl":["public-read","public-read-write"]}}"#,
            &[("s3:x-amz-acl", &["private"])],
            true,
        ),
        // IgnoreCase variants.
        (
            r#"{"StringEqualsIgnoreCase":{"aws:PrincipalTag/dept":"Sales"}}"#,
            &[("aws:PrincipalTag/dept", &["SALES"])],
            true,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/dept":"Sales"}}"#,
            &[("aws:PrincipalTag/dept", &["sales"])],
            false,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/dept":"Sales"}}"#,
            &[("aws:PrincipalTag/dept", &["hr"])],
            true,
        ),
        // StringLike: * and ? wildcards, case-sensitive.
        (
            r#"{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}"#,
            &[("s3:prefix", &["home/bob/photos"])],
            true,
        ),
        (
            r#"{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}"#,
            &[("s3:prefix", &["home/alice/photos"])],
            false,
        ),
        (
            r#"{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}"#,
            &[("s3:prefix", &[""])],
            true,
        ),
        (
            r#"{"StringLike":{"s3:prefix":"doc?"}}"#,
            &[("s3:prefix", &["docs"])],
            true,
        ),
        (
            r#"{"StringLike":{"s3:prefix":"Doc*"}}"#,
            &[("s3:prefix", &["docs"])],
            false,
        ),
        (
            r#"{"StringNotLike":{"s3:prefix":"secret/*"}}"#,
            &[("s3:prefix", &["secret/x"])],
            false,
        ),
        (
            r#"{"StringNotLike":{"s3:prefix":"secret/*"}}"#,
            &[("s3:prefix", &["public/x"])],
            true,
        ),
        (r#"{"StringNotLike":{"s3:prefix":"secret/*"}}"#, &[], true),
        // ${*} is a literal asterisk (policy variables page, "Special characters").
        (
            r#"{"StringEquals":{"s3:prefix":"a${*}"}}"#,
            &[("s3:prefix", &["a*"])],
            true,
        ),
        (
            r#"{"StringLike":{"s3:prefix":"a${*}"}}"#,
            &[("s3:prefix", &["ab"])],
            false,
        ),
    ]);
}

#[test]
fn numeric_operators() {
    check(&[
        // The s3:max-keys example: NumericLessThanEquals 10.
        (
            r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10"])],
            true,
        ),
        (
            r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["11"])],
            false,
        ),
        (
            r#"{"NumericLessThanEquals":{"s3:max-keys":10}}"#,
            &[("s3:max-keys", &["9"])],
            true,
        ),
        (
            r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10"])],
            false,
        ),
        (
            r#"{"NumericGreaterThan":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10.5"])],
            true,
        ),
        (
            r#"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10"])],
            true,
        ),
        (
            r#"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["9"])],
            false,
        ),
        (
            r#"{"NumericEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10.0"])],
            true,
        ),
        (
            r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["10"])],
            false,
        ),
        (
            r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["7"])],
            true,
        ),
        (r#"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, &[], true),
        (r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#, &[], false),
        (
            r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["lots"])],
            false,
        ),
    ]);
}

#[test]
fn date_operators() {
    check(&[
        // The aws:CurrentTime window example.
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}"#,
            &[("aws:CurrentTime", &["2020-05-15T12:00:00Z"])],
            true,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}"#,
            &[("aws:CurrentTime", &["2020-07-01T00:00:00Z"])],
            false,
        ),
        // Epoch values compare with ISO values (date condition operators accept both).
        (
            r#"{"DateLessThan":{"aws:EpochTime":"1600000000"}}"#,
            &[("aws:EpochTime", &["1599999999"])],
            true,
        ),
        (
            r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"1577836800"}}"#,
            &[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])],
            true,
        ),
        (
            r#"{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}"#,
            &[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])],
            true,
        ),
        (
            r#"{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
            &[("aws:CurrentTime", &["2020-01-01T00:00:01Z"])],
            true,
        ),
        (
            r#"{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
            &[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])],
            true,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
            &[],
            false,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
            &[("aws:CurrentTime", &["yesterday"])],
            false,
        ),
    ]);
}

#[test]
fn bool_binary_ip_arn() {
    check(&[
        // aws:SecureTransport example (Bool).
        (
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
            &[("aws:SecureTransport", &["true"])],
            true,
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
            &[("aws:SecureTransport", &["false"])],
            false,
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":true}}"#,
            &[("aws:SecureTransport", &["TRUE"])],
            true,
        ),
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, &[], false),
        // BinaryEquals compares the base64 text.
        (
            r#"{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#,
            &[("key", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="])],
            true,
        ),
        (
            r#"{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#,
            &[("key", &["AAAA"])],
            false,
        ),
        // IpAddress / NotIpAddress with CIDR, IPv4 and IPv6.
        (
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[("aws:SourceIp", &["203.0.113.9"])],
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[("aws:SourceIp", &["198.51.100.9"])],
            false,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}"#,
            &[("aws:SourceIp", &["2001:db8:1234:5678::abcd"])],
            true,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[("aws:SourceIp", &["198.51.100.9"])],
            true,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[("aws:SourceIp", &["203.0.113.9"])],
            false,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[],
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            &[],
            false,
        ),
        // ArnEquals/ArnLike: per-segment, case-sensitive, wildcards allowed in both.
        (
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
            &[(
                "aws:SourceArn",
                &["arn:aws:sns:us-east-1:123456789012:topic"],
            )],
            true,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#,
            &[(
                "aws:SourceArn",
                &["arn:aws:sns:eu-west-1:123456789012:topic"],
            )],
            true,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#,
            &[(
                "aws:SourceArn",
                &["arn:aws:sns:eu-west-1:999999999999:topic"],
            )],
            false,
        ),
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#,
            &[("aws:SourceArn", &["not-an-arn"])],
            false,
        ),
        (
            r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
            &[(
                "aws:SourceArn",
                &["arn:aws:sns:us-east-1:123456789012:other"],
            )],
            true,
        ),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#,
            &[(
                "aws:SourceArn",
                &["arn:aws:sns:us-east-1:123456789012:topic"],
            )],
            false,
        ),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}"#,
            &[],
            true,
        ),
    ]);
}

#[test]
fn if_exists_and_null() {
    check(&[
        // ...IfExists: true when the key is absent, normal comparison otherwise.
        (
            r#"{"StringEqualsIfExists":{"ec2:InstanceType":["t2.micro","t2.small"]}}"#,
            &[],
            true,
        ),
        (
            r#"{"StringEqualsIfExists":{"ec2:InstanceType":["t2.micro","t2.small"]}}"#,
            &[("ec2:InstanceType", &["t2.small"])],
            true,
        ),
        (
            r#"{"StringEqualsIfExists":{"ec2:InstanceType":["t2.micro","t2.small"]}}"#,
            &[("ec2:InstanceType", &["m5.large"])],
            false,
        ),
        (
            r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
            &[],
            true,
        ),
        (
            r#"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#,
            &[("s3:max-keys", &["20"])],
            false,
        ),
        (
            r#"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            &[],
            true,
        ),
        // Null: "true" means the key must be absent, "false" present.
        (r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, &[], true),
        (
            r#"{"Null":{"aws:TokenIssueTime":"true"}}"#,
            &[("aws:TokenIssueTime", &["2020-01-01T00:00:00Z"])],
            false,
        ),
        (
            r#"{"Null":{"aws:TokenIssueTime":"false"}}"#,
            &[("aws:TokenIssueTime", &["2020-01-01T00:00:00Z"])],
            true,
        ),
        (r#"{"Null":{"aws:TokenIssueTime":false}}"#, &[], false),
        // A key present with no values counts as absent.
        (
            r#"{"Null":{"aws:TagKeys":"true"}}"#,
            &[("aws:TagKeys", &[])],
            true,
        ),
    ]);
}

#[test]
fn set_operators() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    check(&[
        // ForAllValues: every request value must be in the policy set...
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &["environment"])],
            true,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &["environment", "cost-center"])],
            true,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &["environment", "owner"])],
            false,
        ),
        // ...and it is true for a missing key or an empty set.
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[],
            true,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &[])],
            true,
        ),
        // ForAnyValue: at least one request value in the policy set; false when missing or empty.
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &["owner", "environment"])],
            true,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &["owner"])],
            false,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[],
            false,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}"#,
            &[("aws:TagKeys", &[])],
            false,
        ),
        // Negated base operators: ForAllValues:StringNotEquals = none of the request values is listed.
        (
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}"#,
            &[("aws:TagKeys", &["a", "b"])],
            true,
        ),
        (
            r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}"#,
            &[("aws:TagKeys", &["a", "secret"])],
            false,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}"#,
            &[("aws:TagKeys", &["a", "secret"])],
            true,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}"#,
            &[("aws:TagKeys", &["secret"])],
            false,
        ),
        (
            r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}}"#,
            &[("aws:TagKeys", &["team-a", "team-b"])],
            true,
        ),
        // IfExists with ForAnyValue: a missing key is true.
        (
            r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"x"}}"#,
            &[],
            true,
        ),
    ]);
}

#[test]
fn clauses_are_anded() {
    // Multiple operators, and multiple keys in one operator, are ANDed.
    let both = r#"{"StringEquals":{"s3:x-amz-acl":"private","aws:PrincipalTag/team":"blue"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#;
    check(&[
        (
            both,
            &[
                ("s3:x-amz-acl", &["private"]),
                ("aws:PrincipalTag/team", &["blue"]),
                ("aws:SourceIp", &["10.1.2.3"]),
            ],
            true,
        ),
        (
            both,
            &[
                ("s3:x-amz-acl", &["private"]),
                ("aws:PrincipalTag/team", &["red"]),
                ("aws:SourceIp", &["10.1.2.3"]),
            ],
            false,
        ),
        (
            both,
            &[
                ("s3:x-amz-acl", &["private"]),
                ("aws:PrincipalTag/team", &["blue"]),
                ("aws:SourceIp", &["192.0.2.1"]),
            ],
            false,
        ),
        // An empty Condition block (valid per moto's cases) imposes nothing.
        ("{}", &[], true),
    ]);
}

#[test]
fn variables_in_condition_values() {
    check(&[
        (
            r#"{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}"#,
            &[("aws:PrincipalTag/owner", &["bob"])],
            true,
        ),
        (
            r#"{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}"#,
            &[("aws:PrincipalTag/owner", &["alice"])],
            false,
        ),
        (
            r#"{"StringEquals":{"aws:PrincipalTag/owner":"${aws:PrincipalTag/missing, 'nobody'}"}}"#,
            &[("aws:PrincipalTag/owner", &["nobody"])],
            true,
        ),
        // A variable without value never matches.
        (
            r#"{"StringEquals":{"aws:PrincipalTag/owner":"${aws:PrincipalTag/missing}"}}"#,
            &[("aws:PrincipalTag/owner", &["${aws:PrincipalTag/missing}"])],
            false,
        ),
        // aws:userid, aws:PrincipalType and aws:PrincipalAccount come from the principal.
        (
            r#"{"StringEquals":{"aws:userid":"AIDABOB","aws:PrincipalType":"User","aws:PrincipalAccount":"123456789012"}}"#,
            &[],
            true,
        ),
        (
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/bob"}}"#,
            &[],
            true,
        ),
    ]);
}

#[test]
fn principal_keys_of_a_role_session() {
    // Global condition keys page: for role sessions aws:PrincipalArn is the role
    // ARN, aws:username is absent, aws:PrincipalType is AssumedRole.
    let rows: &[(&str, bool)] = &[
        (
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/app"}}"#,
            true,
        ),
        (
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:sts::123456789012:assumed-role/app/s1"}}"#,
            false,
        ),
        (r#"{"Null":{"aws:username":"true"}}"#, true),
        (
            r#"{"StringEquals":{"aws:PrincipalType":"AssumedRole","aws:userid":"AROAAPP:s1"}}"#,
            true,
        ),
        (r#"{"StringLike":{"aws:userid":"AROAAPP:*"}}"#, true),
    ];
    for (condition, want) in rows {
        let p = identity(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}}}"#
        ));
        let ctx = request(session(), "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            with_identity(&[&p], &ctx).decision == Decision::Allow,
            *want,
            "{condition}"
        );
    }
}
