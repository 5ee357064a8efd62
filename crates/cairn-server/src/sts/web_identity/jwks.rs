//! Issuers' signing keys: where they come from, how long they are trusted, and which of them may
//! verify a given token.
//!
//! Sources, per issuer: a JWKS pinned by the operator (`--oidc-jwks ISSUER=PATH_OR_URL`, for
//! offline use and tests), else OpenID discovery (`ISSUER/.well-known/openid-configuration` →
//! `jwks_uri`), as AWS does. Keys are cached for [`KEYS_TTL`]; a token naming a `kid` the cache
//! lacks triggers one refresh (issuers rotate keys), at most every [`MIN_REFRESH_INTERVAL`] per
//! issuer so that tokens with made-up kids cannot make Cairn hammer an issuer. When a refresh
//! fails, the keys already held keep serving.

use super::fetch::{self, Http};
use super::web_token::{self, TokenError, VerifiedToken};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long fetched keys are used without asking the issuer again.
pub const KEYS_TTL: Duration = Duration::from_secs(3600);
/// The least time between two fetches for one issuer (refreshes for unknown kids, retries after
/// a failure).
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// Issuers whose keys are kept at once; beyond that the stalest are forgotten.
const MAX_ISSUERS: usize = 256;
/// Keys read from one JWKS at most (real sets hold two or three).
const MAX_KEYS: usize = 64;

/// `iss` without its scheme, as AWS names OIDC providers: token issuer
/// `https://accounts.google.com` is provider `accounts.google.com`
/// (`arn:aws:iam::ACCOUNT:oidc-provider/accounts.google.com`), and so is Google's bare
/// `accounts.google.com`. Only the scheme goes; a path or trailing slash stays (AWS keeps
/// `auth.example.com/` distinct). `http://` is stripped too, for local issuers.
pub fn issuer_host_path(iss: &str) -> String {
    let rest = iss
        .strip_prefix("https://")
        .or_else(|| iss.strip_prefix("http://"))
        .unwrap_or(iss);
    rest.to_string()
}

/// Parses one `--oidc-jwks` value, `ISSUER=PATH_OR_URL` (split at the first `=`).
pub fn parse_pin(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((issuer, source)) if !issuer.trim().is_empty() && !source.trim().is_empty() => {
            Ok((issuer.trim().to_string(), source.trim().to_string()))
        }
        _ => Err(format!(
            "expected ISSUER=PATH_OR_URL (e.g. accounts.google.com=/etc/cairn/google-jwks.json), got {value:?}"
        )),
    }
}

/// Keys of OIDC issuers, pinned or discovered, cached. One per server (in `AppState`).
pub struct IssuerKeys {
    /// Issuer (as [`issuer_host_path`]) → where its JWKS is read.
    pins: HashMap<String, Source>,
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
    http: Http,
}

#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Url(String),
    Discovery,
}

/// One issuer's cached keys. Behind an async mutex, so concurrent requests for an issuer wait
/// for one fetch instead of each making their own.
#[derive(Default)]
struct Slot {
    keys: Option<Arc<KeySet>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
    last_error: Option<String>,
}

/// The usable verification keys of one JWKS.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<Key>,
}

#[derive(Debug)]
struct Key {
    kid: Option<String>,
    kind: KeyKind,
    /// The JWK's `alg`, when it names one.
    alg: Option<Algorithm>,
    decoding: DecodingKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
}

impl IssuerKeys {
    /// `pins` are `(issuer, path or http(s) URL)` pairs from `--oidc-jwks`; the issuer may be
    /// written with or without `https://`. Nothing is read until a token needs it.
    pub fn new(pins: Vec<(String, String)>) -> Self {
        let pins = pins
            .into_iter()
            .map(|(issuer, source)| {
                let source = if source.starts_with("https://") || source.starts_with("http://") {
                    Source::Url(source)
                } else {
                    Source::File(PathBuf::from(source))
                };
                (issuer_host_path(&issuer), source)
            })
            .collect();
        IssuerKeys {
            pins,
            slots: Mutex::new(HashMap::new()),
            http: Http::default(),
        }
    }

