//! The decision: AWS's policy evaluation logic for one account's policies
//! plus the resource's policies.
//!
//! Following <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//! (and its cross-account page): an explicit deny in any applicable policy
//! wins. Otherwise, within one account, a request is allowed when the
//! identity-based policies allow it and the permissions boundary and session
//! policies (where present) allow it too, or when a resource-based policy
//! allows it naming the caller directly (user ARN, session ARN, `*`); a
//! resource-based allow naming the *role* of a session is still subject to
//! the boundary and session policies, and one naming only the *account*
//! delegates to the identity-based policies. Across accounts both sides must
//! allow. Root users have no identity-based policies: the root of the
//! resource's own account is allowed unless a resource-based policy
//! explicitly denies it; any identity/boundary/session policies passed for a
//! root caller are ignored. Anonymous, web-identity and service callers can
//! only be allowed by resource-based (or trust) policies. A federated user
//! (`GetFederationToken`) always has a session-policy side: without session
//! policies it only gets what resource-based policies grant it directly.
//! SCPs, RCPs and ACLs are out of scope.

use serde::Serialize;

use crate::context::{PrincipalKind, RequestContext};
use crate::document::{Effect, Policy, Statement};
use crate::principal_match::Grant;
use crate::statement_match;

/// The policies that bear on one request, each with a caller-chosen label
/// (a policy ARN, `user/bob inline "s3"`, `bucket policy of b`, ...).
#[derive(Debug, Clone, Default)]
pub struct PolicySet<'a> {
    /// Inline and managed policies of the user/role, including group policies.
    pub identity: Vec<(&'a str, &'a Policy)>,
    pub permissions_boundary: Option<(&'a str, &'a Policy)>,
    /// Session policies passed when the session was created (combined by union).
    pub session: Vec<(&'a str, &'a Policy)>,
    /// Bucket policies, role trust policies, ...
    pub resource: Vec<(&'a str, &'a Policy)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// Which kind of policy a matched statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicySource {
    Identity,
    PermissionsBoundary,
    Session,
    Resource,
}

impl PolicySource {
    fn describe(self) -> &'static str {
        match self {
            PolicySource::Identity => "identity-based policy",
            PolicySource::PermissionsBoundary => "permissions boundary",
            PolicySource::Session => "session policy",
            PolicySource::Resource => "resource-based policy",
        }
    }
}

/// A statement that decided (or contributed to) the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedStatement {
    pub source: PolicySource,
    pub policy: String,
    /// Zero-based position in the policy's `Statement` list.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
}

/// `statement 'Sid' of identity-based policy 'label'` (or `statement #2 ...` without a Sid).
fn describe_into(
    out: &mut String,
    source: PolicySource,
    policy: &str,
    index: usize,
    sid: Option<&str>,
) {
    use std::fmt::Write as _;
    match sid {
        Some(sid) if !sid.is_empty() => {
            out.push_str("statement '");
            out.push_str(sid);
            out.push('\'');
        }
        // Writing to a String cannot fail.
        _ => drop(write!(out, "statement #{index}")),
    }
    out.push_str(" of ");
    out.push_str(source.describe());
    out.push_str(" '");
    out.push_str(policy);
    out.push('\'');
}

/// `prefix` followed by the description of `m`, in one allocation.
fn reason(prefix: &str, m: &MatchedStatement) -> String {
    let mut out = String::with_capacity(prefix.len() + 64 + m.policy.len());
    out.push_str(prefix);
    describe_into(&mut out, m.source, &m.policy, m.index, m.sid.as_deref());
    out
}

/// The outcome with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub decision: Decision,
    /// For `ExplicitDeny`, the denying statements; for `Allow`, the allowing
    /// statements that were needed; empty for `ImplicitDeny`.
    pub matched: Vec<MatchedStatement>,
    /// A sentence for logs and error messages.
    pub reason: String,
}

impl Evaluation {
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allow
    }
}

/// A statement that applies to the request, by reference; turned into a
/// [`MatchedStatement`] (with its copies of label and Sid) only if it ends
/// up in the [`Evaluation`].
#[derive(Clone, Copy)]
struct Hit<'a> {
    source: PolicySource,
    policy: &'a str,
    index: usize,
    statement: &'a Statement,
}

impl Hit<'_> {
    fn matched(&self) -> MatchedStatement {
        MatchedStatement {
            source: self.source,
            policy: self.policy.to_owned(),
            index: self.index,
            sid: self.statement.sid.clone(),
            effect: self.statement.effect,
        }
    }
}

