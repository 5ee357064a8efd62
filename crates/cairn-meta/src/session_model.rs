//! STS sessions and OpenID Connect identity providers.

use serde::{Deserialize, Serialize};

/// Who a set of temporary credentials acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// AssumeRole / AssumeRoleWithWebIdentity: `subject` is the role name.
    Role,
    /// GetSessionToken of an IAM user: `subject` is the user name.
    User,
    /// GetSessionToken of the account root: `subject` is empty.
    Root,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Role => "role",
            SessionKind::User => "user",
            SessionKind::Root => "root",
        }
    }

    pub fn parse(s: &str) -> Option<SessionKind> {
        match s {
            "role" => Some(SessionKind::Role),
            "user" => Some(SessionKind::User),
            "root" => Some(SessionKind::Root),
            _ => None,
        }
    }
}

/// Temporary credentials issued by STS. Kept in the database so every node can check them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsSession {
    /// `ASIA…`.
    pub access_key_id: String,
    /// Sealed by the server's master key, like long-term secrets.
    pub secret_enc: String,
    /// SHA-256 (hex) of the session token; the token itself is never stored.
    pub token_hash: String,
    pub account_id: String,
    pub kind: SessionKind,
    /// Role name or user name (empty for root).
    pub subject: String,
    /// The role's or user's id at issue time, so a deleted and re-created namesake does not
    /// inherit old sessions.
    pub subject_id: String,
    pub session_name: String,
    pub created: i64,
    pub expires: i64,
    /// Session policies, tags, source identity, web-identity facts: JSON the server interprets.
    pub attrs: String,
}

/// An IAM OpenID Connect provider (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OidcProvider {
    pub arn: String,
    pub account_id: String,
    /// The issuer without `https://`, e.g. `accounts.google.com`.
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub created: i64,
}