    /// Verifies `token`'s signature with its issuer's keys (RS256/384/512, ES256/384; by `kid`,
    /// or every fitting key when the token has none), then `exp`, `nbf` and `iat` against
    /// `now_unix` with [`LEEWAY_SECS`](super::LEEWAY_SECS), and returns the claims.
    ///
    /// It does not check `aud`, nor that the issuer is an OIDC provider of the account: the
    /// caller does, against the provider's client ids and the role's trust policy. It does fetch
    /// the keys of whatever issuer the token names (unless pinned), so look the issuer up first
    /// ([`unverified_issuer`](super::unverified_issuer)) and call this only for a registered
    /// one: otherwise any caller could make Cairn fetch URLs of its choosing.
    pub async fn verify(&self, token: &str, now_unix: i64) -> Result<VerifiedToken, TokenError> {
        let parsed = web_token::parse(token)?;
        let issuer = parsed.issuer.clone();
        let mut keys = self.keys(&issuer, false).await?;
        if keys
            .candidates(parsed.alg, parsed.kid.as_deref())
            .is_empty()
        {
            // A kid the cache lacks: the issuer may have rotated its keys since.
            keys = self.keys(&issuer, true).await?;
        }
        let candidates = keys.candidates(parsed.alg, parsed.kid.as_deref());
        if candidates.is_empty() {
            return Err(TokenError::UnknownKey {
                issuer,
                kid: parsed.kid,
            });
        }
        let verified = candidates.iter().any(|key| {
            jsonwebtoken::crypto::verify(
                parsed.signature,
                parsed.signing_input.as_bytes(),
                &key.decoding,
                parsed.alg,
            )
            .unwrap_or(false)
        });
        if !verified {
            return Err(TokenError::BadSignature { issuer });
        }
        web_token::check_claims(issuer, parsed.claims, now_unix)
    }

    /// The issuer's keys: cached while fresh, else (re)read from its source. `refresh` asks for
    /// a re-read even of fresh keys (an unknown kid), subject to [`MIN_REFRESH_INTERVAL`].
    async fn keys(&self, issuer: &str, refresh: bool) -> Result<Arc<KeySet>, TokenError> {
        let name = issuer_host_path(issuer);
        let slot = self.slot(&name);
        let mut slot = slot.lock().await;
        let now = Instant::now();
        let fresh = slot
            .fetched_at
            .is_some_and(|t| now.duration_since(t) < KEYS_TTL);
        let recently_tried = slot
            .attempted_at
            .is_some_and(|t| now.duration_since(t) < MIN_REFRESH_INTERVAL);
        if let Some(keys) = &slot.keys
            && ((fresh && !refresh) || recently_tried)
        {
            return Ok(keys.clone());
        }
        if recently_tried && let Some(reason) = &slot.last_error {
            return Err(unavailable(issuer, reason.clone()));
        }
        slot.attempted_at = Some(now);
        let source = self.pins.get(&name).cloned().unwrap_or(Source::Discovery);
        match self.load(issuer, &source).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                slot.keys = Some(keys.clone());
                slot.fetched_at = Some(Instant::now());
                slot.last_error = None;
                Ok(keys)
            }
            Err(reason) => {
                tracing::warn!(%issuer, %reason, "could not read the issuer's signing keys");
                slot.last_error = Some(reason.clone());
                match &slot.keys {
                    // Stale keys beat none while the issuer is unreachable.
                    Some(keys) => Ok(keys.clone()),
                    None => Err(unavailable(issuer, reason)),
                }
            }
        }
    }

    fn slot(&self, name: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = match self.slots.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(slot) = slots.get(name) {
            return slot.clone();
        }
        if slots.len() >= MAX_ISSUERS {
            // Forget slots nobody is using right now (a busy one is locked: keep it).
            slots.retain(|_, slot| slot.try_lock().is_err());
        }
        slots
            .entry(name.to_string())
            .or_insert_with(Default::default)
            .clone()
    }

    async fn load(&self, issuer: &str, source: &Source) -> Result<KeySet, String> {
        let jwks = match source {
            Source::File(path) => fetch::read_json_file(path).await?,
            Source::Url(url) => self.http.get_json(url).await?,
            Source::Discovery => {
                let jwks_uri = self.discover(issuer).await?;
                self.http.get_json(&jwks_uri).await?
            }
        };
        KeySet::from_jwks(&jwks)
    }

    /// The issuer's `jwks_uri`, from its OpenID discovery document (OpenID Connect Discovery
    /// 1.0 §4), whose `issuer` must be the token's (scheme aside, so that Google's bare
    /// `accounts.google.com` tokens find `https://accounts.google.com`).
    async fn discover(&self, issuer: &str) -> Result<String, String> {
        let base = if issuer.starts_with("https://") || issuer.starts_with("http://") {
            issuer.to_string()
        } else {
            format!("https://{issuer}")
        };
        let url = format!(
            "{}/.well-known/openid-configuration",
            base.trim_end_matches('/')
        );
        if !fetch::acceptable_url(&url) {
            return Err(format!(
                "{issuer} is not an https issuer (only https, or http on this machine, is discovered)"
            ));
        }
        let doc = self.http.get_json(&url).await?;
        let claimed = doc
            .get("issuer")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if issuer_host_path(claimed) != issuer_host_path(issuer) {
            return Err(format!("{url} names issuer {claimed:?}, not {issuer:?}"));
        }
        let jwks_uri = doc
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{url} has no jwks_uri"))?;
        if !fetch::acceptable_url(jwks_uri) {
            return Err(format!("{url}: jwks_uri {jwks_uri:?} is not https"));
        }
        Ok(jwks_uri.to_string())
    }
}

