//! First start: the first account, its root user and the root access key.

use crate::crypto::MasterKey;
use cairn_meta::{AccessKey, Account, MetaError, MetaStore};
use rand::Rng;
use rand::distributions::{Alphanumeric, Uniform};
use std::path::Path;

/// What bootstrapping found or made.
pub struct Bootstrapped {
    pub account: Account,
    /// Set when this start generated the root keys (they are printed once).
    pub generated_keys: Option<(String, String)>,
}

/// A new access key id: `AKIA` and 16 upper-case letters or digits, as AWS issues them.
pub fn new_access_key_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    let tail: String = (0..16)
        .map(|_| ALPHABET[rng.sample(Uniform::new(0, ALPHABET.len()))] as char)
        .collect();
    format!("{prefix}{tail}")
}

/// A new 40-character secret access key.
pub fn new_secret_key() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect()
}

fn new_account_id() -> String {
    let mut rng = rand::thread_rng();
    let first = rng.sample(Uniform::new_inclusive(1u8, 9));
    let rest: String = (0..11)
        .map(|_| char::from(b'0' + rng.sample(Uniform::new_inclusive(0u8, 9))))
        .collect();
    format!("{first}{rest}")
}

fn now_ms() -> i64 {
    crate::time::now_ms()
}

/// Ensures the first account and its root key exist.
pub async fn bootstrap(
    meta: &dyn MetaStore,
    master: &MasterKey,
    data_dir: &Path,
    env_keys: Option<(String, String)>,
) -> anyhow::Result<Bootstrapped> {
    let (account, fresh) = match meta.first_account().await? {
        Some(account) => (account, false),
        None => {
            // Nodes starting together on an empty shared database agree on one account id.
            let candidate = new_account_id();
            let id = meta.claim_setting("first_account", &candidate).await?;
            let account = Account {
                id: id.clone(),
                name: None,
                created: now_ms(),
            };
            match meta.create_account(&account).await {
                Ok(()) | Err(MetaError::AlreadyExists) => {}
                Err(e) => return Err(e.into()),
            }
            (account, id == candidate)
        }
    };
    let mut generated_keys = None;
    let (id, secret) = match env_keys {
        Some(keys) => keys,
        None if fresh => {
            let keys = (new_access_key_id("AKIA"), new_secret_key());
            generated_keys = Some(keys.clone());
            keys
        }
        None => {
            return Ok(Bootstrapped {
                account,
                generated_keys,
            });
        }
    };
    let key = AccessKey {
        access_key_id: id.clone(),
        secret_enc: master.seal(&secret),
        account_id: account.id.clone(),
        user_name: None,
        status: "Active".into(),
        created: now_ms(),
    };
    match meta.put_access_key(&key).await {
        Ok(()) | Err(MetaError::AlreadyExists) => {}
        Err(e) => return Err(e.into()),
    }
    if generated_keys.is_some() {
        let text = format!(
            "# Cairn root credentials of account {}; shown once. Use as an AWS shared credentials file.\n\
             [default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n",
            account.id
        );
        crate::fsutil::write_private(&data_dir.join("root-credentials"), text.as_bytes())?;
    }
    Ok(Bootstrapped {
        account,
        generated_keys,
    })
}

/// A new account (`cairn account create NAME`): its id and root key pair.
pub async fn create_account(
    meta: &dyn MetaStore,
    master: &MasterKey,
    name: &str,
) -> anyhow::Result<(Account, String, String)> {
    let account = Account {
        id: new_account_id(),
        name: Some(name.to_string()),
        created: now_ms(),
    };
    meta.create_account(&account).await?;
    let (id, secret) = (new_access_key_id("AKIA"), new_secret_key());
    meta.put_access_key(&AccessKey {
        access_key_id: id.clone(),
        secret_enc: master.seal(&secret),
        account_id: account.id.clone(),
        user_name: None,
        status: "Active".into(),
        created: now_ms(),
    })
    .await?;
    Ok((account, id, secret))
}
