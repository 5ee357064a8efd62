//! A test OIDC issuer for AssumeRoleWithWebIdentity: signs ID tokens with the committed
//! test-only keys in `tests/fixtures/oidc` (an RSA key, kid `cairn-test-rsa`, and a P-256 key,
//! kid `cairn-test-ec`) and writes their JWKS, which a server is pinned to with
//! `--oidc-jwks ISSUER=PATH` — so tests play `accounts.google.com` without the internet.
//! `tests/python/oidc.py` is the same issuer for the Python tests.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The issuer of Google ID tokens (seed 002's federated principal `accounts.google.com`).
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
pub const RSA_KID: &str = "cairn-test-rsa";
pub const EC_KID: &str = "cairn-test-ec";

/// Signing algorithm of a test token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Es256,
}

/// An OIDC issuer whose keys the test holds.
pub struct TestIssuer {
    /// `iss` of the tokens it signs.
    pub issuer: String,
    rsa: EncodingKey,
    ec: EncodingKey,
    forger_rsa: EncodingKey,
    forger_ec: EncodingKey,
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oidc")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

impl TestIssuer {
    /// Plays `https://accounts.google.com`.
    pub fn google() -> TestIssuer {
        TestIssuer::new(GOOGLE_ISSUER)
    }

    /// Plays any issuer (its `iss`, e.g. `https://idp.example.com`).
    pub fn new(issuer: &str) -> TestIssuer {
        let rsa = |name| EncodingKey::from_rsa_pem(&fixture(name)).expect("RSA PEM");
        let ec = |name| EncodingKey::from_ec_pem(&fixture(name)).expect("EC PEM");
        TestIssuer {
            issuer: issuer.to_string(),
            rsa: rsa("rsa.pem"),
            ec: ec("ec.pem"),
            forger_rsa: rsa("forger_rsa.pem"),
            forger_ec: ec("forger_ec.pem"),
        }
    }

    /// The public JWKS: both keys, with their kids and algorithms.
    pub fn jwks(&self) -> Value {
        let jwk = |key: &EncodingKey, alg, kid: &str| {
            let mut jwk = Jwk::from_encoding_key(key, alg).expect("public JWK");
            jwk.common.key_id = Some(kid.to_string());
            jwk
        };
        serde_json::to_value(JwkSet {
            keys: vec![
                jwk(&self.rsa, Algorithm::RS256, RSA_KID),
                jwk(&self.ec, Algorithm::ES256, EC_KID),
            ],
        })
        .expect("JWKS as JSON")
    }

    /// Writes the JWKS to `dir/jwks.json` and returns its path.
    pub fn write_jwks(&self, dir: &Path) -> PathBuf {
        let path = dir.join("jwks.json");
        std::fs::write(&path, self.jwks().to_string()).expect("write JWKS");
        path
    }

    /// The `--oidc-jwks` value pinning this issuer to `jwks_path`.
    pub fn pin_arg(&self, jwks_path: &Path) -> String {
        let name = self.issuer.strip_prefix("https://").unwrap_or(&self.issuer);
        format!("{name}={}", jwks_path.display())
    }

    /// Claims of a current token: `iss`, `sub`, `aud`, issued now, valid for an hour.
    pub fn claims(&self, sub: &str, aud: &str) -> Value {
        let now = now();
        json!({
            "iss": self.issuer,
            "sub": sub,
            "aud": aud,
            "iat": now,
            "exp": now + 3600,
        })
    }

    /// Claims shaped like a Google service account's ID token: `sub` and `azp` are the
    /// account's numeric unique id, `aud` the audience it asked for (so on AWS
    /// `accounts.google.com:aud` is the unique id and `accounts.google.com:oaud` the audience).
    pub fn google_service_account_claims(&self, unique_id: &str, audience: &str) -> Value {
        let mut claims = self.claims(unique_id, audience);
        claims["azp"] = json!(unique_id);
        claims["email"] = json!("sync@example-project.iam.gserviceaccount.com");
        claims["email_verified"] = json!(true);
        claims
    }

