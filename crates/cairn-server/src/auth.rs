//! Authentication: access key id → secret (for s3s's SigV4/SigV2 verification) and → principal.

use crate::principal::Principal;
use crate::s3::error::meta_err;
use crate::state::State;
use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Result, s3_error};

/// Resolves access keys stored in the metadata store.
pub struct KeyAuth {
    pub state: State,
}

/// The principal an active access key belongs to, with its secret.
pub async fn resolve_key(state: &State, access_key_id: &str) -> S3Result<(Principal, String)> {
    use crate::authz::generation::GenCache;
    let key = access_key_id.to_string();
    if let Some(hit) = state.keys.get(&state.iam_generation, &key) {
        return Ok(hit);
    }
    let at = GenCache::<String, (Principal, String)>::generation_now(&state.iam_generation);
    let resolved = resolve_key_uncached(state, access_key_id).await?;
    state
        .keys
        .put(&state.iam_generation, at, key, resolved.clone());
    Ok(resolved)
}

async fn resolve_key_uncached(state: &State, access_key_id: &str) -> S3Result<(Principal, String)> {
    let key = state
        .meta
        .get_access_key(access_key_id)
        .await
        .map_err(meta_err)?;
    let Some(key) = key.filter(|k| k.status == "Active") else {
        return Err(s3_error!(
            InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records."
        ));
    };
    let secret = state.master.open(&key.secret_enc).ok_or_else(|| {
        s3_error!(
            InternalError,
            "stored secret cannot be opened with this master key"
        )
    })?;
    let principal = match key.user_name {
        None => Principal::Root {
            account_id: key.account_id,
        },
        Some(name) => Principal::User {
            account_id: key.account_id,
            name,
        },
    };
    Ok((principal, secret))
}

#[async_trait::async_trait]
impl S3Auth for KeyAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let (_, secret) = resolve_key(&self.state, access_key).await?;
        Ok(SecretKey::from(secret))
    }
}
