//! Shared fixtures: account 123456789012 with user bob, a role session, and
//! helpers that parse policies and evaluate requests.
#![allow(dead_code)]

use cairn_policy::{
    Evaluation, Policy, PolicyKind, PolicySet, RequestContext, RequestPrincipal, evaluate, parse,
};

pub const ACCOUNT: &str = "123456789012";
pub const OTHER_ACCOUNT: &str = "210987654321";
pub const BOB_ARN: &str = "arn:aws:iam::123456789012:user/bob";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/app";
pub const SESSION_ARN: &str = "arn:aws:sts::123456789012:assumed-role/app/s1";

pub fn bob() -> RequestPrincipal {
    RequestPrincipal::user(ACCOUNT, BOB_ARN, "bob", "AIDABOB")
}

pub fn alice_other_account() -> RequestPrincipal {
    RequestPrincipal::user(
        OTHER_ACCOUNT,
        "arn:aws:iam::210987654321:user/alice",
        "alice",
        "AIDAALICE",
    )
}

pub fn session() -> RequestPrincipal {
    RequestPrincipal::assumed_role(ACCOUNT, ROLE_ARN, SESSION_ARN, "AROAAPP:s1")
}

pub fn policy(json: &str, kind: PolicyKind) -> Policy {
    match parse(json, kind) {
        Ok(p) => p,
        Err(e) => panic!("policy must parse ({e}): {json}"),
    }
}

pub fn identity(json: &str) -> Policy {
    policy(json, PolicyKind::Identity)
}

pub fn bucket(json: &str) -> Policy {
    policy(json, PolicyKind::Resource)
}

/// A request by `principal` for `action` on `resource` in the caller's account.
pub fn request(principal: RequestPrincipal, action: &str, resource: &str) -> RequestContext {
    RequestContext::new(principal, action, resource)
}

/// Evaluates with identity policies only.
pub fn with_identity(policies: &[&Policy], ctx: &RequestContext) -> Evaluation {
    let set = PolicySet {
        identity: policies.iter().map(|p| ("identity", *p)).collect(),
        ..PolicySet::default()
    };
    evaluate(&set, ctx)
}

/// Evaluates with identity policies and one resource policy.
pub fn with_resource(identity: &[&Policy], resource: &Policy, ctx: &RequestContext) -> Evaluation {
    let set = PolicySet {
        identity: identity.iter().map(|p| ("identity", *p)).collect(),
        resource: vec![("bucket-policy", resource)],
        ..PolicySet::default()
    };
    evaluate(&set, ctx)
}
