//! Token verification as a table of facts: what a genuine token yields, what every kind of bad
//! token gets from STS, and where keys come from (pinned file, pinned URL, discovery), with the
//! issuer played by the PEM fixtures in `tests/fixtures/oidc` and a local HTTP server.
//!
//! Sources of the AWS answers:
//! - codes and statuses: the STS API model (botocore `sts/2011-06-15/service-2.json`):
//!   `InvalidIdentityToken` 400, `ExpiredTokenException` 400, `IDPCommunicationError` 400;
//!   `WebIdentityToken` length 4..=20000; "RS256, RS384, or RS512 … ES256, ES384, or ES512".
//! - "Token expired: current date/time N must be before the expiration date/time M": STS
//!   responses quoted in aws/aws-sdk-java-v2#5709 and awslabs/aws-orbit-workbench#707.
//! - "Couldn't retrieve verification key from your identity provider,  please reference
//!   AssumeRoleWithWebIdentity documentation for requirements" (InvalidIdentityToken, also for
//!   an unreachable or slow — over 5 s — IdP): raw STS body in awslabs/aws-sdk-rust#827; AWS
//!   knowledge center "iam-sts-invalididentitytoken".
//! - "Incorrect token audience", "No OpenIDConnect provider found in your account for ISSUER":
//!   STS responses quoted in awslabs/amazon-eks-irsa-cfn#18 and many IRSA / GitHub OIDC reports.

use super::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ISS: &str = "https://accounts.google.com";
const NOW: i64 = 1_800_000_000;
const RSA_KID: &str = "cairn-test-rsa";
const EC_KID: &str = "cairn-test-ec";

const RSA_PEM: &str = include_str!("../../../tests/fixtures/oidc/rsa.pem");
const EC_PEM: &str = include_str!("../../../tests/fixtures/oidc/ec.pem");
const FORGER_RSA_PEM: &str = include_str!("../../../tests/fixtures/oidc/forger_rsa.pem");
const FORGER_EC_PEM: &str = include_str!("../../../tests/fixtures/oidc/forger_ec.pem");

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PEM.as_bytes()).unwrap()
}
fn ec() -> EncodingKey {
    EncodingKey::from_ec_pem(EC_PEM.as_bytes()).unwrap()
}

/// The issuer's published keys: the RSA and the P-256 key, each with its kid.
fn jwks() -> Value {
    let mut rsa_jwk = Jwk::from_encoding_key(&rsa(), Algorithm::RS256).unwrap();
    rsa_jwk.common.key_id = Some(RSA_KID.into());
    let mut ec_jwk = Jwk::from_encoding_key(&ec(), Algorithm::ES256).unwrap();
    ec_jwk.common.key_id = Some(EC_KID.into());
    serde_json::to_value(JwkSet {
        keys: vec![rsa_jwk, ec_jwk],
    })
    .unwrap()
}

