//! IAM records: users, groups and roles share one shape (an entity), policies are documents.

use serde::{Deserialize, Serialize};

/// The three kinds of IAM identity that carry policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    User,
    Group,
    Role,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Role => "role",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        match s {
            "user" => Some(EntityKind::User),
            "group" => Some(EntityKind::Group),
            "role" => Some(EntityKind::Role),
            _ => None,
        }
    }
}

/// Kind-specific settings of an entity, kept as one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityAttrs {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<(String, String)>,
    /// ARN of the managed policy used as permissions boundary (users and roles).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permissions_boundary: Option<String>,
    /// Roles: the trust policy (URL-decoded JSON).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trust_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Roles: maximum session duration in seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_session_duration: Option<u32>,
}

/// A user, group or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamEntity {
    pub account_id: String,
    pub kind: EntityKind,
    /// As given at creation (names are unique case-insensitively).
    pub name: String,
    /// `AIDA…`, `AGPA…` or `AROA…`.
    pub id: String,
    pub path: String,
    pub created: i64,
    pub attrs: EntityAttrs,
}

impl IamEntity {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:{}{}{}",
            self.account_id,
            self.kind.as_str(),
            self.path,
            self.name
        )
    }
}

/// A customer-managed policy (AWS-managed ones live in the server as constants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub account_id: String,
    pub name: String,
    /// `ANPA…`.
    pub id: String,
    pub path: String,
    pub description: Option<String>,
    pub default_version: String,
    pub created: i64,
    pub updated: i64,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub arn: String,
    /// `v1`, `v2`, …
    pub version_id: String,
    pub document: String,
    pub created: i64,
}

/// Every policy document that applies to a principal, gathered for one authorization.
#[derive(Debug, Clone, Default)]
pub struct AppliedPolicies {
    /// `(label, document)`: inline policies of the entity and its groups.
    pub inline: Vec<(String, String)>,
    /// Managed policy ARNs attached to the entity or its groups (the caller resolves documents,
    /// since AWS-managed policies are not stored).
    pub attached: Vec<String>,
    pub permissions_boundary: Option<String>,
}