impl KeySet {
    /// The signature keys of a JWKS (`{"keys": [...]}`): RSA, P-256 and P-384 public keys not
    /// reserved for encryption. Other and unparsable entries are skipped, as a verifier must
    /// (RFC 7517 §5); a set with no usable key at all is an error.
    pub(crate) fn from_jwks(jwks: &Value) -> Result<KeySet, String> {
        let entries = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("the JWKS has no \"keys\" list")?;
        let keys: Vec<Key> = entries
            .iter()
            .take(MAX_KEYS)
            .filter_map(Key::from_jwk_value)
            .collect();
        if keys.is_empty() {
            return Err("the JWKS holds no RSA or EC (P-256, P-384) signature key".to_string());
        }
        Ok(KeySet { keys })
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Keys that may have signed a token with `alg` and `kid`: of the algorithm's type (and
    /// curve), with no other `alg` declared; with that `kid` when the token names one (keys
    /// without any kid only if none has it), else all of them.
    fn candidates(&self, alg: Algorithm, kid: Option<&str>) -> Vec<&Key> {
        let fitting: Vec<&Key> = self
            .keys
            .iter()
            .filter(|k| k.kind.fits(alg) && k.alg.is_none_or(|a| a == alg))
            .collect();
        let Some(kid) = kid else {
            return fitting;
        };
        let named: Vec<&Key> = fitting
            .iter()
            .copied()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .collect();
        if !named.is_empty() {
            return named;
        }
        fitting.into_iter().filter(|k| k.kid.is_none()).collect()
    }
}

impl Key {
    fn from_jwk_value(entry: &Value) -> Option<Key> {
        let jwk: Jwk = serde_json::from_value(entry.clone()).ok()?;
        if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
            return None;
        }
        if let Some(ops) = &jwk.common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return None;
        }
        let kind = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => KeyKind::Rsa,
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => KeyKind::P256,
                EllipticCurve::P384 => KeyKind::P384,
                _ => return None,
            },
            // Symmetric ("oct") keys never verify an issuer's tokens: anyone holding the
            // public JWKS would hold them too.
            _ => return None,
        };
        let alg = match &jwk.common.key_algorithm {
            None => None,
            Some(a) => Some(a.to_string().parse::<Algorithm>().ok()?),
        };
        let decoding = DecodingKey::from_jwk(&jwk).ok()?;
        Some(Key {
            kid: jwk.common.key_id.clone(),
            kind,
            alg,
            decoding,
        })
    }
}

impl KeyKind {
    fn fits(self, alg: Algorithm) -> bool {
        matches!(
            (self, alg),
            (
                KeyKind::Rsa,
                Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
            ) | (KeyKind::P256, Algorithm::ES256)
                | (KeyKind::P384, Algorithm::ES384)
        )
    }
}

fn unavailable(issuer: &str, reason: String) -> TokenError {
    TokenError::IssuerKeysUnavailable {
        issuer: issuer.to_string(),
        reason,
    }
}
