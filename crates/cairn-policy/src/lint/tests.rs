//! The linter's specification. Each row is a policy and the findings (issue code and path) AWS
//! documents for it on the "IAM policy validation check reference" page
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>)
//! unless the row says otherwise; `recorded_responses_match` replays responses AWS returned.

use super::*;

const IDENTITY: LintKind = LintKind::IdentityPolicy;
const BUCKET: LintKind = LintKind::ResourcePolicy(ResourceType::S3Bucket);
const TRUST: LintKind = LintKind::ResourcePolicy(ResourceType::RoleTrust);
const RESOURCE: LintKind = LintKind::ResourcePolicy(ResourceType::Any);
const SCP: LintKind = LintKind::ServiceControlPolicy;

/// `Statement[0].Action[1]`; a member's key (not its value) is written `{key}`.
fn render(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Value(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathStep::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('{');
                out.push_str(k);
                out.push('}');
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
            PathStep::Substring { start, length } => out.push_str(&format!("<{start}+{length}>")),
        }
    }
    out
}

/// `(code, path of the first location)` of every finding, sorted.
fn found(text: &str, kind: LintKind) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = validate_policy(text, kind)
        .iter()
        .map(|f| {
            (
                f.issue_code().to_string(),
                f.locations
                    .first()
                    .map_or(String::new(), |l| render(&l.path)),
            )
        })
        .collect();
    out.sort();
    out
}

fn want(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    out.sort();
    out
}

/// A one-statement identity policy around a statement body.
fn stmt(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{{body}}}]}}"#)
}

/// A fact: what it is, the policy type, the policy, the findings `(code, path)`.
type Row<'a> = (&'a str, LintKind, String, &'a [(&'a str, &'a str)]);

fn check_rows(rows: &[Row]) {
    for (fact, kind, text, expected) in rows {
        assert_eq!(found(text, *kind), want(expected), "{fact}\n{text}");
    }
}

#[test]
fn json_and_grammar() {
    let rows: &[Row] = &[
        ("Json syntax error", IDENTITY, r#"{"Version": "2012-10-17","#.into(), &[("JSON_SYNTAX_ERROR", "")]),
        ("Json syntax error: a lone quote", IDENTITY, "\"".into(), &[("JSON_SYNTAX_ERROR", "")]),
        ("Json syntax error: nothing", IDENTITY, "".into(), &[("JSON_SYNTAX_ERROR", "")]),
        ("Data type mismatch: not an object", IDENTITY, "[]".into(), &[
            ("DATA_TYPE_MISMATCH", ""), ("MISSING_STATEMENT", ""), ("MISSING_VERSION", ""),
        ]),
        ("Data type mismatch: Statement", IDENTITY, r#"{"Statement":5}"#.into(), &[
            ("DATA_TYPE_MISMATCH", "Statement"), ("MISSING_VERSION", ""),
        ]),
        ("Data type mismatch: Effect", IDENTITY, stmt(r#""Effect":1,"Action":"s3:GetObject","Resource":"*""#), &[
            ("DATA_TYPE_MISMATCH", "Statement[0].Effect"), ("MISSING_EFFECT", "Statement[0]"),
        ]),
        ("Data type mismatch: an action that is not a string", IDENTITY, stmt(r#""Effect":"Allow","Action":["s3:GetObject",7],"Resource":"*""#), &[
            ("DATA_TYPE_MISMATCH", "Statement[0].Action[1]"),
        ]),
        ("Invalid policy element (top level)", IDENTITY, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}],"Foo":1}"#.into(), &[
            ("INVALID_POLICY_ELEMENT", "{Foo}"),
        ]),
        ("Invalid policy element (statement) and so Missing action", IDENTITY, stmt(r#""Effect":"Allow","Actions":"s3:GetObject","Resource":"*""#), &[
            ("INVALID_POLICY_ELEMENT", "Statement[0].{Actions}"), ("MISSING_ACTION", "Statement[0]"),
        ]),
        ("Missing statement", IDENTITY, r#"{"Version":"2012-10-17"}"#.into(), &[("MISSING_STATEMENT", "")]),
        ("Missing version", IDENTITY, r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#.into(), &[
            ("MISSING_VERSION", ""),
        ]),
        ("Invalid version", IDENTITY, r#"{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#.into(), &[
            ("INVALID_VERSION", "Version"),
        ]),
        ("Missing effect", IDENTITY, stmt(r#""Action":"s3:GetObject","Resource":"*""#), &[("MISSING_EFFECT", "Statement[0]")]),
        ("Invalid effect (letter case matters)", IDENTITY, stmt(r#""Effect":"allow","Action":"s3:GetObject","Resource":"*""#), &[
            ("INVALID_EFFECT", "Statement[0].Effect"),
        ]),
        ("Missing resource", IDENTITY, stmt(r#""Effect":"Allow","Action":"s3:GetObject""#), &[("MISSING_RESOURCE", "Statement[0]")]),
        ("Unsupported element combination", IDENTITY, stmt(r#""Effect":"Deny","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*""#), &[
            ("UNSUPPORTED_ELEMENT_COMBINATION", "Statement[0].{NotAction}"),
        ]),
        ("Unsupported principal in an identity policy", IDENTITY, stmt(r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*""#), &[
            ("UNSUPPORTED_PRINCIPAL", "Statement[0].Principal"),
        ]),
        ("SCP syntax error principal", SCP, stmt(r#""Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*""#), &[
            ("SCP_SYNTAX_ERROR_PRINCIPAL", "Statement[0].Principal"),
        ]),
        ("Missing principal in a bucket policy", BUCKET, stmt(r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#), &[
            ("MISSING_PRINCIPAL", "Statement[0]"),
        ]),
        ("Unsupported Sid; Unique Sids required", IDENTITY, r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"read all","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"},
            {"Sid":"Two","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a/*"},
            {"Sid":"Two","Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::a/*"}]}"#.into(), &[
            ("UNSUPPORTED_SID", "Statement[0].Sid"), ("UNIQUE_SIDS_REQUIRED", "Statement[2].Sid"),
        ]),
        ("Unique Sids recommended (resource policy); Empty Sid value", BUCKET, r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"},
            {"Sid":"x y","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::a/*"},
            {"Sid":"x y","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::a/*"}]}"#.into(), &[
            ("EMPTY_SID_VALUE", "Statement[0].Sid"), ("UNIQUE_SIDS_RECOMMENDED", "Statement[2].Sid"),
        ]),
        ("Empty array action / resource", IDENTITY, stmt(r#""Effect":"Allow","Action":[],"Resource":[]"#), &[
            ("EMPTY_ARRAY_ACTION", "Statement[0].Action"), ("EMPTY_ARRAY_RESOURCE", "Statement[0].Resource"),
        ]),
        ("Empty object principal / empty array principal", RESOURCE, r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"},
            {"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:PutObject","Resource":"arn:aws:s3:::a/*"}]}"#.into(), &[
            ("EMPTY_OBJECT_PRINCIPAL", "Statement[0].Principal"), ("EMPTY_ARRAY_PRINCIPAL", "Statement[1].Principal.AWS"),
        ]),
        ("A single statement object keeps paths without an index", IDENTITY, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListObject","Resource":"*"}}"#.into(), &[
            ("INVALID_ACTION", "Statement.Action"),
        ]),
    ];
    check_rows(rows);
}

