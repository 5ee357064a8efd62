//! The server's master key and what it protects: secret access keys at rest, and (through keys
//! derived from it, see `cairn_blob::KeyDeriver`) the data keys of SSE-S3 and SSE-KMS objects.
//!
//! Secrets must stay recoverable (SigV4 needs them for HMAC), so they are sealed with
//! AES-256-GCM under a 32-byte key, never stored in clear. The key comes from, in order:
//! `CAIRN_MASTER_KEY` (base64 of 32 bytes), `--master-key-file PATH`, or `DIR/master.key`
//! (mode 0600), generated on first start. Keeping it outside the data dir means a copy of the data
//! dir alone reveals neither secrets nor object bytes.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::io;
use std::path::Path;

/// The key that seals secrets, and the key-wrapping keys derived from it for object data keys.
pub struct MasterKey {
    secrets: Aes256Gcm,
    wrap: cairn_blob::KeyWrap,
    derive: cairn_blob::KeyDeriver,
}

/// Where the master key came from (printed at start-up).
#[derive(Debug, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(std::path::PathBuf),
    /// Generated now, at this path.
    Generated(std::path::PathBuf),
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

impl MasterKey {
    /// Loads `DIR/master.key`, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        Self::resolve(None, None, data_dir).map(|(key, _)| key)
    }

    /// The master key from `CAIRN_MASTER_KEY` (`env_value`), else `file`, else `DIR/master.key`
    /// (generated when missing).
    pub fn resolve(
        env_value: Option<&str>,
        file: Option<&Path>,
        data_dir: &Path,
    ) -> io::Result<(Self, KeySource)> {
        if let Some(value) = env_value.map(str::trim).filter(|v| !v.is_empty()) {
            let bytes = B64
                .decode(value)
                .map_err(|_| invalid("CAIRN_MASTER_KEY must be base64 of 32 bytes"))?;
            return Ok((Self::from_bytes(&bytes)?, KeySource::Environment));
        }
        if let Some(path) = file {
            let bytes = std::fs::read(path)?;
            return Ok((
                Self::from_bytes(&bytes)?,
                KeySource::File(path.to_path_buf()),
            ));
        }
        let path = data_dir.join("master.key");
        match std::fs::read(&path) {
            Ok(bytes) => Ok((Self::from_bytes(&bytes)?, KeySource::File(path))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Aes256Gcm::generate_key(OsRng);
                crate::fsutil::write_private(&path, key.as_slice())?;
                Ok((
                    Self::from_bytes(key.as_slice())?,
                    KeySource::Generated(path),
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn from_bytes(bytes: &[u8]) -> io::Result<Self> {
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| invalid("the master key must be 32 bytes"))?;
        Ok(MasterKey {
            secrets: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
            wrap: cairn_blob::KeyWrap::derive(&key),
            derive: cairn_blob::KeyDeriver::new(&key),
        })
    }

    /// The key that wraps SSE-S3 data keys.
    pub fn key_wrap(&self) -> &cairn_blob::KeyWrap {
        &self.wrap
    }

    /// The key that wraps the data keys of objects under KMS key `key_id` of `account` (see
    /// `kms.rs`): each KMS key's material is derived, never stored, so it exists on every node
    /// that has the master key and nowhere else.
    pub fn kms_key_wrap(&self, account: &str, key_id: &str) -> cairn_blob::KeyWrap {
        self.derive
            .wrap(format!("cairn/sse-kms/data-key-wrap/v1/{account}/{key_id}").as_bytes())
    }

    /// Seals a secret: base64 of nonce ‖ ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        let sealed = self
            .secrets
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        B64.encode(out)
    }

    /// Opens a sealed secret; `None` if it was not sealed by this key.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, body) = raw.split_at(12);
        let plain = self.secrets.decrypt(Nonce::from_slice(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let key = MasterKey::load_or_create(a.path()).unwrap();
        let sealed = key.seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assert!(!sealed.contains("wJalr"));
        assert_eq!(
            key.open(&sealed).as_deref(),
            Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        );
        let again = MasterKey::load_or_create(a.path()).unwrap();
        assert!(again.open(&sealed).is_some());
        let other = MasterKey::load_or_create(b.path()).unwrap();
        assert!(other.open(&sealed).is_none());
        assert!(key.open("garbage").is_none());
    }

    #[test]
    fn the_environment_and_a_file_take_precedence_over_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let (_, src) = MasterKey::resolve(None, None, dir.path()).unwrap();
        assert_eq!(src, KeySource::Generated(dir.path().join("master.key")));
        let (_, src) = MasterKey::resolve(None, None, dir.path()).unwrap();
        assert_eq!(src, KeySource::File(dir.path().join("master.key")));
        let b64 = B64.encode([9u8; 32]);
        let (env_key, src) = MasterKey::resolve(Some(&b64), None, dir.path()).unwrap();
        assert_eq!(src, KeySource::Environment);
        let file = dir.path().join("other.key");
        std::fs::write(&file, [9u8; 32]).unwrap();
        let (file_key, _) = MasterKey::resolve(None, Some(&file), dir.path()).unwrap();
        assert!(file_key.open(&env_key.seal("x")).is_some());
        assert!(MasterKey::resolve(Some("c2hvcnQ="), None, dir.path()).is_err());
        assert!(MasterKey::resolve(Some("%%%"), None, dir.path()).is_err());
    }
}