fn sign_with(claims: &Value, alg: Algorithm, key: &EncodingKey, kid: Option<&str>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn rs256(claims: &Value) -> String {
    sign_with(claims, Algorithm::RS256, &rsa(), Some(RSA_KID))
}

/// What a Google service account's ID token looks like (azp = the account's unique id).
fn google_claims() -> Value {
    json!({
        "iss": ISS,
        "sub": "100018646976219416293",
        "azp": "100018646976219416293",
        "aud": "sts.amazonaws.com",
        "email": "sync@example.iam.gserviceaccount.com",
        "iat": NOW - 10,
        "exp": NOW + 3600,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

/// Raw JWS parts, for tokens no library would produce.
fn b64(v: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

struct Pinned {
    keys: IssuerKeys,
    _dir: tempfile::TempDir,
}

fn pinned_file() -> Pinned {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, jwks().to_string()).unwrap();
    Pinned {
        keys: IssuerKeys::new(vec![(
            "accounts.google.com".into(),
            path.display().to_string(),
        )]),
        _dir: dir,
    }
}

#[tokio::test]
async fn rs256_and_es256_tokens_from_the_pinned_issuer_verify() {
    let p = pinned_file();
    for token in [
        rs256(&google_claims()),
        sign_with(&google_claims(), Algorithm::ES256, &ec(), Some(EC_KID)),
    ] {
        let v = p.keys.verify(&token, NOW).await.unwrap();
        assert_eq!(v.issuer, ISS);
        assert_eq!(v.subject, "100018646976219416293");
        assert_eq!(v.audiences, vec!["sts.amazonaws.com"]);
        assert_eq!(v.authorized_party.as_deref(), Some("100018646976219416293"));
        assert_eq!(v.expires_at, NOW + 3600);
        assert_eq!(v.issued_at, Some(NOW - 10));
        assert_eq!(v.claims["email"], "sync@example.iam.gserviceaccount.com");
        // accounts.google.com:aud is azp, accounts.google.com:oaud the token's aud.
        assert_eq!(v.condition_audiences(), vec!["100018646976219416293"]);
        assert_eq!(
            v.original_audiences(),
            Some(vec!["sts.amazonaws.com".to_string()])
        );
    }
}

#[tokio::test]
async fn bare_google_issuer_list_audiences_and_amr_are_read() {
    let p = pinned_file();
    let claims = json!({
        "iss": "accounts.google.com", "sub": "s", "aud": ["a", "b"], "amr": "pwd",
        "exp": NOW + 60,
    });
    let v = p.keys.verify(&rs256(&claims), NOW).await.unwrap();
    assert_eq!(v.issuer, "accounts.google.com");
    assert_eq!(v.audiences, vec!["a", "b"]);
    assert_eq!(v.amr, vec!["pwd"]);
    assert_eq!(v.authorized_party, None);
    assert_eq!(v.condition_audiences(), vec!["a", "b"]);
    assert_eq!(v.original_audiences(), None);
}

#[tokio::test]
async fn a_token_without_kid_is_tried_against_every_fitting_key() {
    let p = pinned_file();
    for token in [
        sign_with(&google_claims(), Algorithm::RS256, &rsa(), None),
        sign_with(&google_claims(), Algorithm::ES256, &ec(), None),
    ] {
        p.keys.verify(&token, NOW).await.unwrap();
    }
    // The published keys declare `"alg": "RS256"` / `"ES256"`: no other algorithm may use them.
    let rs512 = sign_with(&google_claims(), Algorithm::RS512, &rsa(), None);
    let err = p.keys.verify(&rs512, NOW).await.unwrap_err();
    assert!(matches!(err, TokenError::UnknownKey { .. }), "{err:?}");
}

#[tokio::test]
async fn rs384_and_rs512_verify_with_a_key_that_declares_no_alg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let mut set = jwks();
    set["keys"][0].as_object_mut().unwrap().remove("alg");
    std::fs::write(&path, set.to_string()).unwrap();
    let keys = IssuerKeys::new(vec![(ISS.into(), path.display().to_string())]);
    for alg in [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512] {
        let token = sign_with(&google_claims(), alg, &rsa(), Some(RSA_KID));
        keys.verify(&token, NOW).await.unwrap();
    }
}

/// What a row expects: the refusal (as a predicate) and STS's code.
type Row = (&'static str, String, fn(&TokenError) -> bool, &'static str);

/// Each row: a token and the refusal it gets, with STS's code.
#[tokio::test]
async fn bad_tokens_get_the_sts_error_aws_gives() {
    let p = pinned_file();
    let forger_rsa = EncodingKey::from_rsa_pem(FORGER_RSA_PEM.as_bytes()).unwrap();
    let forger_ec = EncodingKey::from_ec_pem(FORGER_EC_PEM.as_bytes()).unwrap();
    let g = google_claims();
    let header_none = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(g.to_string().as_bytes());
    // HS256 keyed with the issuer's public key, the classic algorithm-confusion forgery.
    let public_n = jwks()["keys"][0]["n"].as_str().unwrap().to_string();
    let hs256 = sign_with(
        &g,
        Algorithm::HS256,
        &EncodingKey::from_secret(public_n.as_bytes()),
        Some(RSA_KID),
    );

    let rows: Vec<Row> = vec![
        (
            "kid the issuer never published",
            sign_with(&g, Algorithm::RS256, &rsa(), Some("other-kid")),
            |e| matches!(e, TokenError::UnknownKey { kid: Some(k), .. } if k == "other-kid"),
            "InvalidIdentityToken",
        ),
        (
            "signed by another key under the issuer's kid",
            sign_with(&g, Algorithm::RS256, &forger_rsa, Some(RSA_KID)),
            |e| matches!(e, TokenError::BadSignature { .. }),
            "InvalidIdentityToken",
        ),
        (
            "ES256 signed by another key under the issuer's kid",
            sign_with(&g, Algorithm::ES256, &forger_ec, Some(EC_KID)),
            |e| matches!(e, TokenError::BadSignature { .. }),
            "InvalidIdentityToken",
        ),
        (
            "forged, no kid",
            sign_with(&g, Algorithm::RS256, &forger_rsa, None),
            |e| matches!(e, TokenError::BadSignature { .. }),
            "InvalidIdentityToken",
        ),
        (
            "claims altered after signing",
            {
                let t = rs256(&g);
                let parts: Vec<&str> = t.split('.').collect();
                let altered = b64(with(g.clone(), "sub", json!("attacker"))
                    .to_string()
                    .as_bytes());
                format!("{}.{}.{}", parts[0], altered, parts[2])
            },
            |e| matches!(e, TokenError::BadSignature { .. }),
            "InvalidIdentityToken",
        ),
        (
            "RS256 naming the EC key's kid",
            sign_with(&g, Algorithm::RS256, &rsa(), Some(EC_KID)),
            |e| matches!(e, TokenError::UnknownKey { .. }),
            "InvalidIdentityToken",
        ),
        (
            "expired beyond the leeway",
            rs256(&with(g.clone(), "exp", json!(NOW - LEEWAY_SECS))),
            |e| {
                *e == TokenError::Expired {
                    now: NOW,
                    expires_at: NOW - LEEWAY_SECS,
                }
            },
            "ExpiredTokenException",
        ),
        (
            "not valid before a time beyond the leeway",
            rs256(&with(g.clone(), "nbf", json!(NOW + LEEWAY_SECS + 1))),
            |e| matches!(e, TokenError::NotYetValid { .. }),
            "InvalidIdentityToken",
        ),
        (
            "issued in the future beyond the leeway",
            rs256(&with(g.clone(), "iat", json!(NOW + LEEWAY_SECS + 1))),
            |e| matches!(e, TokenError::IssuedInFuture { .. }),
            "InvalidIdentityToken",
        ),
        (
            "alg none",
            format!("{header_none}.{payload}."),
            |e| matches!(e, TokenError::UnsupportedAlgorithm(a) if a == "none"),
            "InvalidIdentityToken",
        ),
        (
            "HS256 with the public key as the secret",
            hs256,
            |e| matches!(e, TokenError::UnsupportedAlgorithm(a) if a == "HS256"),
            "InvalidIdentityToken",
        ),
        (
            "ES512 (AWS accepts it; the verifier lacks it)",
            format!("{}.{payload}.c2ln", b64(br#"{"alg":"ES512"}"#)),
            |e| matches!(e, TokenError::UnsupportedAlgorithm(_)),
            "InvalidIdentityToken",
        ),
        (
            "no exp",
            rs256(&json!({"iss": ISS, "sub": "s", "aud": "a"})),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "exp not an integer",
            rs256(&with(g.clone(), "exp", json!(1.8e9))),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "exp a string",
            rs256(&with(g.clone(), "exp", json!("1800003600"))),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "no sub",
            rs256(&json!({"iss": ISS, "aud": "a", "exp": NOW + 60})),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "aud a number",
            rs256(&with(g.clone(), "aud", json!(7))),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "critical header extension",
            sign_with_header(
                json!({"alg": "RS256", "kid": RSA_KID, "crit": ["b64"], "b64": false}),
                &g,
            ),
            |e| matches!(e, TokenError::Malformed(_)),
            "InvalidIdentityToken",
        ),
        (
            "oversized (1 MB)",
            "a".repeat(1 << 20),
            |e| *e == TokenError::TooLarge,
            "ValidationError",
        ),
        (
            "20,001 characters",
            format!("{}.{payload}.c2ln", "e".repeat(MAX_TOKEN_CHARS)),
            |e| *e == TokenError::TooLarge,
            "ValidationError",
        ),
    ];
    for (what, token, expected, code) in rows {
        let err = p.keys.verify(&token, NOW).await.unwrap_err();
        assert!(expected(&err), "{what}: got {err:?}");
        assert_eq!(err.aws_code(), code, "{what}");
        assert_eq!(err.aws_status(), http::StatusCode::BAD_REQUEST, "{what}");
    }
}

fn sign_with_header(header: Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &rsa(), Algorithm::RS256).unwrap();
    format!("{input}.{sig}")
}

#[tokio::test]
async fn garbage_is_malformed_and_never_panics() {
    let p = pinned_file();
    let good = rs256(&google_claims());
    let mut parts = good.split('.');
    let (h, c, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let garbage = [
        String::new(),
        "abc".into(),
        "....".into(),
        "not a token".into(),
        format!("{h}.{c}"),
        format!("{h}.{c}.{s}.x.y"),
        format!("{h}.{c}."),
        format!("{h}.{c}.!!!"),
        format!("{h}=.{c}.{s}"),
        format!("%%%.{c}.{s}"),
        format!("{}.{c}.{s}", b64(b"not json")),
        format!("{}.{c}.{s}", b64(b"[1,2]")),
        format!("{}.{c}.{s}", b64(br#"{"kid":"x"}"#)),
        format!("{}.{c}.{s}", b64(br#"{"alg":7}"#)),
        format!("{}.{c}.{s}", b64(br#"{"alg":"RS256","kid":5}"#)),
        format!("{h}.{}.{s}", b64(b"\xff\xfe")),
        format!("{h}.{}.{s}", b64(br#"{"sub":"no iss"}"#)),
        format!("{h}.{}.{s}", b64(br#"{"iss":""}"#)),
        format!("{h}.{}.{s}", b64("[".repeat(5000).as_bytes())),
        format!("{h}.{c}.{}", "é".repeat(100)),
    ];
    for token in garbage {
        let err = p.keys.verify(&token, NOW).await.unwrap_err();
        assert!(
            matches!(
                err,
                TokenError::Malformed(_) | TokenError::BadSignature { .. }
            ),
            "{token:?}: {err:?}"
        );
        assert_eq!(err.aws_code(), "InvalidIdentityToken");
    }
}

#[tokio::test]
async fn leeway_is_sixty_seconds_either_way() {
    let p = pinned_file();
    let g = google_claims();
    let ok = [
        with(g.clone(), "exp", json!(NOW - LEEWAY_SECS + 1)),
        with(g.clone(), "nbf", json!(NOW + LEEWAY_SECS)),
        with(g.clone(), "iat", json!(NOW + LEEWAY_SECS)),
    ];
    for claims in ok {
        p.keys.verify(&rs256(&claims), NOW).await.unwrap();
    }
}

#[test]
fn aws_messages() {
    let expired = TokenError::Expired {
        now: 1731098245,
        expires_at: 1731095240,
    };
    assert_eq!(
        expired.aws_message(),
        "Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240"
    );
    let no_key = TokenError::IssuerKeysUnavailable {
        issuer: ISS.into(),
        reason: "timeout".into(),
    };
    assert_eq!(
        no_key.aws_message(),
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
    );
    assert_eq!(
        TokenError::NoProvider {
            issuer: "https://token.actions.githubusercontent.com".into()
        }
        .aws_message(),
        "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"
    );
    assert_eq!(
        TokenError::IncorrectAudience.aws_message(),
        "Incorrect token audience"
    );
    assert_eq!(
        TokenError::TooLarge.aws_message(),
        "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000"
    );
    let q: crate::query::QueryError = expired.into();
    assert_eq!(q.code, "ExpiredTokenException");
    assert_eq!(q.status, http::StatusCode::BAD_REQUEST);
}

#[test]
fn issuers_are_named_without_their_scheme() {
    for (iss, name) in [
        ("https://accounts.google.com", "accounts.google.com"),
        ("accounts.google.com", "accounts.google.com"),
        (
            "https://token.actions.githubusercontent.com",
            "token.actions.githubusercontent.com",
        ),
        (
            "https://auth-dev.mozilla.auth0.com/",
            "auth-dev.mozilla.auth0.com/",
        ),
        (
            "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC",
        ),
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
    ] {
        assert_eq!(issuer_host_path(iss), name, "{iss}");
    }
}

#[test]
fn pins_parse_as_issuer_equals_source() {
    assert_eq!(
        parse_pin("accounts.google.com=/etc/jwks.json").unwrap(),
        ("accounts.google.com".into(), "/etc/jwks.json".into())
    );
    assert_eq!(
        parse_pin("https://idp.example=https://idp.example/keys?a=b").unwrap(),
        (
            "https://idp.example".into(),
            "https://idp.example/keys?a=b".into()
        )
    );
    for bad in ["", "accounts.google.com", "=x", "x="] {
        assert!(parse_pin(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn unverified_issuer_reads_iss_without_keys() {
    assert_eq!(unverified_issuer(&rs256(&google_claims())).unwrap(), ISS);
    assert!(unverified_issuer("x.y.z").is_err());
}

#[test]
fn jwks_entries_that_cannot_verify_are_skipped() {
    let mut set = jwks();
    let keys = set["keys"].as_array_mut().unwrap();
    keys.insert(0, json!({"kty": "oct", "k": "c2VjcmV0", "kid": RSA_KID}));
    keys.insert(0, json!({"kty": "RSA", "kid": "broken"}));
    keys.insert(
        0,
        json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}),
    );
    keys.insert(0, json!({"kty": "OKP", "crv": "X25519", "x": "AA"}));
    keys.insert(0, json!("not an object"));
    let enc = with(jwks()["keys"][0].clone(), "use", json!("enc"));
    keys.insert(0, with(enc, "kid", json!("enc-key")));
    let set = jwks::KeySet::from_jwks(&set).unwrap();
    assert_eq!(set.len(), 2);

    for unusable in [
        json!({}),
        json!({"keys": "x"}),
        json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}),
    ] {
        assert!(jwks::KeySet::from_jwks(&unusable).is_err(), "{unusable}");
    }
}

// --- Keys over HTTP: a local server standing in for the issuer. ---

/// Serves fixed bodies by path on 127.0.0.1, one request per connection, counting hits.
struct Idp {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    routes: Arc<Mutex<HashMap<String, (u16, String)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Idp {
    async fn start() -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let routes: Arc<Mutex<HashMap<String, (u16, String)>>> = Default::default();
        let (h, r) = (hits.clone(), routes.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let (h, r) = (h.clone(), r.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf);
                    let path = text.split(' ').nth(1).unwrap_or("").to_string();
                    *h.lock().unwrap().entry(path.clone()).or_default() += 1;
                    let (status, body) = r
                        .lock()
                        .unwrap()
                        .get(&path)
                        .cloned()
                        .unwrap_or((404, "{}".into()));
                    let response = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(response.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        Idp {
            base,
            hits,
            routes,
            task,
        }
    }

    fn serve(&self, path: &str, status: u16, body: String) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.into(), (status, body));
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn a_pinned_url_is_fetched_once_and_refreshed_only_for_unknown_kids() {
    let idp = Idp::start().await;
    idp.serve("/keys", 200, jwks().to_string());
    let keys = IssuerKeys::new(vec![(ISS.into(), format!("{}/keys", idp.base))]);

    keys.verify(&rs256(&google_claims()), NOW).await.unwrap();
    keys.verify(&rs256(&google_claims()), NOW).await.unwrap();
    assert_eq!(idp.hits("/keys"), 1, "cached");

    // Unknown kids: at most one refresh per MIN_REFRESH_INTERVAL, however many tokens.
    for _ in 0..5 {
        let t = sign_with(&google_claims(), Algorithm::RS256, &rsa(), Some("rotated"));
        let err = keys.verify(&t, NOW).await.unwrap_err();
        assert!(matches!(err, TokenError::UnknownKey { .. }), "{err:?}");
    }
    assert_eq!(idp.hits("/keys"), 1, "within the refresh interval");
}

#[tokio::test]
async fn issuer_keys_found_by_openid_discovery() {
    let idp = Idp::start().await;
    let iss = idp.base.clone();
    idp.serve(
        "/.well-known/openid-configuration",
        200,
        json!({"issuer": iss, "jwks_uri": format!("{iss}/oauth2/v3/certs")}).to_string(),
    );
    idp.serve("/oauth2/v3/certs", 200, jwks().to_string());
    let keys = IssuerKeys::new(Vec::new());
    let claims = with(google_claims(), "iss", json!(iss));
    let v = keys.verify(&rs256(&claims), NOW).await.unwrap();
    assert_eq!(v.issuer, iss);
    keys.verify(&rs256(&claims), NOW).await.unwrap();
    assert_eq!(idp.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(idp.hits("/oauth2/v3/certs"), 1);
}

#[tokio::test]
async fn discovery_naming_another_issuer_is_refused() {
    let idp = Idp::start().await;
    let iss = idp.base.clone();
    idp.serve(
        "/.well-known/openid-configuration",
        200,
        json!({"issuer": "https://evil.example", "jwks_uri": format!("{iss}/certs")}).to_string(),
    );
    idp.serve("/certs", 200, jwks().to_string());
    let keys = IssuerKeys::new(Vec::new());
    let claims = with(google_claims(), "iss", json!(iss));
    let err = keys.verify(&rs256(&claims), NOW).await.unwrap_err();
    assert!(
        matches!(&err, TokenError::IssuerKeysUnavailable { reason, .. } if reason.contains("evil")),
        "{err:?}"
    );
    assert_eq!(idp.hits("/certs"), 0);
}

#[tokio::test]
async fn unreachable_or_broken_key_sources_are_keys_unavailable() {
    let idp = Idp::start().await;
    idp.serve("/500", 500, "{}".into());
    idp.serve("/html", 200, "<html>".into());
    idp.serve(
        "/big",
        200,
        format!("{{\"keys\":[],\"x\":\"{}\"}}", "a".repeat(1 << 21)),
    );
    // A port nothing listens on: bind one, then free it.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let sources = [
        format!("{}/500", idp.base),
        format!("{}/html", idp.base),
        format!("{}/big", idp.base),
        format!("{}/missing", idp.base),
        format!("http://{closed}/keys"),
        "/nonexistent/jwks.json".to_string(),
    ];
    for source in sources {
        let keys = IssuerKeys::new(vec![(ISS.into(), source.clone())]);
        let err = keys
            .verify(&rs256(&google_claims()), NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(err, TokenError::IssuerKeysUnavailable { .. }),
            "{source}: {err:?}"
        );
        assert_eq!(err.aws_code(), "InvalidIdentityToken");
        // A failure is not retried at once: the second token gets the cached failure.
        let again = keys
            .verify(&rs256(&google_claims()), NOW)
            .await
            .unwrap_err();
        assert_eq!(again, err, "{source}");
    }
    assert_eq!(idp.hits("/500"), 1);
}

#[tokio::test]
async fn plain_http_issuers_elsewhere_are_not_discovered() {
    // Refused before any connection is attempted: no network is needed for this test.
    let keys = IssuerKeys::new(Vec::new());
    let claims = with(google_claims(), "iss", json!("http://idp.example"));
    let err = keys.verify(&rs256(&claims), NOW).await.unwrap_err();
    assert!(
        matches!(&err, TokenError::IssuerKeysUnavailable { reason, .. } if reason.contains("not an https issuer")),
        "{err:?}"
    );
}

#[tokio::test]
async fn concurrent_tokens_share_one_fetch() {
    let idp = Idp::start().await;
    idp.serve("/keys", 200, jwks().to_string());
    let keys = Arc::new(IssuerKeys::new(vec![(
        ISS.into(),
        format!("{}/keys", idp.base),
    )]));
    let counter = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (keys, counter) = (keys.clone(), counter.clone());
            tokio::spawn(async move {
                keys.verify(&rs256(&google_claims()), NOW).await.unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(counter.load(Ordering::SeqCst), 8);
    assert_eq!(idp.hits("/keys"), 1);
}
