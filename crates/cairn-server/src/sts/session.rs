//! What a session remembers from the call that created it, stored as the session row's
//! `attrs` JSON and read back on every request the session signs.

use serde::{Deserialize, Serialize};

/// Session policies, tags and identity facts of a temporary credential.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAttrs {
    /// The inline session policy (`Policy`), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Managed session policies (`PolicyArns`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    /// Session tags: they override the role's tags of the same key in `aws:PrincipalTag`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// For web-identity sessions: the provider (`accounts.google.com`, or the OIDC provider ARN)
    /// as `aws:FederatedProvider` reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_provider: Option<String>,
    /// A console password sign-in (see `console::signin`): unlike GetSessionToken's, such a
    /// user session may call IAM, as AWS's console sessions do.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
    /// Issue time in seconds, for `aws:TokenIssueTime`.
    #[serde(default)]
    pub issued: i64,
}

impl SessionAttrs {
    /// Whether session policies narrow the role's permissions.
    pub fn has_session_policies(&self) -> bool {
        self.policy.is_some() || !self.policy_arns.is_empty()
    }

    /// `PackedPolicySize`: the percentage of the packed budget the inline policy and tags use
    /// (AWS compresses them; this counts characters without whitespace). `None` when neither
    /// was passed, as AWS then omits the field.
    pub fn packed_size(&self) -> Option<usize> {
        if self.policy.is_none() && self.tags.is_empty() {
            return None;
        }
        let policy = self
            .policy
            .as_deref()
            .map_or(0, |p| p.chars().filter(|c| !c.is_whitespace()).count());
        let tags: usize = self.tags.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        Some(((policy + tags) * 100).div_ceil(2048 * 4).max(1))
    }
}
