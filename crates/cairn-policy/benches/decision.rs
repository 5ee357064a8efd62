//! One decision over a 10-statement identity policy plus a bucket policy, as issue #3 asks.
//! Run: `cargo bench -p cairn-policy --bench decision`. Prints the median of 101 batches.

use cairn_policy::{PolicyKind, PolicySet, RequestContext, RequestPrincipal, evaluate, parse};
use std::time::Instant;

fn identity_policy() -> String {
    let mut statements = Vec::new();
    for i in 0..9 {
        statements.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-{i}/*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#
        ));
    }
    statements.push(
        r#"{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::data/home/${aws:username}/*","Condition":{"StringLike":{"aws:UserAgent":"*"}}}"#.to_string(),
    );
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

const BUCKET_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*","Condition":{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:PrincipalAccount":"999999999999"}}},
 {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/shared/*"}]}"#;

fn main() {
    let identity = parse(&identity_policy(), PolicyKind::Identity).expect("identity policy");
    let bucket = parse(BUCKET_POLICY, PolicyKind::Resource).expect("bucket policy");
    let principal = RequestPrincipal::user(
        "111111111111",
        "arn:aws:iam::111111111111:user/alice",
        "alice",
        "AIDAEXAMPLE",
    );
    let ctx = RequestContext::new(
        principal,
        "s3:GetObject",
        "arn:aws:s3:::data/home/alice/notes.txt",
    )
    .with_resource_account("111111111111")
    .with_key("aws:SourceIp", &["10.1.2.3"])
    .with_key("aws:SecureTransport", &["false"])
    .with_key("aws:UserAgent", &["aws-cli/2"]);
    let set = PolicySet {
        identity: vec![("alice-policy", &identity)],
        permissions_boundary: None,
        session: vec![],
        resource: vec![("bucket policy", &bucket)],
    };
    assert!(evaluate(&set, &ctx).is_allowed());
    const BATCH: u32 = 2_000;
    let mut per_decision: Vec<f64> = (0..101)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..BATCH {
                std::hint::black_box(evaluate(
                    std::hint::black_box(&set),
                    std::hint::black_box(&ctx),
                ));
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
        })
        .collect();
    per_decision.sort_by(|a, b| a.total_cmp(b));
    println!(
        "decision (10-statement identity policy + bucket policy): median {:.2} µs, p10 {:.2} µs, p90 {:.2} µs",
        per_decision[50], per_decision[10], per_decision[90]
    );
}
