//! The server's master key and what it protects: secret access keys at rest.
//!
//! Secrets must stay recoverable (SigV4 needs them for HMAC), so they are sealed with
//! AES-256-GCM under a 32-byte key kept in `DIR/master.key` (mode 0600), never stored in clear.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::io;
use std::path::Path;

/// The key that seals secrets.
pub struct MasterKey(Aes256Gcm);

impl MasterKey {
    /// Loads `DIR/master.key`, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        let path = data_dir.join("master.key");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Aes256Gcm::generate_key(OsRng);
                crate::fsutil::write_private(&path, key.as_slice())?;
                key.to_vec()
            }
            Err(e) => return Err(e),
        };
        if bytes.len() != 32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "master.key must hold 32 bytes",
            ));
        }
        Ok(MasterKey(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(
            &bytes,
        ))))
    }

    /// Seals a secret: base64 of nonce ‖ ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        let sealed = self.0.encrypt(&nonce, plain.as_bytes()).unwrap_or_default();
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
        let plain = self.0.decrypt(Nonce::from_slice(nonce), body).ok()?;
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
}
