//! The evaluation logic across policy kinds.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session

mod common;

use cairn_policy::{
    Decision, Effect, PolicySet, PolicySource, RequestContext, RequestPrincipal, evaluate,
};
use common::*;

const ALLOW_GET: &str = r#"{"Version":"2012-10-17","Statement":{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
const DENY_GET: &str = r#"{"Version":"2012-10-17","Statement":{"Sid":"NoGet","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}"#;

fn get(principal: RequestPrincipal) -> RequestContext {
    request(principal, "s3:GetObject", "arn:aws:s3:::b/k")
}

fn bucket_allowing(principal_json: &str) -> cairn_policy::Policy {
    bucket(&format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"Grant","Effect":"Allow","Principal":{principal_json},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}}}"#
    ))
}

#[test]
fn implicit_deny_by_default() {
    let e = evaluate(&PolicySet::default(), &get(bob()));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.reason,
        "no identity-based policy allows the s3:GetObject action"
    );
    assert!(e.matched.is_empty());
}

#[test]
fn identity_allow_and_explanation() {
    let p = identity(ALLOW_GET);
    let e = with_identity(&[&p], &get(bob()));
    assert_eq!(e.decision, Decision::Allow);
    assert_eq!(e.matched.len(), 1);
    assert_eq!(e.matched[0].source, PolicySource::Identity);
    assert_eq!(e.matched[0].sid.as_deref(), Some("Get"));
    assert_eq!(
        e.reason,
        "allowed by statement 'Get' of identity-based policy 'identity'"
    );
}

#[test]
fn explicit_deny_wins_everywhere() {
    let allow = identity(ALLOW_S3);
    let deny = identity(DENY_GET);
    // In another identity policy.
    let e = with_identity(&[&allow, &deny], &get(bob()));
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(
        e.reason,
        "explicit deny in statement 'NoGet' of identity-based policy 'identity'"
    );
    assert_eq!(e.matched[0].effect, Effect::Deny);
    // In the same policy as the allow.
    let both = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let e = with_identity(&[&both], &get(bob()));
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(
        e.reason,
        "explicit deny in statement #1 of identity-based policy 'identity'"
    );
    // In a bucket policy, even when the bucket policy also allows.
    let b = bucket(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},{"Sid":"DenyBob","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let e = with_resource(&[&allow], &b, &get(bob()));
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.matched[0].source, PolicySource::Resource);
    // In a permissions boundary or session policy.
    let deny_p = identity(DENY_GET);
    let set = PolicySet {
        identity: vec![("id", &allow)],
        permissions_boundary: Some(("pb", &deny_p)),
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(bob())).decision, Decision::ExplicitDeny);
    let set = PolicySet {
        identity: vec![("id", &allow)],
        session: vec![("sp", &deny_p)],
        ..Default::default()
    };
    assert_eq!(
        evaluate(&set, &get(session())).decision,
        Decision::ExplicitDeny
    );
}

#[test]
fn deny_with_condition_only_when_it_holds() {
    // Deny unless TLS: the aws:SecureTransport example of the S3 User Guide.
    let allow = identity(ALLOW_S3);
    let b = bucket(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#,
    );
    let plain = get(bob()).with_key("aws:SecureTransport", &["false"]);
    let tls = get(bob()).with_key("aws:SecureTransport", &["true"]);
    assert_eq!(
        with_resource(&[&allow], &b, &plain).decision,
        Decision::ExplicitDeny
    );
    assert_eq!(with_resource(&[&allow], &b, &tls).decision, Decision::Allow);
}