#[test]
fn actions() {
    let rows: &[Row] = &[
        (
            "Invalid action: seed 004's s3:ListObject",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":["s3:ListBucket","s3:ListObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]"#,
            ),
            &[("INVALID_ACTION", "Statement[0].Action[1]")],
        ),
        (
            "Invalid action, any letter case is still the same action",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"S3:getobject","Resource":"arn:aws:s3:::b/*""#),
            &[],
        ),
        (
            "Invalid action: a wildcard that matches nothing",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"s3:Foo*","Resource":"*""#),
            &[("INVALID_ACTION", "Statement[0].Action")],
        ),
        (
            "Invalid action: no service prefix",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"GetObject","Resource":"*""#),
            &[("INVALID_ACTION", "Statement[0].Action")],
        ),
        (
            "Invalid service in action",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"s4:GetObject","Resource":"*""#),
            &[("INVALID_SERVICE_IN_ACTION", "Statement[0].Action")],
        ),
        (
            "A real service the catalog does not detail",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":["ec2:RunInstances","dynamodb:GetItem"],"Resource":"*""#,
            ),
            &[],
        ),
        (
            "Wildcard in service name",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"s*:GetObject","Resource":"*""#),
            &[("WILDCARD_IN_SERVICE_NAME", "Statement[0].Action")],
        ),
        (
            "Variable unsupported in element",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"iam:${aws:username}","Resource":"*""#),
            &[("VARIABLE_UNSUPPORTED_IN_ELEMENT", "Statement[0].Action")],
        ),
        (
            "SCP syntax error action wildcard",
            SCP,
            stmt(r#""Effect":"Deny","Action":"s3:*Object","Resource":"*""#),
            &[("SCP_SYNTAX_ERROR_ACTION_WILDCARD", "Statement[0].Action")],
        ),
        (
            "Unsupported action in policy (bucket policy)",
            BUCKET,
            stmt(
                r#""Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:GetObject","iam:CreateUser","s3:ListAllMyBuckets"],"Resource":"arn:aws:s3:::b/*""#,
            ),
            &[
                ("UNSUPPORTED_ACTION_IN_POLICY", "Statement[0].Action[1]"),
                ("UNSUPPORTED_ACTION_IN_POLICY", "Statement[0].Action[2]"),
                // and, Cairn's check, iam:CreateUser cannot act on an object at all
                ("UNSUPPORTED_RESOURCE_FOR_ACTION", "Statement[0].Action[1]"),
            ],
        ),
    ];
    check_rows(rows);
}

