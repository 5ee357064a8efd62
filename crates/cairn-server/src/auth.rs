//! Authentication: access key id → secret (for s3s's SigV4/SigV2 verification) and → principal.
//! Long-term keys (`AKIA…`) live in `access_keys`; temporary ones (`ASIA…`) in `sts_sessions`,
//! valid only together with their session token and until they expire.

use crate::principal::{Principal, RoleSession};
use crate::s3::error::meta_err;
use crate::state::State;
use cairn_meta::{EntityKind, SessionKind};
use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Result, s3_error};
use std::sync::Arc;

/// Resolves access keys stored in the metadata store.
pub struct KeyAuth {
    pub state: State,
}

/// What an access key id stands for. Its `Debug` leaves the secret out.
#[derive(Clone)]
pub struct Resolved {
    pub principal: Principal,
    pub secret: String,
    /// For temporary credentials: the token the request must carry, and the expiry.
    pub session: Option<SessionCheck>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("principal", &self.principal)
            .field("secret", &"<redacted>")
            .field("session", &self.session)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct SessionCheck {
    /// SHA-256 (hex) of the session token.
    pub token_hash: String,
    /// Seconds since the epoch.
    pub expires: i64,
    /// A console sign-in session (it may call IAM).
    pub console: bool,
}

/// Why a temporary credential's token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Temporary key without a token: AWS answers as for an unknown key.
    Missing,
    /// A token that is not this session's.
    Invalid,
}

impl Resolved {
    /// Whether the credentials came from STS (GetSessionToken or a role).
    pub fn is_temporary(&self) -> bool {
        self.session.is_some()
    }

    /// Whether the credentials are a console password sign-in's session.
    pub fn is_console(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.console)
    }

    /// Checks the session token a request presents (`x-amz-security-token`). Long-term keys
    /// ignore it, as AWS does.
    pub fn check_token(&self, presented: Option<&str>) -> Result<(), TokenProblem> {
        use subtle::ConstantTimeEq;
        let Some(session) = &self.session else {
            return Ok(());
        };
        let token = presented.ok_or(TokenProblem::Missing)?;
        let hash = crate::sts::credentials::token_hash(token);
        if bool::from(hash.as_bytes().ct_eq(session.token_hash.as_bytes())) {
            Ok(())
        } else {
            Err(TokenProblem::Invalid)
        }
    }
}

fn unknown_key() -> s3s::S3Error {
    s3_error!(
        InvalidAccessKeyId,
        "The AWS Access Key Id you provided does not exist in our records."
    )
}

/// The principal an active access key belongs to, with its secret. Temporary credentials past
/// their expiry fail with ExpiredToken.
pub async fn resolve_key(state: &State, access_key_id: &str) -> S3Result<Arc<Resolved>> {
    use crate::authz::generation::GenCache;
    let key = access_key_id.to_string();
    let resolved = match state.keys.get(&state.iam_generation, &key) {
        Some(hit) => hit,
        None => {
            // A key known not to exist answers from memory too, as fast as a known one.
            if state
                .unknown_keys
                .get(&state.iam_generation, &key)
                .is_some()
            {
                return Err(unknown_key());
            }
            let at = GenCache::<String, Arc<Resolved>>::generation_now(&state.iam_generation);
            match resolve_key_uncached(state, access_key_id).await {
                Ok(resolved) => {
                    let resolved = Arc::new(resolved);
                    state
                        .keys
                        .put(&state.iam_generation, at, key, resolved.clone());
                    resolved
                }
                Err(e) => {
                    if *e.code() == s3s::S3ErrorCode::InvalidAccessKeyId {
                        state.unknown_keys.put(&state.iam_generation, at, key, ());
                    }
                    return Err(e);
                }
            }
        }
    };
    if let Some(s) = &resolved.session
        && s.expires <= crate::time::now_ms() / 1000
    {
        return Err(s3_error!(ExpiredToken, "The provided token has expired."));
    }
    Ok(resolved)
}

async fn resolve_key_uncached(state: &State, access_key_id: &str) -> S3Result<Resolved> {
    if access_key_id.starts_with("ASIA") {
        return resolve_session(state, access_key_id).await;
    }
    let key = state
        .meta
        .get_access_key(access_key_id)
        .await
        .map_err(meta_err)?;
    let Some(key) = key.filter(|k| k.status == "Active") else {
        return Err(unknown_key());
    };
    let secret = open_secret(state, &key.secret_enc)?;
    let principal = match key.user_name {
        None => Principal::Root {
            account_id: key.account_id,
        },
        Some(name) => Principal::User {
            account_id: key.account_id,
            name,
        },
    };
    Ok(Resolved {
        principal,
        secret,
        session: None,
    })
}