/// Statements of one kind of policy that apply to the request.
#[derive(Default)]
struct Found<'a> {
    allows: Vec<(Hit<'a>, Grant)>,
    denies: Vec<Hit<'a>>,
}

impl<'a> Found<'a> {
    fn allowed(&self) -> bool {
        !self.allows.is_empty()
    }

    fn best_grant(&self) -> Option<Grant> {
        self.allows.iter().map(|(_, g)| *g).max()
    }

    fn allow_statements(&self) -> impl Iterator<Item = Hit<'a>> + '_ {
        self.allows.iter().map(|(m, _)| *m)
    }
}

fn scan<'a>(
    source: PolicySource,
    policies: &[(&'a str, &'a Policy)],
    request: &statement_match::Request<'_>,
) -> Found<'a> {
    let mut found = Found::default();
    let require_principal = source == PolicySource::Resource;
    for (label, policy) in policies {
        let substitute = policy.substitutes_variables();
        for (index, statement) in policy.statements.iter().enumerate() {
            let Some(grant) =
                statement_match::applies(statement, substitute, request, require_principal)
            else {
                continue;
            };
            let hit = Hit {
                source,
                policy: label,
                index,
                statement,
            };
            match statement.effect {
                Effect::Deny => found.denies.push(hit),
                Effect::Allow => found.allows.push((hit, grant)),
            }
        }
    }
    found
}

/// Whether resource-based policies by themselves admit the request: an applicable Allow
/// naming the caller, its role, its account or everyone, and no applicable Deny. A role's
/// trust policy is such a gate: AssumeRole needs it on top of [`evaluate`], because within an
/// account a grant to the account alone would otherwise let identity policies decide.
pub fn resource_policies_admit(policies: &[(&str, &Policy)], ctx: &RequestContext) -> bool {
    let found = scan(
        PolicySource::Resource,
        policies,
        &statement_match::Request::new(ctx),
    );
    found.denies.is_empty() && found.allowed()
}

/// Decides one request.
pub fn evaluate(set: &PolicySet<'_>, ctx: &RequestContext) -> Evaluation {
    let has_identity_policies = matches!(
        ctx.principal.kind,
        PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
    );
    let (identity, session): (&[_], &[_]) = if has_identity_policies {
        (&set.identity, &set.session)
    } else {
        (&[], &[])
    };
    let boundary = set.permissions_boundary.filter(|_| has_identity_policies);
    let target = statement_match::Request::new(ctx);
    let identity = scan(PolicySource::Identity, identity, &target);
    let boundary_found = scan(
        PolicySource::PermissionsBoundary,
        boundary.as_slice(),
        &target,
    );
    let session_found = scan(PolicySource::Session, session, &target);
    let resource = scan(PolicySource::Resource, &set.resource, &target);

    let all = [&identity, &boundary_found, &session_found, &resource];
    if all.iter().any(|f| !f.denies.is_empty()) {
        let matched: Vec<MatchedStatement> = all
            .iter()
            .flat_map(|f| f.denies.iter().map(Hit::matched))
            .collect();
        return Evaluation {
            decision: Decision::ExplicitDeny,
            reason: matched
                .first()
                .map(|m| reason("explicit deny in ", m))
                .unwrap_or_default(),
            matched,
        };
    }

    let request = Request { ctx };
    match ctx.principal.kind {
        PrincipalKind::Root => request.root(&resource),
        PrincipalKind::Anonymous | PrincipalKind::WebIdentity | PrincipalKind::Service => {
            request.without_identity_policies(&resource)
        }
        PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => {
            let sides = Sides {
                identity: &identity,
                boundary: boundary.map(|(label, _)| (label, &boundary_found)),
                // A GetFederationToken session without session policies has no
                // permissions of its own (session policies section of access_policies.html).
                session: (!session.is_empty()
                    || ctx.principal.kind == PrincipalKind::FederatedUser)
                    .then_some(&session_found),
                resource: &resource,
            };
            request.with_identity_policies(&sides)
        }
    }
}

/// The applicable statements of a principal that has identity policies.
struct Sides<'a> {
    identity: &'a Found<'a>,
    boundary: Option<(&'a str, &'a Found<'a>)>,
    session: Option<&'a Found<'a>>,
    resource: &'a Found<'a>,
}

impl<'a> Sides<'a> {
    fn boundary_ok(&self) -> bool {
        self.boundary.is_none_or(|(_, f)| f.allowed())
    }