#[test]
fn resources() {
    let r = |res: &str| {
        stmt(&format!(
            r#""Effect":"Allow","Action":"s3:*","Resource":"{res}""#
        ))
    };
    let rows: &[Row] = &[
        ("Invalid ARN prefix", IDENTITY, r("bucket"), &[("INVALID_ARN_PREFIX", "Statement[0].Resource")]),
        ("Missing ARN field", IDENTITY, r("arn:aws:s3:::"), &[]),
        ("Missing ARN field", IDENTITY, r("arn:aws:s3"), &[("MISSING_ARN_FIELD", "Statement[0].Resource")]),
        ("Invalid partition", IDENTITY, r("arn:aws-foo:s3:::b"), &[("INVALID_PARTITION", "Statement[0].Resource")]),
        ("ARN Region not allowed", IDENTITY, r("arn:aws:s3:us-east-1::b"), &[("ARN_REGION_NOT_ALLOWED", "Statement[0].Resource")]),
        ("ARN account not allowed", IDENTITY, r("arn:aws:s3::123456789012:b"), &[("ARN_ACCOUNT_NOT_ALLOWED", "Statement[0].Resource")]),
        ("Invalid ARN service case", IDENTITY, r("arn:aws:S3:::b"), &[("INVALID_ARN_SERVICE_CASE", "Statement[0].Resource")]),
        ("Invalid service", IDENTITY, r("arn:aws:s4:::b"), &[("INVALID_SERVICE", "Statement[0].Resource")]),
        ("Access points carry a Region and an account", IDENTITY, r("arn:aws:s3:us-east-1:123456789012:accesspoint/ap"), &[]),
        ("Invalid ARN account", IDENTITY, stmt(r#""Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::12345:user/x""#), &[
            ("INVALID_ARN_ACCOUNT", "Statement[0].Resource"),
        ]),
        ("Invalid ARN resource", IDENTITY, stmt(r#""Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:usr/x""#), &[
            ("INVALID_ARN_RESOURCE", "Statement[0].Resource"),
        ]),
        ("IAM ARNs: root, AWS managed policies, variables", IDENTITY, stmt(r#""Effect":"Allow","Action":"iam:*","Resource":["arn:aws:iam::123456789012:root","arn:aws:iam::aws:policy/ReadOnlyAccess","arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"]"#), &[]),
        ("Variable unsupported in version", IDENTITY, r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#.into(), &[
            ("VARIABLE_UNSUPPORTED_IN_VERSION", "Statement[0].Resource"),
        ]),
        ("Missing brace in variable", IDENTITY, r("arn:aws:s3:::b/${aws:username"), &[("MISSING_BRACE_IN_VARIABLE", "Statement[0].Resource")]),
        ("Empty variable", IDENTITY, r("arn:aws:s3:::b/${ }"), &[("EMPTY_VARIABLE", "Statement[0].Resource")]),
        ("Unsupported resource ARN in a bucket policy", BUCKET, stmt(r#""Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":["*","arn:aws:iam::123456789012:user/x","arn:aws:s3:::b","arn:aws:s3:::b/*"]"#), &[
            ("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "Statement[0].Resource[0]"), ("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "Statement[0].Resource[1]"),
            ("REDUNDANT_RESOURCE", "Statement[0].Resource[0]"),
        ]),
    ];
    check_rows(rows);
}

#[test]
fn actions_against_resource_types() {
    // Cairn's UNSUPPORTED_RESOURCE_FOR_ACTION: Service Authorization Reference, "Actions defined
    // by Amazon S3" — GetObject's resource type is object, ListBucket's is bucket.
    let rows: &[Row] = &[
        (
            "object action on a bucket ARN",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::bucket""#,
            ),
            &[("UNSUPPORTED_RESOURCE_FOR_ACTION", "Statement[0].Action[0]")],
        ),
        (
            "bucket action on object ARNs",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket/*""#),
            &[("UNSUPPORTED_RESOURCE_FOR_ACTION", "Statement[0].Action")],
        ),
        (
            "a wildcard bucket name can name objects",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket*""#),
            &[],
        ),
        (
            "actions without resource types, wildcards and * are left alone",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:Get*"],"Resource":"arn:aws:s3:::*""#,
            ),
            &[],
        ),
        (
            "an IAM user ARN with a variable",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::123456789012:user/${aws:username}""#,
            ),
            &[],
        ),
        (
            "an IAM action on the wrong resource type",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::123456789012:role/r""#,
            ),
            &[("UNSUPPORTED_RESOURCE_FOR_ACTION", "Statement[0].Action")],
        ),
    ];
    check_rows(rows);
}

#[test]
fn conditions() {
    let c = |cond: &str| {
        stmt(&format!(
            r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{cond}"#
        ))
    };
    let rows: &[Row] = &[
        ("Invalid condition operator", IDENTITY, c(r#"{"StringEqualz":{"aws:username":"a"}}"#), &[
            ("INVALID_CONDITION_OPERATOR", "Statement[0].Condition.{StringEqualz}"),
        ]),
        ("Null with if exists", IDENTITY, c(r#"{"NullIfExists":{"aws:username":"true"}}"#), &[
            ("NULL_WITH_IF_EXISTS", "Statement[0].Condition.{NullIfExists}"),
        ]),
        ("Null with qualifier", IDENTITY, c(r#"{"ForAnyValue:Null":{"aws:TagKeys":"true"}}"#), &[
            ("NULL_WITH_QUALIFIER", "Statement[0].Condition.{ForAnyValue:Null}"),
        ]),
        ("Invalid global condition key", IDENTITY, c(r#"{"StringEquals":{"aws:NoSuchKey":"a"}}"#), &[
            ("INVALID_GLOBAL_CONDITION_KEY", "Statement[0].Condition.StringEquals.{aws:NoSuchKey}"),
        ]),
        ("Deprecated global condition key", IDENTITY, c(r#"{"ArnEquals":{"aws:ARN":"arn:aws:iam::123456789012:user/a"}}"#), &[
            ("DEPRECATED_GLOBAL_CONDITION_KEY", "Statement[0].Condition.ArnEquals.{aws:ARN}"),
        ]),
        ("Invalid service condition key", IDENTITY, c(r#"{"StringEquals":{"s3:NoSuchKey":"a"}}"#), &[
            ("INVALID_SERVICE_CONDITION_KEY", "Statement[0].Condition.StringEquals.{s3:NoSuchKey}"),
        ]),
        ("Invalid service (condition key)", IDENTITY, c(r#"{"StringEquals":{"nosuchservice:key":"a"}}"#), &[
            ("INVALID_SERVICE", "Statement[0].Condition.StringEquals.{nosuchservice:key}"),
        ]),
        ("Invalid condition key format", IDENTITY, c(r#"{"StringEquals":{"username":"a"}}"#), &[
            ("INVALID_CONDITION_KEY_FORMAT", "Statement[0].Condition.StringEquals.{username}"),
        ]),
        ("Duplicate keys with different case", IDENTITY, c(r#"{"StringEquals":{"aws:username":"a","aws:UserName":"b"}}"#), &[
            ("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "Statement[0].Condition.StringEquals.{aws:UserName}"),
        ]),
        ("Type mismatch: a date operator on a string key", IDENTITY, c(r#"{"DateLessThan":{"aws:username":"2020-01-01"}}"#), &[
            ("TYPE_MISMATCH", "Statement[0].Condition.DateLessThan.{aws:username}"),
        ]),
        ("Type mismatch: Bool on an IP key", IDENTITY, c(r#"{"Bool":{"aws:SourceIp":"true"}}"#), &[
            ("TYPE_MISMATCH", "Statement[0].Condition.Bool.{aws:SourceIp}"),
        ]),
        ("Type mismatch: a string operator on a Boolean key (recorded for aws:ViaAWSService)", IDENTITY, c(r#"{"StringEquals":{"aws:SecureTransport":"true"}}"#), &[
            ("TYPE_MISMATCH", "Statement[0].Condition.StringEquals.{aws:SecureTransport}"),
        ]),
        ("Type mismatch: a string operator on a numeric service key", IDENTITY, c(r#"{"StringEquals":{"s3:max-keys":"10"}}"#), &[
            ("TYPE_MISMATCH", "Statement[0].Condition.StringEquals.{s3:max-keys}"),
        ]),
        ("Operators that fit their keys", IDENTITY, c(r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Bool":{"aws:SecureTransport":"true"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"NumericLessThanEquals":{"s3:max-keys":10},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/x","s3:ExistingObjectTag/team":"blue"},"ForAnyValue:StringEquals":{"aws:TagKeys":"team"},"Null":{"s3:x-amz-server-side-encryption":"false"},"NumericGreaterThan":{"aws:EpochTime":1},"StringLike":{"s3:prefix":"home/*"}}"#), &[]),
        ("Type mismatch Boolean", IDENTITY, c(r#"{"Bool":{"aws:SecureTransport":"yes"}}"#), &[
            ("TYPE_MISMATCH_BOOLEAN", "Statement[0].Condition.Bool.aws:SecureTransport"),
        ]),
        ("Invalid condition multiple Boolean", IDENTITY, c(r#"{"Bool":{"aws:SecureTransport":["true","false"]}}"#), &[
            ("INVALID_CONDITION_MULTIPLE_BOOLEAN", "Statement[0].Condition.Bool.aws:SecureTransport"),
        ]),
        ("Type mismatch date", IDENTITY, c(r#"{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}"#), &[
            ("TYPE_MISMATCH_DATE", "Statement[0].Condition.DateGreaterThan.aws:CurrentTime"),
        ]),
        ("Type mismatch number", IDENTITY, c(r#"{"NumericLessThan":{"s3:max-keys":"ten"}}"#), &[
            ("TYPE_MISMATCH_NUMBER", "Statement[0].Condition.NumericLessThan.s3:max-keys"),
        ]),
        ("Type mismatch IP range", IDENTITY, c(r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","10.0.0.300/8"]}}"#), &[
            ("TYPE_MISMATCH_IP_RANGE", "Statement[0].Condition.IpAddress.aws:SourceIp[1]"),
        ]),
        ("Invalid variable for operator", IDENTITY, c(r#"{"NumericLessThan":{"s3:max-keys":"${aws:username}"}}"#), &[
            ("INVALID_VARIABLE_FOR_OPERATOR", "Statement[0].Condition.NumericLessThan.s3:max-keys"),
        ]),
        ("Wildcard without like operator", IDENTITY, c(r#"{"StringEquals":{"s3:prefix":["home/","home/*"]}}"#), &[
            ("WILDCARD_WITHOUT_LIKE_OPERATOR", "Statement[0].Condition.StringEquals.s3:prefix[1]"),
        ]),
        ("Missing qualifier (multivalued key)", IDENTITY, c(r#"{"StringEquals":{"aws:TagKeys":"team"}}"#), &[
            ("MISSING_QUALIFIER", "Statement[0].Condition.StringEquals.{aws:TagKeys}"),
        ]),
        ("ForAllValues with single valued key", IDENTITY, c(r#"{"ForAllValues:StringEquals":{"aws:username":"a"}}"#), &[
            ("FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAllValues:StringEquals.{aws:username}"),
        ]),
        ("String like operator with ARN condition keys", IDENTITY, c(r#"{"StringLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#), &[
            ("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "Statement[0].Condition.StringLike.{aws:SourceArn}"),
        ]),
        ("Empty object condition", IDENTITY, c("{}"), &[("EMPTY_OBJECT_CONDITION", "Statement[0].Condition")]),
        ("Empty array condition, and its qualifier and IfExists forms", IDENTITY, c(r#"{"StringEquals":{"aws:username":[]},"ForAllValues:StringEquals":{"aws:TagKeys":[]},"ForAnyValue:StringEquals":{"aws:CalledVia":[]},"StringEqualsIfExists":{"aws:userid":[]}}"#), &[
            ("EMPTY_ARRAY_CONDITION", "Statement[0].Condition.StringEquals.aws:username"),
            ("EMPTY_ARRAY_CONDITION_FORALLVALUES", "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys"),
            ("EMPTY_ARRAY_CONDITION_FORANYVALUE", "Statement[0].Condition.ForAnyValue:StringEquals.aws:CalledVia"),
            ("EMPTY_ARRAY_CONDITION_IFEXISTS", "Statement[0].Condition.StringEqualsIfExists.aws:userid"),
        ]),
        ("Invalid service in aws:CalledVia (recorded for cleanrooms)", IDENTITY, c(r#"{"ForAnyValue:StringEquals":{"aws:CalledVia":["athena.amazonaws.com","nosuchservice.amazonaws.com"]}}"#), &[
            ("INVALID_SERVICE", "Statement[0].Condition.ForAnyValue:StringEquals.aws:CalledVia[1]"),
        ]),
        ("Identity provider keys are open-ended", TRUST, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.example.com:aud":"app","token.example.com:sub":"x"}}}]}"#.into(), &[]),
    ];
    check_rows(rows);
}

#[test]
fn principals_and_trust_policies() {
    let trust = |body: &str| stmt(body);
    let rows: &[Row] = &[
        (
            "Invalid principal format",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","Principal":"someone","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
            ),
            &[("INVALID_PRINCIPAL_FORMAT", "Statement[0].Principal")],
        ),
        (
            "Invalid principal key",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","Principal":{"User":"bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
            ),
            &[("INVALID_PRINCIPAL_KEY", "Statement[0].Principal.{User}")],
        ),
        (
            "Unsupported wildcard in principal",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
            ),
            &[(
                "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                "Statement[0].Principal.AWS",
            )],
        ),
        (
            "Allow with NotPrincipal",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
            ),
            &[("ALLOW_WITH_NOT_PRINCIPAL", "Statement[0].NotPrincipal")],
        ),
        (
            "Deny with NotPrincipal is the documented pattern",
            RESOURCE,
            stmt(
                r#""Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
            ),
            &[],
        ),
        (
            "Restrict access to service principal",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*""#,
            ),
            &[(
                "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
                "Statement[0].Principal.Service",
            )],
        ),
        (
            "A service principal scoped by aws:SourceAccount",
            RESOURCE,
            stmt(
                r#""Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}"#,
            ),
            &[],
        ),
        (
            "Seed 002's trust policy shape",
            TRUST,
            trust(
                r#""Effect":"Allow","Action":["sts:AssumeRoleWithWebIdentity"],"Principal":{"Federated":"accounts.google.com"},"Condition":{"StringEquals":{"accounts.google.com:sub":"123"}}"#,
            ),
            &[],
        ),
        (
            "Missing condition key for oidc principal",
            TRUST,
            trust(
                r#""Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":"accounts.google.com"}"#,
            ),
            &[(
                "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
                "Statement[0].Principal.Federated",
            )],
        ),
        (
            "Role trust policy syntax error notprincipal",
            TRUST,
            trust(
                r#""Effect":"Deny","Action":"sts:AssumeRole","NotPrincipal":{"AWS":"123456789012"}"#,
            ),
            &[(
                "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
                "Statement[0].NotPrincipal",
            )],
        ),
        (
            "Role trust policy unsupported wildcard in principal",
            TRUST,
            trust(r#""Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"*"}"#),
            &[(
                "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                "Statement[0].Principal.AWS",
            )],
        ),
        (
            "Role trust policy syntax error resource",
            TRUST,
            trust(
                r#""Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"123456789012"},"Resource":"*""#,
            ),
            &[(
                "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
                "Statement[0].Resource",
            )],
        ),
        (
            "Mismatched action for principal",
            TRUST,
            trust(
                r#""Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Federated":"accounts.google.com"},"Condition":{"StringEquals":{"accounts.google.com:aud":"x"}}"#,
            ),
            &[("MISMATCHED_ACTION_FOR_PRINCIPAL", "Statement[0].Action")],
        ),
        (
            "Unsupported action in a trust policy",
            TRUST,
            trust(
                r#""Effect":"Allow","Action":["sts:AssumeRole","s3:GetObject"],"Principal":{"Service":"ec2.amazonaws.com"}"#,
            ),
            &[("UNSUPPORTED_ACTION_IN_POLICY", "Statement[0].Action[1]")],
        ),
    ];
    check_rows(rows);
}

#[test]
fn permissive_grants() {
    let rows: &[Row] = &[
        (
            "Pass role with star in resource",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"iam:PassRole","Resource":"*""#),
            &[("PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Action")],
        ),
        (
            "Pass role to a named role",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app""#,
            ),
            &[],
        ),
        (
            "Pass role: a Deny is never too permissive",
            IDENTITY,
            stmt(r#""Effect":"Deny","Action":"iam:PassRole","Resource":"*""#),
            &[],
        ),
        (
            "Pass role and Create SLR with star in action and resource (AdministratorAccess)",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":"*","Resource":"*""#),
            &[
                (
                    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
                    "Statement[0].Action",
                ),
                (
                    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
                    "Statement[0].Action",
                ),
            ],
        ),
        (
            "Create SLR with star in resource",
            IDENTITY,
            stmt(r#""Effect":"Allow","Action":["iam:CreateServiceLinkedRole"],"Resource":"*""#),
            &[("CREATE_SLR_WITH_STAR_IN_RESOURCE", "Statement[0].Action[0]")],
        ),
        (
            "Pass role with NotResource (and Cairn's Allow with NotResource)",
            IDENTITY,
            stmt(
                r#""Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin""#,
            ),
            &[
                ("PASS_ROLE_WITH_NOT_RESOURCE", "Statement[0].Action"),
                ("ALLOW_WITH_NOT_RESOURCE", "Statement[0].NotResource"),
            ],
        ),
        (
            "Pass role with star in resource and NotAction (and Cairn's Allow with NotAction)",
            IDENTITY,
            stmt(r#""Effect":"Allow","NotAction":"s3:*","Resource":"*""#),
            &[
                ("ALLOW_WITH_NOT_ACTION", "Statement[0].NotAction"),
                (
                    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
                    "Statement[0].NotAction",
                ),
                (
                    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
                    "Statement[0].NotAction",
                ),
            ],
        ),
        (
            "NotAction that leaves IAM out (PowerUserAccess)",
            IDENTITY,
            stmt(r#""Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*""#),
            &[("ALLOW_WITH_NOT_ACTION", "Statement[0].NotAction")],
        ),
        (
            "Pass role with NotAction and NotResource",
            IDENTITY,
            stmt(r#""Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b""#),
            &[
                ("ALLOW_WITH_NOT_ACTION", "Statement[0].NotAction"),
                ("ALLOW_WITH_NOT_RESOURCE", "Statement[0].NotResource"),
                (
                    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
                    "Statement[0].NotAction",
                ),
                (
                    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
                    "Statement[0].NotAction",
                ),
            ],
        ),
        (
            "Deny with NotAction / NotResource",
            IDENTITY,
            stmt(r#""Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::b""#),
            &[],
        ),
    ];
    check_rows(rows);
}

#[test]
fn redundancy() {
    let rows: &[Row] = &[
        ("Redundant action: covered by a wildcard", IDENTITY, stmt(r#""Effect":"Allow","Action":["s3:Get*","s3:PutObject","s3:GetObject"],"Resource":"*""#), &[
            ("REDUNDANT_ACTION", "Statement[0].Action[0]"),
        ]),
        ("Redundant action: twice the same (any case)", IDENTITY, stmt(r#""Effect":"Allow","Action":["s3:GetObject","s3:getobject"],"Resource":"*""#), &[
            ("REDUNDANT_ACTION", "Statement[0].Action[0]"),
        ]),
        ("Redundant resource (recorded for AWSDeepLensLambdaFunctionAccessPolicy)", IDENTITY, stmt(r#""Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::deeplens*/*","arn:aws:s3:::deeplens*"]"#), &[
            ("REDUNDANT_RESOURCE", "Statement[0].Resource[0]"),
        ]),
        ("Redundant statement", IDENTITY, r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"B","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}]}"#.into(), &[
            ("REDUNDANT_STATEMENT", "Statement[0]"),
        ]),
        ("Statements on different resources are not redundant (seed 001)", IDENTITY, include_str!("../../tests/data/seed_policies/001_middleman_group_policy.json").into(), &[]),
        ("Different conditions keep statements apart", IDENTITY, r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#.into(), &[]),
    ];
    check_rows(rows);
}

