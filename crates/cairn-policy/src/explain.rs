//! What IAM's policy simulator reports besides the decision: the context keys a policy refers to
//! (GetContextKeysFor*Policy), the ones a request lacks among the statements that bear on it
//! (MissingContextValues), and how one kind of policy answers a request on its own (the
//! permissions-boundary and cross-account decision details).
//!
//! The decision itself is always [`crate::evaluate`]'s: nothing here decides a request, so a
//! simulation and a real request cannot disagree on it.

use crate::context::{PrincipalKind, RequestContext};
use crate::document::{Effect, Policy, ResourceBlock, Statement};
use crate::evaluate::{Decision, PolicySet, PolicySource};
use crate::statement_match::{self, Request};
use crate::variables;

/// The context keys `policy` uses, spelled as first written, without duplicates (keys compare
/// case-insensitively): per statement, the keys of policy variables in `Resource`/`NotResource`,
/// then its condition keys and the variables in their values. Variables count only in
/// 2012-10-17 documents, where they are variables at all.
pub fn referenced_keys(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let substitute = policy.substitutes_variables();
    for statement in &policy.statements {
        statement_keys(statement, substitute, &mut out);
    }
    out
}

/// [`referenced_keys`] of several policies, merged in order.
pub fn referenced_keys_of<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> Vec<String> {
    let mut out = Vec::new();
    for policy in policies {
        for key in referenced_keys(policy) {
            push_unique(&mut out, &key);
        }
    }
    out
}

/// The keys the statements bearing on `ctx` test (or substitute) that `ctx` does not supply,
/// in the order of [`referenced_keys`]. A statement bears on the request when its action,
/// resource and principal match, whatever its conditions say; one whose `Resource` cannot be
/// resolved for lack of a variable's value bears on it too, since that value is exactly what is
/// missing. Like [`crate::evaluate`], identity, boundary and session policies count only for
/// callers that have identity policies.
pub fn missing_keys(set: &PolicySet<'_>, ctx: &RequestContext) -> Vec<String> {
    let has_identity_policies = matches!(
        ctx.principal.kind,
        PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
    );
    let request = Request::new(ctx);
    let mut out = Vec::new();
    let mut consider = |policies: &[(&str, &Policy)], require_principal: bool| {
        for (_, policy) in policies {
            let substitute = policy.substitutes_variables();
            for statement in &policy.statements {
                if !bears_on(statement, substitute, &request, require_principal) {
                    continue;
                }
                let mut keys = Vec::new();
                statement_keys(statement, substitute, &mut keys);
                for key in keys {
                    if !supplied(ctx, &key) {
                        push_unique(&mut out, &key);
                    }
                }
            }
        }
    };
    if has_identity_policies {
        consider(&set.identity, false);
        consider(set.permissions_boundary.as_slice(), false);
        consider(&set.session, false);
    }
    consider(&set.resource, true);
    out
}