    fn session_ok(&self) -> bool {
        self.session.is_none_or(Found::allowed)
    }

    /// Identity allow intersected with boundary and session policies.
    fn identity_side(&self) -> bool {
        self.identity.allowed() && self.boundary_ok() && self.session_ok()
    }

    fn identity_side_statements(&self) -> impl Iterator<Item = Hit<'a>> + '_ {
        let boundary = self.boundary.map(|(_, f)| f);
        self.identity
            .allow_statements()
            .chain(boundary.into_iter().flat_map(Found::allow_statements))
            .chain(self.session.into_iter().flat_map(Found::allow_statements))
    }
}

struct Request<'a> {
    ctx: &'a RequestContext,
}

impl Request<'_> {
    fn allow<'h>(&self, hits: impl IntoIterator<Item = Hit<'h>>) -> Evaluation {
        let matched: Vec<MatchedStatement> = hits.into_iter().map(|h| h.matched()).collect();
        let reason = match matched.first() {
            Some(m) => reason("allowed by ", m),
            None => "allowed".to_owned(),
        };
        Evaluation {
            decision: Decision::Allow,
            matched,
            reason,
        }
    }

    fn implicit_deny(&self, reason: String) -> Evaluation {
        Evaluation {
            decision: Decision::ImplicitDeny,
            matched: Vec::new(),
            reason,
        }
    }

    fn who(&self) -> String {
        let p = &self.ctx.principal;
        match p.kind {
            PrincipalKind::Anonymous => "anonymous callers".to_owned(),
            _ => p.arn.clone(),
        }
    }

    fn no_resource_allow(&self) -> String {
        format!(
            "no resource-based policy allows the {} action on {} for {}",
            self.ctx.action,
            self.ctx.resource,
            self.who()
        )
    }

    fn root(&self, resource: &Found<'_>) -> Evaluation {
        if !self.ctx.is_cross_account() {
            return Evaluation {
                decision: Decision::Allow,
                matched: Vec::new(),
                reason:
                    "the root user of the resource's account is allowed unless explicitly denied"
                        .to_owned(),
            };
        }
        if resource.allowed() {
            return self.allow(resource.allow_statements());
        }
        self.implicit_deny(format!(
            "cross-account request: {}",
            self.no_resource_allow()
        ))
    }

    fn without_identity_policies(&self, resource: &Found<'_>) -> Evaluation {
        if resource.best_grant() == Some(Grant::Direct) {
            let direct = resource
                .allows
                .iter()
                .filter(|(_, g)| *g == Grant::Direct)
                .map(|(m, _)| *m);
            return self.allow(direct);
        }
        self.implicit_deny(self.no_resource_allow())
    }

    fn with_identity_policies(&self, sides: &Sides<'_>) -> Evaluation {
        let action = &self.ctx.action;
        if self.ctx.is_cross_account() {
            if sides.identity_side() && sides.resource.allowed() {
                let matched = sides
                    .identity_side_statements()
                    .chain(sides.resource.allow_statements());
                return self.allow(matched);
            }
            let reason = match self.identity_side_gap(sides) {
                Some(gap) => format!("cross-account request: {gap}"),
                None => format!("cross-account request: {}", self.no_resource_allow()),
            };
            return self.implicit_deny(reason);
        }
        if sides.identity_side() {
            return self.allow(sides.identity_side_statements());
        }
        let through_resource = || {
            sides
                .resource
                .allows
                .iter()
                .filter(|(_, grant)| match grant {
                    Grant::Direct => true,
                    Grant::Role => sides.boundary_ok() && sides.session_ok(),
                    Grant::Account => false,
                })
                .map(|(m, _)| *m)
        };
        if through_resource().next().is_some() {
            return self.allow(through_resource());
        }
        let gap = self
            .identity_side_gap(sides)
            .unwrap_or_else(|| format!("no policy allows the {action} action"));
        self.implicit_deny(gap)
    }

    /// Why the identity side (identity ∩ boundary ∩ session) does not allow.
    fn identity_side_gap(&self, sides: &Sides<'_>) -> Option<String> {
        let action = &self.ctx.action;
        if !sides.identity.allowed() {
            return Some(format!(
                "no identity-based policy allows the {action} action"
            ));
        }
        if let Some((label, f)) = sides.boundary
            && !f.allowed()
        {
            return Some(format!(
                "the permissions boundary '{label}' does not allow the {action} action"
            ));
        }
        if !sides.session_ok() {
            return Some(format!("no session policy allows the {action} action"));
        }
        None
    }
}
