//! One OIDC ID token (a JWS in compact form): parsing it without trusting it, and what
//! verification yields or refuses, with the STS error AWS answers for each refusal.
//!
//! Parsing is defensive by construction: the token comes from an unauthenticated caller, so every
//! step is bounded (AWS's 20,000-character limit first), nothing panics, and only the asymmetric
//! algorithms AWS accepts get as far as a key (so `none` and `HS256`-with-the-public-key are
//! refused before any key is touched).

use crate::query::QueryError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

/// AWS's limit on `WebIdentityToken` (STS API model: `clientTokenType`, length 4..=20000).
pub const MAX_TOKEN_CHARS: usize = 20_000;
/// The shortest `WebIdentityToken` the STS API model admits.
pub const MIN_TOKEN_CHARS: usize = 4;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. AWS does not document its own;
/// it has been seen refusing a token 198 s after `exp` (so it allows less than that), and 60 s
/// is the usual default of JWT verifiers (e.g. Nimbus JOSE+JWT, which Java services use).
pub const LEEWAY_SECS: i64 = 60;

/// What AWS answers when it cannot get or find the key that signed a token (the message, double
/// space included, is AWS's, as seen in raw STS responses).
const NO_VERIFICATION_KEY: &str = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
/// The STS API model's description of `InvalidIdentityToken`, used where AWS's exact wording for
/// a refusal is not known.
const NOT_VALIDATED: &str = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.";