/// How `policies` of one kind answer `ctx` on their own: `ExplicitDeny` when a Deny statement
/// applies, `Allow` when an Allow statement does, else `ImplicitDeny`. Statements of resource
/// policies must name the caller, as in [`crate::evaluate`].
pub fn decide_alone(
    source: PolicySource,
    policies: &[(&str, &Policy)],
    ctx: &RequestContext,
) -> Decision {
    let request = Request::new(ctx);
    let require_principal = source == PolicySource::Resource;
    let mut allowed = false;
    for (_, policy) in policies {
        let substitute = policy.substitutes_variables();
        for statement in &policy.statements {
            if statement_match::applies(statement, substitute, &request, require_principal)
                .is_none()
            {
                continue;
            }
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// Whether the engine reads `text` as a date in conditions (ISO 8601, or epoch seconds), so a
/// simulation can refuse `date` context values it could never compare.
pub fn is_date(text: &str) -> bool {
    crate::date::parse(text).is_some()
}

/// Whether the request has a value for `key` (a key with no values counts as absent, as in
/// condition evaluation).
fn supplied(ctx: &RequestContext, key: &str) -> bool {
    ctx.values(key).is_some_and(|v| !v.is_empty())
}

fn bears_on(
    statement: &Statement,
    substitute: bool,
    request: &Request<'_>,
    require_principal: bool,
) -> bool {
    let unconditional = Statement {
        condition: Vec::new(),
        ..statement.clone()
    };
    if statement_match::applies(&unconditional, substitute, request, require_principal).is_some() {
        return true;
    }
    let unresolved = resource_patterns(statement)
        .any(|pattern| variable_keys(pattern, substitute).any(|key| !supplied(request.ctx, key)));
    unresolved && {
        let any_resource = Statement {
            resource: None,
            ..unconditional
        };
        statement_match::applies(&any_resource, substitute, request, require_principal).is_some()
    }
}

fn resource_patterns(statement: &Statement) -> impl Iterator<Item = &str> {
    let list: &[String] = match &statement.resource {
        Some(ResourceBlock::Resource(l) | ResourceBlock::NotResource(l)) => l,
        None => &[],
    };
    list.iter().map(String::as_str)
}

fn statement_keys(statement: &Statement, substitute: bool, out: &mut Vec<String>) {
    for pattern in resource_patterns(statement) {
        for key in variable_keys(pattern, substitute) {
            push_unique(out, key);
        }
    }
    for clause in &statement.condition {
        push_unique(out, &clause.key);
        for value in &clause.values {
            for key in variable_keys(value, substitute) {
                push_unique(out, key);
            }
        }
    }
}

fn push_unique(out: &mut Vec<String>, key: &str) {
    if !out.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        out.push(key.to_owned());
    }
}

/// The keys of the `${…}` variables in `text`: `${aws:username}` and
/// `${aws:PrincipalTag/team, 'none'}` name keys; the escapes `${*}`, `${?}`, `${$}` do not.
fn variable_keys(text: &str, substitute: bool) -> impl Iterator<Item = &str> {
    let mut rest = if variables::has_variables(text, substitute) {
        text
    } else {
        ""
    };
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("${")?;
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            rest = &after[end + 1..];
            let body = after[..end].split(',').next().unwrap_or_default().trim();
            if !matches!(body, "" | "*" | "?" | "$") {
                return Some(body);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicyKind, RequestPrincipal, parse};

    fn user() -> RequestPrincipal {
        RequestPrincipal::user(
            "123456789012",
            "arn:aws:iam::123456789012:user/bob",
            "bob",
            "AIDAEXAMPLE",
        )
    }

    /// The aws CLI reference's get-context-keys-for-custom-policy example.
    #[test]
    fn referenced_keys_as_the_cli_example_lists_them() {
        let p = parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(referenced_keys(&p), ["aws:username", "aws:CurrentTime"]);
    }

    #[test]
    fn escapes_are_not_keys_and_keys_compare_case_insensitively() {
        let p = parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}/${aws:PrincipalTag/team, 'x'}",
               "Condition":{"StringLike":{"s3:prefix":["home/${aws:USERNAME}/*"]}}},
              {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"AWS:SecureTransport":"false"}}},
              {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"x"}}}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(
            referenced_keys(&p),
            [
                "aws:PrincipalTag/team",
                "s3:prefix",
                "aws:USERNAME",
                "AWS:SecureTransport"
            ]
        );
    }

    #[test]
    fn missing_keys_come_from_statements_that_bear_on_the_request() {
        let p = parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
              {"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:username":"bob"}}}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let set = PolicySet {
            identity: vec![("p", &p)],
            ..PolicySet::default()
        };
        let ctx = RequestContext::new(user(), "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            missing_keys(&set, &ctx),
            ["aws:SourceIp", "aws:PrincipalTag/team"]
        );
        let ctx = ctx
            .with_key("aws:sourceip", &["10.1.2.3"])
            .with_key("aws:PrincipalTag/team", &[]);
        assert_eq!(missing_keys(&set, &ctx), ["aws:PrincipalTag/team"]);
    }

    #[test]
    fn one_kind_of_policy_on_its_own() {
        let boundary = parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
              {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let decide = |action: &str, resource: &str| {
            let ctx = RequestContext::new(user(), action, resource);
            decide_alone(PolicySource::PermissionsBoundary, &[("b", &boundary)], &ctx)
        };
        assert_eq!(decide("s3:GetObject", "arn:aws:s3:::b/k"), Decision::Allow);
        assert_eq!(
            decide("s3:GetObject", "arn:aws:s3:::b/secret"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide("s3:PutObject", "arn:aws:s3:::b/k"),
            Decision::ImplicitDeny
        );
        let bucket = parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"s3:*","Resource":"*"}]}"#,
            PolicyKind::Resource,
        )
        .unwrap();
        let ctx = RequestContext::new(user(), "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            decide_alone(PolicySource::Resource, &[("r", &bucket)], &ctx),
            Decision::ImplicitDeny,
            "the statement names someone else"
        );
    }
}