    /// A token signed by the issuer's key for `alg`, with its kid.
    pub fn sign(&self, claims: Value, alg: Alg) -> String {
        match alg {
            Alg::Rs256 => sign(&claims, Algorithm::RS256, &self.rsa, RSA_KID),
            Alg::Es256 => sign(&claims, Algorithm::ES256, &self.ec, EC_KID),
        }
    }

    /// A forgery: the issuer's kid, but signed by a key the JWKS does not hold.
    pub fn forge(&self, claims: Value, alg: Alg) -> String {
        match alg {
            Alg::Rs256 => sign(&claims, Algorithm::RS256, &self.forger_rsa, RSA_KID),
            Alg::Es256 => sign(&claims, Algorithm::ES256, &self.forger_ec, EC_KID),
        }
    }

    /// A genuine token that expired an hour ago (issued two hours ago): far beyond any leeway.
    pub fn expired(&self, mut claims: Value, alg: Alg) -> String {
        let now = now();
        claims["iat"] = json!(now - 7200);
        claims["exp"] = json!(now - 3600);
        self.sign(claims, alg)
    }
}

fn sign(claims: &Value, alg: Algorithm, key: &EncodingKey, kid: &str) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, key).expect("sign test token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_server::sts::web_identity::{IssuerKeys, TokenError};

    /// The fixture and the server's verifier agree: what the fixture signs verifies against the
    /// JWKS it writes, and its forged and expired tokens are refused as STS would.
    #[tokio::test]
    async fn fixture_tokens_meet_the_servers_verifier() {
        let dir = tempfile::tempdir().expect("tempdir");
        let google = TestIssuer::google();
        let path = google.write_jwks(dir.path());
        let pin = google.pin_arg(&path);
        assert!(pin.starts_with("accounts.google.com="), "{pin}");
        let (issuer, source) = pin.split_once('=').expect("ISSUER=PATH");
        let keys = IssuerKeys::new(vec![(issuer.into(), source.into())]);
        let now = now();

        let claims = google.google_service_account_claims("1234567890", "sts.amazonaws.com");
        for alg in [Alg::Rs256, Alg::Es256] {
            let v = keys
                .verify(&google.sign(claims.clone(), alg), now)
                .await
                .expect("genuine token");
            assert_eq!(v.issuer, GOOGLE_ISSUER);
            assert_eq!(v.subject, "1234567890");
            assert_eq!(v.condition_audiences(), vec!["1234567890"]);

            let forged = keys.verify(&google.forge(claims.clone(), alg), now).await;
            assert!(
                matches!(forged, Err(TokenError::BadSignature { .. })),
                "{forged:?}"
            );

            let expired = keys.verify(&google.expired(claims.clone(), alg), now).await;
            let err = expired.expect_err("expired");
            assert_eq!(err.aws_code(), "ExpiredTokenException");
        }

        let plain = google.sign(google.claims("someone", "my-client"), Alg::Rs256);
        let v = keys.verify(&plain, now).await.expect("plain token");
        assert_eq!(v.audiences, vec!["my-client"]);
        assert_eq!(v.authorized_party, None);

        // Another issuer (plain http elsewhere: refused before any connection, so no network
        // is touched) is not verified with Google's keys.
        let other = TestIssuer::new("http://idp.example.com");
        let claims = other.claims("s", "a");
        let unpinned = keys.verify(&other.sign(claims, Alg::Rs256), now).await;
        assert!(
            matches!(unpinned, Err(TokenError::IssuerKeysUnavailable { .. })),
            "{unpinned:?}"
        );
    }

    /// `--oidc-jwks` and `CAIRN_OIDC_JWKS` are accepted by a real server.
    #[test]
    fn server_starts_with_oidc_jwks_pins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let google = TestIssuer::google();
        let path = google.write_jwks(dir.path());
        let pin = google.pin_arg(&path);
        let _flag = crate::harness::Server::start_with(&["--oidc-jwks", &pin]);
        let both = format!("{pin},idp.example.com={}", path.display());
        let _env = crate::harness::Server::start_env(&[("CAIRN_OIDC_JWKS", &both)]);
    }
}