const SEED_004: &str = include_str!("../../tests/data/seed_policies/004_upsolver_policy.json");

#[test]
fn seed_policies() {
    // Seed 004 as the guide has the user fill it in: IAM accepts it, the linter flags the action
    // that does not exist, and only that.
    let filled = SEED_004
        .replace("OUTPUT_BUCKET_NAME", "ups-out")
        .replace("INPUT_BUCKET_NAME", "ups-in")
        .replace("ACCOUNT_ID", "123456789012");
    assert!(crate::parse(&filled, crate::PolicyKind::Identity).is_ok());
    assert_eq!(
        found(&filled, IDENTITY),
        want(&[("INVALID_ACTION", "Statement[2].Action[1]")])
    );
    let f = &validate_policy(&filled, IDENTITY)[0];
    assert_eq!(f.details, "The action s3:ListObject does not exist.");
    assert_eq!(f.finding_type(), FindingType::Error);
    let span = f.locations[0].span;
    let chars: Vec<char> = filled.chars().collect();
    let text: String = chars[span.start.offset..span.end.offset].iter().collect();
    assert_eq!(text, "\"s3:ListObject\"");
    let line = filled.lines().nth(span.start.line - 1).unwrap_or_default();
    assert_eq!(
        &line[span.start.column..span.end.column],
        "\"s3:ListObject\""
    );
    // As written, before the placeholders are replaced, the account id is not one either.
    assert_eq!(
        found(SEED_004, IDENTITY),
        want(&[
            ("INVALID_ACTION", "Statement[2].Action[1]"),
            ("INVALID_ARN_ACCOUNT", "Statement[3].Resource[0]"),
        ])
    );
    // The other guides' policies are clean.
    let clean: &[(&str, LintKind)] = &[
        (
            include_str!("../../tests/data/seed_policies/000_kpsync_bucket_policy.json"),
            BUCKET,
        ),
        (
            include_str!("../../tests/data/seed_policies/001_middleman_group_policy.json"),
            IDENTITY,
        ),
        (
            include_str!("../../tests/data/seed_policies/002_thanx_trust_policy.json"),
            TRUST,
        ),
        (
            include_str!("../../tests/data/seed_policies/002_thanx_writer_policy.json"),
            IDENTITY,
        ),
        (
            include_str!("../../tests/data/seed_policies/003_agency_user_policy.json"),
            IDENTITY,
        ),
    ];
    for (text, kind) in clean {
        assert_eq!(found(text, *kind), want(&[]), "{text}");
    }
}