/// A token whose signature verified against its issuer's keys and whose times are current.
///
/// Not yet checked (the caller's part, against the account): that the issuer is a registered
/// OIDC provider, that an audience is one of its client ids, and the role's trust policy.
///
/// Condition keys in trust policies, for provider `P` = [`issuer_host_path`](super::issuer_host_path)
/// of [`issuer`](Self::issuer) (e.g. `accounts.google.com`):
/// - `P:sub` is [`subject`](Self::subject); `P:amr` is [`amr`](Self::amr).
/// - `P:aud` is [`authorized_party`](Self::authorized_party) (`azp`) when the token has one,
///   else [`audiences`](Self::audiences) (`aud`). For Google, `accounts.google.com:oaud` is then
///   the token's `aud` (only present when `azp` is). This is how AWS maps Google tokens: a Google
///   service account's ID token carries `azp` = the account's numeric unique id and `aud` = the
///   audience the caller asked for, so `accounts.google.com:aud` names the service account and
///   `accounts.google.com:oaud` the requested audience (AWS IAM User Guide, "Available keys for
///   AWS web identity federation"; the global condition keys list `accounts.google.com:aud`,
///   `:oaud` and `:sub` for `sts:AssumeRoleWithWebIdentity`). [`Self::condition_audiences`] and
///   [`Self::original_audiences`] compute exactly that.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// `iss` exactly as in the token (e.g. `https://accounts.google.com`; Google also issues the
    /// bare `accounts.google.com`).
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud`, a string or an array of strings in the token; may be empty.
    pub audiences: Vec<String>,
    /// `azp`, the party the token was issued to (Google: the client / service-account id).
    pub authorized_party: Option<String>,
    /// `amr`, a string or an array of strings in the token; empty when absent.
    pub amr: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub expires_at: i64,
    /// `iat`, seconds since the epoch.
    pub issued_at: Option<i64>,
    /// Every claim of the token.
    pub claims: Map<String, Value>,
}

impl VerifiedToken {
    /// The values of the `P:aud` condition key: `azp` when present, else `aud`.
    pub fn condition_audiences(&self) -> Vec<String> {
        match &self.authorized_party {
            Some(azp) => vec![azp.clone()],
            None => self.audiences.clone(),
        }
    }

    /// The values of `accounts.google.com:oaud`: the token's `aud`, present only when `azp` took
    /// its place as `P:aud`.
    pub fn original_audiences(&self) -> Option<Vec<String>> {
        self.authorized_party
            .as_ref()
            .map(|_| self.audiences.clone())
    }
}

/// Why a token was refused. [`TokenError::aws_code`], [`TokenError::aws_message`] and
/// [`TokenError::aws_status`] give STS's answer; `Display` gives the detail, for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Longer than [`MAX_TOKEN_CHARS`]: refused by request validation before anything else.
    #[error("token longer than {MAX_TOKEN_CHARS} characters")]
    TooLarge,
    /// Not a JWS in compact form with JSON header and claims, or a claim of the wrong type.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// `alg` is not one of RS256, RS384, RS512, ES256, ES384 (`none` and `HS*` included).
    #[error("unsupported signing algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// No key of the issuer fits the token's `kid` and `alg`, even after refreshing the keys.
    #[error("no key of {issuer} matches kid {kid:?}")]
    UnknownKey { issuer: String, kid: Option<String> },
    /// The signature verifies with none of the issuer's fitting keys.
    #[error("signature does not verify with any key of {issuer}")]
    BadSignature { issuer: String },
    /// `exp` (plus the leeway) has passed.
    #[error("token expired at {expires_at} (now {now})")]
    Expired { now: i64, expires_at: i64 },
    /// `nbf` (less the leeway) is still ahead.
    #[error("token not valid before {not_before} (now {now})")]
    NotYetValid { now: i64, not_before: i64 },
    /// `iat` (less the leeway) is in the future.
    #[error("token issued in the future, at {issued_at} (now {now})")]
    IssuedInFuture { now: i64, issued_at: i64 },
    /// The issuer's keys could not be read (file, URL or discovery), and none are cached.
    #[error("keys of {issuer} unavailable: {reason}")]
    IssuerKeysUnavailable { issuer: String, reason: String },
    /// For the caller: the token's issuer is not an OIDC provider of the account.
    #[error("no OpenID Connect provider for {issuer}")]
    NoProvider { issuer: String },
    /// For the caller: no audience of the token is a client id of the provider.
    #[error("no audience of the token is a client id of its provider")]
    IncorrectAudience,
}

impl TokenError {
    /// STS's error code: `ValidationError` for an oversized token, `ExpiredTokenException` for an
    /// expired one, `InvalidIdentityToken` for everything else (as AWS does, also when the
    /// issuer's keys cannot be fetched: "Couldn't retrieve verification key…", not
    /// `IDPCommunicationError`).
    pub fn aws_code(&self) -> &'static str {
        match self {
            TokenError::TooLarge => "ValidationError",
            TokenError::Expired { .. } => "ExpiredTokenException",
            _ => "InvalidIdentityToken",
        }
    }

    /// Always 400 (the STS model's status for all three codes).
    pub fn aws_status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// STS's message. AWS's own wording where it is known (sources in the module's tests), the
    /// STS model's description of `InvalidIdentityToken` otherwise; AWS deliberately says little
    /// about why a token failed, so the detail stays in `Display`, for the server's log.
    pub fn aws_message(&self) -> String {
        match self {
            TokenError::TooLarge => format!(
                "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to {MAX_TOKEN_CHARS}"
            ),
            TokenError::Expired { now, expires_at } => format!(
                "Token expired: current date/time {now} must be before the expiration date/time {expires_at}"
            ),
            TokenError::UnknownKey { .. } | TokenError::IssuerKeysUnavailable { .. } => {
                NO_VERIFICATION_KEY.to_string()
            }
            TokenError::NoProvider { issuer } => {
                format!("No OpenIDConnect provider found in your account for {issuer}")
            }
            TokenError::IncorrectAudience => "Incorrect token audience".to_string(),
            TokenError::Malformed(_)
            | TokenError::UnsupportedAlgorithm(_)
            | TokenError::BadSignature { .. }
            | TokenError::NotYetValid { .. }
            | TokenError::IssuedInFuture { .. } => NOT_VALIDATED.to_string(),
        }
    }
}

impl From<TokenError> for QueryError {
    fn from(e: TokenError) -> Self {
        QueryError::new(e.aws_status(), e.aws_code(), e.aws_message())
    }
}

/// A token split and decoded, nothing verified yet.
#[derive(Debug)]
pub(crate) struct ParsedToken<'a> {
    pub alg: Algorithm,
    pub kid: Option<String>,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, what the signature covers.
    pub signing_input: &'a str,
    /// The third part, still base64url (the verifier decodes it).
    pub signature: &'a str,
    pub issuer: String,
    pub claims: Map<String, Value>,
}

/// The `iss` of a token, unverified: for looking up the account's provider before
/// [`IssuerKeys::verify`](super::IssuerKeys::verify) fetches anything for that issuer.
pub fn unverified_issuer(token: &str) -> Result<String, TokenError> {
    parse(token).map(|p| p.issuer)
}

/// Splits and decodes a token, refusing what no key could ever verify.
pub(crate) fn parse(token: &str) -> Result<ParsedToken<'_>, TokenError> {
    // Bytes first: a multi-megabyte token is refused without walking its characters.
    if token.len() > 4 * MAX_TOKEN_CHARS || token.chars().count() > MAX_TOKEN_CHARS {
        return Err(TokenError::TooLarge);
    }
    if token.len() < MIN_TOKEN_CHARS {
        return Err(malformed("shorter than 4 characters"));
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(
            "not three dot-separated parts (a JWE or an opaque access token?)",
        ));
    };
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];

    let header = decode_object(header_b64, "header")?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => algorithm(alg)?,
        Some(_) => return Err(malformed("alg is not a string")),
        None => return Err(malformed("no alg in the header")),
    };
    // RFC 7515 §4.1.11: extensions marked critical must be understood; Cairn knows none.
    if header.contains_key("crit") {
        return Err(malformed("critical header extensions are not supported"));
    }
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed("kid is not a string")),
    };
    match URL_SAFE_NO_PAD.decode(signature) {
        Ok(sig) if !sig.is_empty() => {}
        _ => return Err(malformed("the signature is empty or not base64url")),
    }

    let claims = decode_object(payload_b64, "claims")?;
    let issuer = match claims.get("iss") {
        Some(Value::String(iss)) if !iss.is_empty() => iss.clone(),
        Some(_) => return Err(malformed("iss is not a non-empty string")),
        None => return Err(malformed("no iss claim")),
    };
    Ok(ParsedToken {
        alg,
        kid,
        signing_input,
        signature,
        issuer,
        claims,
    })
}

/// The algorithms AWS accepts ("RSA keys (RS256, RS384, or RS512) or ECDSA keys (ES256, ES384,
/// or ES512)", STS API reference) less ES512, which the verifier does not implement.
fn algorithm(alg: &str) -> Result<Algorithm, TokenError> {
    match alg {
        "RS256" => Ok(Algorithm::RS256),
        "RS384" => Ok(Algorithm::RS384),
        "RS512" => Ok(Algorithm::RS512),
        "ES256" => Ok(Algorithm::ES256),
        "ES384" => Ok(Algorithm::ES384),
        other => Err(TokenError::UnsupportedAlgorithm(truncate(other))),
    }
}

/// Checks the times and the claims every ID token has, once the signature has verified.
pub(crate) fn check_claims(
    issuer: String,
    claims: Map<String, Value>,
    now: i64,
) -> Result<VerifiedToken, TokenError> {
    let expires_at = time_claim(&claims, "exp")?.ok_or_else(|| malformed("no exp claim"))?;
    if now >= expires_at.saturating_add(LEEWAY_SECS) {
        return Err(TokenError::Expired { now, expires_at });
    }
    if let Some(not_before) = time_claim(&claims, "nbf")?
        && now.saturating_add(LEEWAY_SECS) < not_before
    {
        return Err(TokenError::NotYetValid { now, not_before });
    }
    let issued_at = time_claim(&claims, "iat")?;
    if let Some(iat) = issued_at
        && iat > now.saturating_add(LEEWAY_SECS)
    {
        return Err(TokenError::IssuedInFuture {
            now,
            issued_at: iat,
        });
    }
    let subject = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
        Some(_) => return Err(malformed("sub is not a non-empty string")),
        None => return Err(malformed("no sub claim")),
    };
    let audiences = string_or_list(&claims, "aud")?;
    let authorized_party = match claims.get("azp") {
        None | Some(Value::Null) => None,
        Some(Value::String(azp)) => Some(azp.clone()),
        Some(_) => return Err(malformed("azp is not a string")),
    };
    let amr = string_or_list(&claims, "amr")?;
    Ok(VerifiedToken {
        issuer,
        subject,
        audiences,
        authorized_party,
        amr,
        expires_at,
        issued_at,
        claims,
    })
}

/// A NumericDate claim. AWS: "Timestamps in the token must be formatted as either an integer or
/// a long integer", so `1.7e9` is refused rather than rounded.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| malformed(&format!("{name} is not an integer"))),
        Some(_) => Err(malformed(&format!("{name} is not a number"))),
    }
}

fn string_or_list(claims: &Map<String, Value>, name: &str) -> Result<Vec<String>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(malformed(&format!("{name} holds a non-string"))),
            })
            .collect(),
        Some(_) => Err(malformed(&format!("{name} is neither a string nor a list"))),
    }
}

/// Base64url (no padding, as JWS requires) of a JSON object.
fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| malformed(&format!("the {what} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(malformed(&format!("the {what} is not a JSON object"))),
        Err(_) => Err(malformed(&format!("the {what} is not JSON"))),
    }
}

fn malformed(why: &str) -> TokenError {
    TokenError::Malformed(why.to_string())
}

/// Caller-supplied text kept short enough for a log line.
fn truncate(s: &str) -> String {
    s.chars().take(32).collect()
}
