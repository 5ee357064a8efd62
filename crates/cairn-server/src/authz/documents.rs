//! Policy document checks for the IAM API, in IAM's words (the grammar is the engine's).

use cairn_policy::PolicyKind;

/// Validates an identity-policy document; `Err` carries IAM's MalformedPolicyDocument message.
pub fn validate_identity(doc: &str) -> Result<(), String> {
    cairn_policy::parse(doc, PolicyKind::Identity)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Validates a role trust policy.
pub fn validate_trust(doc: &str) -> Result<(), String> {
    cairn_policy::parse(doc, PolicyKind::Trust)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
