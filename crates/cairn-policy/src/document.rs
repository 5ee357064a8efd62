//! The parsed, validated form of a policy document.
//!
//! Single strings and arrays are both normalised to `Vec<String>`, and the
//! mutually exclusive element pairs (`Action`/`NotAction`, ...) become enums
//! so an evaluator can never see both.

use serde::Serialize;

use crate::condition_operator::ConditionOperator;

/// The only version in which policy variables are substituted; older
/// documents treat `${...}` as literal text.
pub const VERSION_2012_10_17: &str = "2012-10-17";

/// Where a document is attached; decides which elements it must or must not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyKind {
    /// Attached to a user, group or role (inline or managed). No `Principal`.
    Identity,
    /// Attached to a resource, e.g. a bucket policy. Every statement names a principal.
    Resource,
    /// A role's trust policy: names principals, allows `sts:AssumeRole*`, has no `Resource`.
    Trust,
    /// Passed to `AssumeRole`/`GetFederationToken` to narrow a session. No `Principal`.
    Session,
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Whether `${...}` in this document are policy variables (only in version 2012-10-17).
    pub fn substitutes_variables(&self) -> bool {
        self.version.as_deref() == Some(VERSION_2012_10_17)
    }
}

/// One statement; all its parts must match for it to apply to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalBlock>,
    pub action: ActionBlock,
    /// `None` only in trust policies, where the role is implicitly the resource.
    pub resource: Option<ResourceBlock>,
    /// All clauses must hold (logical AND).
    pub condition: Vec<ConditionClause>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrincipalBlock {
    Principal(Principal),
    NotPrincipal(Principal),
}

/// The value of a `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// `{"AWS": ..., "Service": ..., ...}` flattened to one list.
    Ids(Vec<PrincipalId>),
}

/// One typed entry of a principal map, e.g. `"AWS": "123456789012"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalId {
    pub kind: PrincipalIdKind,
    pub value: String,
}

/// The keys of a principal map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalIdKind {
    /// Accounts, users, roles, role sessions, federated users, or `*`.
    Aws,
    /// Web identity or SAML providers, e.g. `accounts.google.com`.
    Federated,
    /// AWS services, e.g. `ec2.amazonaws.com`.
    Service,
    /// S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalIdKind {
    /// The JSON key as written in a policy.
    pub fn key(self) -> &'static str {
        match self {
            PrincipalIdKind::Aws => "AWS",
            PrincipalIdKind::Federated => "Federated",
            PrincipalIdKind::Service => "Service",
            PrincipalIdKind::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Action` or `NotAction`; patterns like `s3:Get*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ActionBlock {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

/// `Resource` or `NotResource`; ARN patterns, possibly with policy variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResourceBlock {
    Resource(Vec<String>),
    NotResource(Vec<String>),
}

/// One `operator: { key: values }` pair of a `Condition` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionClause {
    pub operator: ConditionOperator,
    /// As written; compared case-insensitively with context keys.
    pub key: String,
    /// Any of them may match (logical OR). JSON booleans and numbers are kept as their text.
    pub values: Vec<String>,
}