fn open_secret(state: &State, sealed: &str) -> S3Result<String> {
    state.master.open(sealed).ok_or_else(|| {
        s3_error!(
            InternalError,
            "stored secret cannot be opened with this master key"
        )
    })
}

/// A session is valid while the role or user it acts as still exists (the same one: ids are
/// compared, so a re-created namesake does not inherit it).
async fn resolve_session(state: &State, access_key_id: &str) -> S3Result<Resolved> {
    let Some(s) = state
        .meta
        .get_session(access_key_id)
        .await
        .map_err(meta_err)?
    else {
        return Err(unknown_key());
    };
    let principal = match s.kind {
        SessionKind::Root => Principal::Root {
            account_id: s.account_id.clone(),
        },
        SessionKind::User | SessionKind::Role => {
            let kind = if s.kind == SessionKind::User {
                EntityKind::User
            } else {
                EntityKind::Role
            };
            let entity = state
                .meta
                .get_entity(&s.account_id, kind, &s.subject)
                .await
                .map_err(meta_err)?
                .filter(|e| e.id == s.subject_id)
                .ok_or_else(unknown_key)?;
            if kind == EntityKind::User {
                Principal::User {
                    account_id: s.account_id.clone(),
                    name: entity.name,
                }
            } else {
                Principal::Role(Arc::new(RoleSession {
                    account_id: s.account_id.clone(),
                    role_name: entity.name,
                    role_path: entity.path,
                    role_id: entity.id,
                    session_name: s.session_name.clone(),
                    access_key_id: s.access_key_id.clone(),
                    // Unreadable attributes could drop a session policy: refuse instead.
                    attrs: serde_json::from_str(&s.attrs)
                        .map_err(|_| s3_error!(InternalError, "session attributes unreadable"))?,
                }))
            }
        }
    };
    let console = s.kind == SessionKind::User
        && serde_json::from_str::<crate::sts::session::SessionAttrs>(&s.attrs)
            .is_ok_and(|a| a.console);
    Ok(Resolved {
        principal,
        secret: open_secret(state, &s.secret_enc)?,
        session: Some(SessionCheck {
            token_hash: s.token_hash,
            expires: s.expires,
            console,
        }),
    })
}

/// The session token of a request: the `x-amz-security-token` header, or the
/// `X-Amz-Security-Token` parameter of a presigned URL (SigV2 presigning spells it in lower
/// case).
pub fn presented_token<'a>(headers: &'a http::HeaderMap, query: Option<&'a str>) -> Option<String> {
    if let Some(v) = headers.get("x-amz-security-token") {
        return v.to_str().ok().map(str::to_owned);
    }
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| v.into_owned())
}

/// An S3 request's credentials, with the session token checked for temporary ones (S3's
/// errors: InvalidAccessKeyId without a token, InvalidToken for a wrong one).
pub async fn authenticate(
    state: &State,
    access_key_id: &str,
    headers: &http::HeaderMap,
    query: Option<&str>,
) -> S3Result<Arc<Resolved>> {
    let resolved = resolve_key(state, access_key_id).await?;
    match resolved.check_token(presented_token(headers, query).as_deref()) {
        Ok(()) => Ok(resolved),
        Err(TokenProblem::Missing) => Err(unknown_key()),
        Err(TokenProblem::Invalid) => Err(s3_error!(
            InvalidToken,
            "The provided token is malformed or otherwise invalid."
        )),
    }
}

/// The secret an unknown key is checked against, so that it costs what a wrong signature does.
pub const DUMMY_SECRET: &str = "cairn-dummy-secret-for-unknown-access-keys";

/// The work of checking a SigV4 signature (deriving the signing key, signing a string to sign
/// of typical length), done for an unknown access key: "no such key" then takes as long as
/// "wrong signature", and timing does not tell which keys exist. (The error codes still differ,
/// InvalidAccessKeyId against SignatureDoesNotMatch, as on AWS.)
pub fn equalize_unknown_key() {
    use aws_sigv4::sign::v4;
    let key = v4::generate_signing_key(
        DUMMY_SECRET,
        std::time::SystemTime::now(),
        "us-east-1",
        "s3",
    );
    let string_to_sign = [b'0'; 192];
    std::hint::black_box(v4::calculate_signature(key, &string_to_sign));
}

#[async_trait::async_trait]
impl S3Auth for KeyAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match resolve_key(&self.state, access_key).await {
            Ok(resolved) => Ok(SecretKey::from(resolved.secret.clone())),
            Err(e) => {
                if *e.code() == s3s::S3ErrorCode::InvalidAccessKeyId {
                    equalize_unknown_key();
                }
                Err(e)
            }
        }
    }
}
