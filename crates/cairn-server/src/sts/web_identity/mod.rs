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
