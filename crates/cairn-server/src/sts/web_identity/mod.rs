//! Verifying OIDC ID tokens for AssumeRoleWithWebIdentity: is this JWT genuinely from the
//! issuer it names, and still current?
//!
//! - [`web_token`]: parsing a token without trusting it, the checks on its claims, and
//!   [`TokenError`] with the STS error AWS answers for each refusal.
//! - [`jwks`]: [`IssuerKeys`], the issuers' signing keys (pinned with `--oidc-jwks`, else
//!   OpenID discovery), cached and refreshed on key rotation.
//! - `fetch`: bounded reads of those documents (size cap, 5-second deadline, HTTPS only unless
//!   local or pinned).
//!
//! Whether the issuer is a provider of the account, the audience one of its client ids, and the
//! trust policy satisfied is the STS action's business, not this module's. Invariant: nothing
//! here panics on a hostile token, and a token is only ever checked against the asymmetric keys
//! its issuer publishes.

mod fetch;
pub mod jwks;
pub mod web_token;

pub use jwks::{IssuerKeys, issuer_host_path, parse_pin};
pub use web_token::{LEEWAY_SECS, MAX_TOKEN_CHARS, TokenError, VerifiedToken, unverified_issuer};

#[cfg(test)]
mod tests;

/// Entry points for the fuzz targets in `fuzz/`, compiled only under cargo-fuzz.
#[cfg(fuzzing)]
pub mod fuzzing {
    /// Parses a token without trusting it and runs the claim checks on what parses.
    pub fn token(text: &str) {
        let _ = super::unverified_issuer(text);
        if let Ok(parsed) = super::web_token::parse(text) {
            let _ = super::web_token::check_claims(parsed.issuer, parsed.claims, 1_764_064_800);
        }
    }

    /// Reads a JWKS document's signature keys.
    pub fn jwks(value: &serde_json::Value) {
        let _ = super::jwks::KeySet::from_jwks(value);
    }
}