#[test]
fn permissions_boundary_intersects() {
    let allow_s3 = identity(ALLOW_S3);
    let boundary_get = identity(ALLOW_GET);
    let set = PolicySet {
        identity: vec![("id", &allow_s3)],
        permissions_boundary: Some(("pb", &boundary_get)),
        ..Default::default()
    };
    // Both allow GetObject.
    let e = evaluate(&set, &get(bob()));
    assert_eq!(e.decision, Decision::Allow);
    assert!(
        e.matched
            .iter()
            .any(|m| m.source == PolicySource::PermissionsBoundary)
    );
    // Identity allows PutObject, boundary does not.
    let put = request(bob(), "s3:PutObject", "arn:aws:s3:::b/k");
    let e = evaluate(&set, &put);
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.reason,
        "the permissions boundary 'pb' does not allow the s3:PutObject action"
    );
    // Boundary alone grants nothing.
    let set = PolicySet {
        permissions_boundary: Some(("pb", &boundary_get)),
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(bob())).decision, Decision::ImplicitDeny);
}

#[test]
fn session_policies_intersect() {
    let allow_s3 = identity(ALLOW_S3);
    let session_get = policy(ALLOW_GET, cairn_policy::PolicyKind::Session);
    let set = PolicySet {
        identity: vec![("role", &allow_s3)],
        session: vec![("sp", &session_get)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(session())).decision, Decision::Allow);
    let put = request(session(), "s3:PutObject", "arn:aws:s3:::b/k");
    let e = evaluate(&set, &put);
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.reason, "no session policy allows the s3:PutObject action");
    // Session policy alone grants nothing.
    let set = PolicySet {
        session: vec![("sp", &session_get)],
        ..Default::default()
    };
    assert_eq!(
        evaluate(&set, &get(session())).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn bucket_policy_naming_user_suffices_in_same_account() {
    // Same account: a resource-based policy naming the user ARN allows without identity policies.
    let b = bucket_allowing(r#"{"AWS":"arn:aws:iam::123456789012:user/bob"}"#);
    let e = with_resource(&[], &b, &get(bob()));
    assert_eq!(e.decision, Decision::Allow);
    assert_eq!(e.matched[0].source, PolicySource::Resource);
    // Even past a permissions boundary that does not allow it (boundaries page, "Resource-based policies").
    let deny_nothing = identity(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#,
    );
    let set = PolicySet {
        permissions_boundary: Some(("pb", &deny_nothing)),
        resource: vec![("bp", &b)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(bob())).decision, Decision::Allow);
    // Another user of the account is not named.
    let carol = RequestPrincipal::user(
        ACCOUNT,
        "arn:aws:iam::123456789012:user/carol",
        "carol",
        "AIDACAROL",
    );
    assert_eq!(
        with_resource(&[], &b, &get(carol)).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn bucket_policy_naming_account_delegates_to_identity_policies() {
    let b = bucket_allowing(r#"{"AWS":"123456789012"}"#);
    assert_eq!(
        with_resource(&[], &b, &get(bob())).decision,
        Decision::ImplicitDeny
    );
    let b = bucket_allowing(r#"{"AWS":"arn:aws:iam::123456789012:root"}"#);
    assert_eq!(
        with_resource(&[], &b, &get(bob())).decision,
        Decision::ImplicitDeny
    );
    let allow = identity(ALLOW_GET);
    assert_eq!(
        with_resource(&[&allow], &b, &get(bob())).decision,
        Decision::Allow
    );
}

#[test]
fn role_sessions_and_resource_policies() {
    let boundary = identity(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#,
    );
    // Naming the session ARN: not limited by the boundary.
    let by_session = bucket_allowing(&format!(r#"{{"AWS":"{SESSION_ARN}"}}"#));
    let set = PolicySet {
        permissions_boundary: Some(("pb", &boundary)),
        resource: vec![("bp", &by_session)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(session())).decision, Decision::Allow);
    // Naming the role ARN: matches the session, but the boundary still limits it.
    let by_role = bucket_allowing(&format!(r#"{{"AWS":"{ROLE_ARN}"}}"#));
    let set = PolicySet {
        permissions_boundary: Some(("pb", &boundary)),
        resource: vec![("bp", &by_role)],
        ..Default::default()
    };
    assert_eq!(
        evaluate(&set, &get(session())).decision,
        Decision::ImplicitDeny
    );
    let set = PolicySet {
        resource: vec![("bp", &by_role)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(session())).decision, Decision::Allow);
    // ...and so does a session policy.
    let session_policy = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#,
        cairn_policy::PolicyKind::Session,
    );
    let set = PolicySet {
        session: vec![("sp", &session_policy)],
        resource: vec![("bp", &by_role)],
        ..Default::default()
    };
    assert_eq!(
        evaluate(&set, &get(session())).decision,
        Decision::ImplicitDeny
    );
    // Another session of another role is not named.
    let other = RequestPrincipal::assumed_role(
        ACCOUNT,
        "arn:aws:iam::123456789012:role/other",
        "arn:aws:sts::123456789012:assumed-role/other/s1",
        "AROAOTHER:s1",
    );
    let set = PolicySet {
        resource: vec![("bp", &by_role)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(other)).decision, Decision::ImplicitDeny);
}

#[test]
fn cross_account_needs_both_sides() {
    let alice = || get(alice_other_account()).with_resource_account(ACCOUNT);
    let allow = identity(ALLOW_GET);
    let grant_alice = bucket_allowing(r#"{"AWS":"arn:aws:iam::210987654321:user/alice"}"#);
    let grant_account = bucket_allowing(r#"{"AWS":"210987654321"}"#);
    // Identity only.
    let e = with_identity(&[&allow], &alice());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert!(
        e.reason
            .starts_with("cross-account request: no resource-based policy allows"),
        "{}",
        e.reason
    );
    // Resource only, even naming the user directly.
    let e = with_resource(&[], &grant_alice, &alice());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.reason,
        "cross-account request: no identity-based policy allows the s3:GetObject action"
    );
    // Both: allowed, whether the bucket names the user or the account.
    let e = with_resource(&[&allow], &grant_alice, &alice());
    assert_eq!(e.decision, Decision::Allow);
    assert!(e.matched.iter().any(|m| m.source == PolicySource::Identity));
    assert!(e.matched.iter().any(|m| m.source == PolicySource::Resource));
    assert_eq!(
        with_resource(&[&allow], &grant_account, &alice()).decision,
        Decision::Allow
    );
    // A bucket policy naming a different account does not help.
    let grant_third = bucket_allowing(r#"{"AWS":"333333333333"}"#);
    assert_eq!(
        with_resource(&[&allow], &grant_third, &alice()).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn anonymous_callers() {
    let public = bucket_allowing(r#""*""#);
    let public_aws = bucket_allowing(r#"{"AWS":"*"}"#);
    let named = bucket_allowing(r#"{"AWS":"123456789012"}"#);
    let anon = || get(RequestPrincipal::anonymous());
    assert_eq!(
        with_resource(&[], &public, &anon()).decision,
        Decision::Allow
    );
    assert_eq!(
        with_resource(&[], &public_aws, &anon()).decision,
        Decision::Allow
    );
    let e = with_resource(&[], &named, &anon());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.reason,
        "no resource-based policy allows the s3:GetObject action on arn:aws:s3:::b/k for anonymous callers"
    );
    // No policies at all.
    assert_eq!(
        evaluate(&PolicySet::default(), &anon()).decision,
        Decision::ImplicitDeny
    );
    // A public bucket serves same-account users without identity policies; other
    // accounts' users still need their own identity-based allow.
    assert_eq!(
        with_resource(&[], &public, &get(bob())).decision,
        Decision::Allow
    );
    let alice = get(alice_other_account()).with_resource_account(ACCOUNT);
    assert_eq!(
        with_resource(&[], &public, &alice).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn root_user() {
    // The root user of the resource account needs no policy, but explicit denies still apply.
    let root = || get(RequestPrincipal::root(ACCOUNT)).with_resource_account(ACCOUNT);
    assert_eq!(
        evaluate(&PolicySet::default(), &root()).decision,
        Decision::Allow
    );
    let deny = bucket(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
    );
    assert_eq!(
        with_resource(&[], &deny, &root()).decision,
        Decision::ExplicitDeny
    );
    // Identity policies passed for root are ignored.
    let deny_id = identity(DENY_GET);
    assert_eq!(
        with_identity(&[&deny_id], &root()).decision,
        Decision::Allow
    );
    // Another account's root needs the bucket policy to name its account.
    let other_root = || get(RequestPrincipal::root(OTHER_ACCOUNT)).with_resource_account(ACCOUNT);
    assert_eq!(
        evaluate(&PolicySet::default(), &other_root()).decision,
        Decision::ImplicitDeny
    );
    let grant = bucket_allowing(r#"{"AWS":"210987654321"}"#);
    assert_eq!(
        with_resource(&[], &grant, &other_root()).decision,
        Decision::Allow
    );
}

#[test]
fn not_principal() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    let allow = identity(ALLOW_S3);
    let deny_all_but_bob = |listed: &str| {
        bucket(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Deny","NotPrincipal":{{"AWS":{listed}}},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}}}"#
        ))
    };
    // Listing the user and its account exempts the user.
    let b = deny_all_but_bob(&format!(
        r#"["{BOB_ARN}","arn:aws:iam::123456789012:root"]"#
    ));
    assert_eq!(
        with_resource(&[&allow], &b, &get(bob())).decision,
        Decision::Allow
    );
    let carol = RequestPrincipal::user(
        ACCOUNT,
        "arn:aws:iam::123456789012:user/carol",
        "carol",
        "AIDACAROL",
    );
    assert_eq!(
        with_resource(&[&allow], &b, &get(carol)).decision,
        Decision::ExplicitDeny
    );
    // Listing only the user denies it too: the account identity is not exempt.
    let b = deny_all_but_bob(&format!(r#""{BOB_ARN}""#));
    assert_eq!(
        with_resource(&[&allow], &b, &get(bob())).decision,
        Decision::ExplicitDeny
    );
    // Sessions need the account, the role and the session ARN listed.
    let b = deny_all_but_bob(&format!(
        r#"["arn:aws:iam::123456789012:root","{ROLE_ARN}","{SESSION_ARN}"]"#
    ));
    assert_eq!(
        with_resource(&[&allow], &b, &get(session())).decision,
        Decision::Allow
    );
    let b = deny_all_but_bob(&format!(
        r#"["arn:aws:iam::123456789012:root","{ROLE_ARN}"]"#
    ));
    assert_eq!(
        with_resource(&[&allow], &b, &get(session())).decision,
        Decision::ExplicitDeny
    );
    // Anonymous callers are never listed (except by "*").
    let b = deny_all_but_bob(&format!(r#""{BOB_ARN}""#));
    let public = bucket_allowing(r#""*""#);
    let set = PolicySet {
        resource: vec![("deny", &b), ("public", &public)],
        ..Default::default()
    };
    assert_eq!(
        evaluate(&set, &get(RequestPrincipal::anonymous())).decision,
        Decision::ExplicitDeny
    );
}

#[test]
fn trust_policies() {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html (Federated),
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html (Service).
    let trust = policy(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"my-app"}}},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}
        ]}"#,
        cairn_policy::PolicyKind::Trust,
    );
    let set = PolicySet {
        resource: vec![("trust", &trust)],
        ..Default::default()
    };
    let assume = |p: RequestPrincipal, action: &str| {
        request(p, action, ROLE_ARN).with_resource_account(ACCOUNT)
    };
    assert!(
        evaluate(
            &set,
            &assume(
                RequestPrincipal::service("ec2.amazonaws.com"),
                "sts:AssumeRole"
            )
        )
        .is_allowed()
    );
    assert!(
        !evaluate(
            &set,
            &assume(
                RequestPrincipal::service("lambda.amazonaws.com"),
                "sts:AssumeRole"
            )
        )
        .is_allowed()
    );
    let google = assume(
        RequestPrincipal::web_identity("accounts.google.com"),
        "sts:AssumeRoleWithWebIdentity",
    );
    assert!(
        evaluate(
            &set,
            &google
                .clone()
                .with_key("accounts.google.com:aud", &["my-app"])
        )
        .is_allowed()
    );
    assert!(
        !evaluate(
            &set,
            &google.with_key("accounts.google.com:aud", &["other"])
        )
        .is_allowed()
    );
    // Cross-account: the trusted account must also allow sts:AssumeRole on the role.
    let alice = assume(alice_other_account(), "sts:AssumeRole");
    assert!(!evaluate(&set, &alice).is_allowed());
    let may_assume = identity(&format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{ROLE_ARN}"}}}}"#
    ));
    let set = PolicySet {
        identity: vec![("alice", &may_assume)],
        resource: vec![("trust", &trust)],
        ..Default::default()
    };
    assert!(evaluate(&set, &alice).is_allowed());
}

#[test]
fn statements_without_principal_never_apply_as_resource_policies() {
    // An identity-shaped policy mistakenly passed as a resource policy grants nothing.
    let p = identity(ALLOW_GET);
    let set = PolicySet {
        resource: vec![("misplaced", &p)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &get(bob())).decision, Decision::ImplicitDeny);
}

#[test]
fn federated_users_need_a_session_policy() {
    // "If you do not pass a policy to GetFederationToken, the resulting federated
    // user session has no permissions", except through resource-based policies
    // naming the federated user (access_policies.html, "Session policies").
    let fed_arn = "arn:aws:sts::123456789012:federated-user/carol";
    let fed = || {
        get(RequestPrincipal::federated_user(
            ACCOUNT,
            fed_arn,
            "123456789012:carol",
        ))
    };
    let allow = identity(ALLOW_S3);
    assert_eq!(
        with_identity(&[&allow], &fed()).decision,
        Decision::ImplicitDeny
    );
    let session_get = policy(ALLOW_GET, cairn_policy::PolicyKind::Session);
    let set = PolicySet {
        identity: vec![("user", &allow)],
        session: vec![("sp", &session_get)],
        ..Default::default()
    };
    assert_eq!(evaluate(&set, &fed()).decision, Decision::Allow);
    let b = bucket_allowing(&format!(r#"{{"AWS":"{fed_arn}"}}"#));
    assert_eq!(with_resource(&[], &b, &fed()).decision, Decision::Allow);
}

/// A trust policy is a gate: naming the account admits its principals to the gate (their own
/// policies decide the rest), a condition it sets must hold, and a Deny closes it.
#[test]
fn resource_policies_admit_as_a_gate() {
    use cairn_policy::{PolicyKind, resource_policies_admit};
    let trust = |json: &str| policy(json, PolicyKind::Trust);
    let assume = |p: RequestPrincipal| {
        request(p, "sts:AssumeRole", "arn:aws:iam::123456789012:role/r")
            .with_resource_account(ACCOUNT)
    };
    let account = trust(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}"#,
    );
    let set = [("trust", &account)];
    assert!(!resource_policies_admit(&set, &assume(bob())));
    assert!(resource_policies_admit(
        &set,
        &assume(bob()).with_key("sts:ExternalId", &["x"])
    ));
    // Another account's principals are not admitted by a grant to this one.
    assert!(!resource_policies_admit(
        &set,
        &assume(alice_other_account()).with_key("sts:ExternalId", &["x"])
    ));
    let deny = trust(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:username":"bob"}}}]}"#,
    );
    assert!(!resource_policies_admit(
        &[("trust", &deny)],
        &assume(bob())
    ));
    assert!(resource_policies_admit(
        &[("trust", &deny)],
        &assume(session())
    ));
}
