//! Policy document checks used by the IAM API. The full grammar lives in the policy engine;
//! until it is wired in, this accepts well-formed JSON objects of a supported version.

/// Validates an identity-policy document; `Err` carries IAM's MalformedPolicyDocument message.
pub fn validate_identity(doc: &str) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(doc).map_err(|_| "Syntax errors in policy.".to_string())?;
    let obj = value
        .as_object()
        .ok_or_else(|| "Syntax errors in policy.".to_string())?;
    match obj.get("Version").and_then(|v| v.as_str()) {
        Some("2012-10-17") => {}
        _ => return Err("Policy document must be version 2012-10-17 or greater.".into()),
    }
    if obj.get("Statement").is_none() {
        return Err("Syntax errors in policy.".into());
    }
    Ok(())
}