/// Responses AWS returned (see `tests/data/README.md`): Cairn reports the same issue codes,
/// messages, paths and spans, and nothing else except its own extra checks.
#[test]
fn recorded_responses_match() {
    let cases: serde_json::Value = match serde_json::from_str(include_str!(
        "../../tests/data/access_analyzer_recorded.json"
    )) {
        Ok(v) => v,
        Err(e) => panic!("recorded responses: {e}"),
    };
    let empty = Vec::new();
    for case in cases.as_array().unwrap_or(&empty) {
        let name = case["name"].as_str().unwrap_or_default();
        let policy = case["policy"].as_str().unwrap_or_default();
        let kind = match case["resource_type"].as_str() {
            Some("AWS::S3::Bucket") => BUCKET,
            _ => IDENTITY,
        };
        let mut expected: Vec<String> = case["findings"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {} {}",
                    f["findingType"].as_str().unwrap_or_default(),
                    f["issueCode"].as_str().unwrap_or_default(),
                    f["findingDetails"].as_str().unwrap_or_default(),
                    f["learnMoreLink"].as_str().unwrap_or_default(),
                    f["locations"]
                )
            })
            .collect();
        expected.sort();
        let mut got: Vec<String> = validate_policy(policy, kind)
            .into_iter()
            .filter(|f| !f.issue.is_cairn_extension())
            .map(|f| {
                let locations: Vec<serde_json::Value> = f
                    .locations
                    .iter()
                    .map(|l| {
                        let pos = |p: crate::span::Position| {
                            serde_json::json!({"column": p.column, "line": p.line, "offset": p.offset})
                        };
                        serde_json::json!({
                            "path": l.path.iter().map(|s| match s {
                                PathStep::Value(v) => serde_json::json!({"value": v}),
                                PathStep::Key(k) => serde_json::json!({"key": k}),
                                PathStep::Index(i) => serde_json::json!({"index": i}),
                                PathStep::Substring { start, length } => serde_json::json!({"substring": {"start": start, "length": length}}),
                            }).collect::<Vec<_>>(),
                            "span": {"end": pos(l.span.end), "start": pos(l.span.start)},
                        })
                    })
                    .collect();
                format!(
                    "{} {} {} {} {}",
                    f.finding_type().as_str(),
                    f.issue_code(),
                    f.details,
                    f.learn_more_link(),
                    serde_json::Value::from(locations)
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "\"",
        "[]",
        "{}",
        "null",
        "5",
        "{\"Statement\":5}",
        "{\"Statement\":[5,null,[]]}",
        "{\"Statement\":{\"Effect\":[],\"Action\":{},\"Resource\":5,\"Condition\":[],\"Principal\":7}}",
        "{\"Statement\":[{\"Condition\":{\"StringEquals\":5,\"Bool\":{\"k\":{}}}}]}",
        "{\"Statement\":[{\"Action\":\"\",\"Resource\":\"arn:::::\",\"Principal\":{\"AWS\":{}}}]}",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::é/${\"}]}",
        "\u{feff}{}",
        "{\"a\":\"\\ud800\"}",
        "{\"Statement\":[{\"Sid\":\"é\",\"Sid\":\"x\"}]}",
    ];
    for text in odd {
        for kind in [IDENTITY, BUCKET, TRUST, RESOURCE, SCP] {
            let findings = validate_policy(text, kind);
            assert!(!findings.is_empty(), "{text}");
            for f in &findings {
                for l in &f.locations {
                    assert!(l.span.start.offset <= l.span.end.offset, "{text}");
                    assert!(l.span.end.offset <= text.chars().count(), "{text}");
                }
            }
        }
    }
}

/// A 1 MiB request body (thousands of actions, a 200 000-character resource) is validated, not
/// refused or crashed on. Its cost is measured by `cairn-bench`, not asserted here.
#[test]
fn huge_documents_are_validated() {
    let actions: Vec<String> = (0..20_000).map(|i| format!("\"s3:Get{i}*\"")).collect();
    let long = "a".repeat(200_000);
    let text = stmt(&format!(
        r#""Effect":"Allow","Action":[{}],"Resource":["arn:aws:s3:::{long}*","arn:aws:s3:::{long}"]"#,
        actions.join(",")
    ));
    let findings = validate_policy(&text, IDENTITY);
    assert!(!findings.is_empty());
}
