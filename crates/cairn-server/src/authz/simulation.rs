//! One simulated request (iam:SimulatePrincipalPolicy, iam:SimulateCustomPolicy): the engine's
//! decision, reached exactly as [`super::check`] reaches it for the same policies and condition
//! keys, plus the details IAM's simulator reports beside it. Nothing here decides differently
//! from a real request: the details are read from the same engine, never used to decide.

use cairn_policy::explain::{decide_alone, missing_keys};
use cairn_policy::{Decision, Evaluation, Policy, PolicySet, PolicySource, RequestContext};
use cairn_policy::{RequestPrincipal, evaluate};
use std::sync::Arc;

/// What a simulation holds fixed across its (action, resource) pairs.
pub struct Simulation<'a> {
    /// The simulated caller.
    pub principal: &'a RequestPrincipal,
    /// Labelled identity policies (the entity's and PolicyInputList).
    pub identity: &'a [(String, Arc<Policy>)],
    pub boundary: Option<&'a (String, Arc<Policy>)>,
    /// The ResourcePolicy, treated as attached to every simulated resource.
    pub resource_policy: Option<&'a (String, Arc<Policy>)>,
    /// The account owning the simulated resources (ResourceOwner, else the caller's).
    pub resource_account: &'a str,
    /// Condition keys: the principal's tags (`aws:PrincipalTag/…`), then ContextEntries, which
    /// win, as a request's own keys do in [`super::check`].
    pub context: &'a [(String, Vec<String>)],
}

/// The simulated outcome of one (action, resource) pair.
pub struct Simulated {
    /// The engine's decision with the statements that made it.
    pub evaluation: Evaluation,
    /// Keys the statements bearing on the request test but the simulation does not supply.
    pub missing_context: Vec<String>,
    /// Whether the permissions boundary alone allows the request; `None` without a boundary.
    pub allowed_by_boundary: Option<bool>,
    /// The caller's side (identity policies within the boundary) on its own.
    pub identity_decision: Decision,
    /// The resource policy on its own; `None` without one.
    pub resource_decision: Option<Decision>,
    /// Caller and resource are in different accounts (both sides must allow).
    pub cross_account: bool,
}

fn labelled(policies: &[(String, Arc<Policy>)]) -> Vec<(&str, &Policy)> {
    policies
        .iter()
        .map(|(l, p)| (l.as_str(), p.as_ref()))
        .collect()
}

fn one(policy: Option<&(String, Arc<Policy>)>) -> Option<(&str, &Policy)> {
    policy.map(|(l, p)| (l.as_str(), p.as_ref()))
}

impl Simulation<'_> {
    /// Simulates `action` on `resource`.
    pub fn run(&self, action: &str, resource: &str) -> Simulated {
        let mut ctx = RequestContext::new(self.principal.clone(), action, resource)
            .with_resource_account(self.resource_account);
        for (k, v) in self.context {
            let values: Vec<&str> = v.iter().map(String::as_str).collect();
            ctx = ctx.with_key(k, &values);
        }
        let boundary = one(self.boundary);
        let set = PolicySet {
            identity: labelled(self.identity),
            permissions_boundary: boundary,
            session: vec![],
            resource: one(self.resource_policy).into_iter().collect(),
        };
        let evaluation = evaluate(&set, &ctx);
        let missing_context = missing_keys(&set, &ctx);
        // The caller's side as the engine sees it within the caller's own account.
        let mut own = ctx.clone();
        own.resource_account = None;
        let identity_only = PolicySet {
            resource: vec![],
            ..set.clone()
        };
        let identity_decision = evaluate(&identity_only, &own).decision;
        let allowed_by_boundary = boundary.map(|b| {
            decide_alone(PolicySource::PermissionsBoundary, &[b], &ctx) == Decision::Allow
        });
        let resource_decision = (!set.resource.is_empty())
            .then(|| decide_alone(PolicySource::Resource, &set.resource, &ctx));
        Simulated {
            evaluation,
            missing_context,
            allowed_by_boundary,
            identity_decision,
            resource_decision,
            cross_account: ctx.is_cross_account(),
        }
    }
}
