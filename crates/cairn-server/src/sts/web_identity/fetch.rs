//! Reading JSON documents (OpenID discovery, JWKS) from a file or over HTTP(S), bounded: an
//! issuer is a third party, reached on behalf of unauthenticated callers, so every read has a
//! size cap and every request a deadline (AWS gives an IdP 5 seconds, too).

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The largest discovery document or JWKS read (real ones are a few KiB).
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// The whole request, connection to last byte.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_REDIRECTS: usize = 5;

/// An HTTP client built on first use (building it reads the system's root certificates, which a
/// server with only pinned key files never needs).
#[derive(Default)]
pub struct Http {
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl Http {
    fn client(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(FETCH_TIMEOUT)
                    .connect_timeout(FETCH_TIMEOUT)
                    .redirect(reqwest::redirect::Policy::custom(|attempt| {
                        if attempt.previous().len() >= MAX_REDIRECTS {
                            attempt.error("too many redirects")
                        } else if !acceptable_url(attempt.url().as_str()) {
                            attempt.error("redirected to plain http")
                        } else {
                            attempt.follow()
                        }
                    }))
                    .user_agent(concat!("cairn/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| format!("HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// GETs `url` and parses the body as JSON; any status but 200 is an error.
    pub async fn get_json(&self, url: &str) -> Result<serde_json::Value, String> {
        let client = self.client()?;
        let mut response = client
            .get(url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("GET {url}: HTTP {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: not JSON: {e}"))
    }
}

/// Reads a JSON file, refusing one above the size cap before reading it.
pub async fn read_json_file(path: &Path) -> Result<serde_json::Value, String> {
    let shown = path.display();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{shown}: {e}"))?;
    if meta.len() > MAX_DOCUMENT_BYTES as u64 {
        return Err(format!("{shown}: larger than {MAX_DOCUMENT_BYTES} bytes"));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("{shown}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: not JSON: {e}"))
}

/// Whether Cairn fetches from `url` on its own (discovery, `jwks_uri`, redirects): HTTPS, as
/// AWS requires of OIDC providers, or plain HTTP to this machine (local issuers, tests). A URL
/// pinned by the operator with `--oidc-jwks` is fetched whatever its scheme.
pub fn acceptable_url(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Userinfo (`user@host`) would let `http://localhost@example.com/` pass a prefix test.
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An error with its causes, since reqwest's top-level message alone ("error sending request")
/// does not say what went wrong.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::acceptable_url;

    #[test]
    fn only_https_or_loopback_http_is_fetched_unpinned() {
        for ok in [
            "https://accounts.google.com/.well-known/openid-configuration",
            "http://127.0.0.1:8080/jwks",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(acceptable_url(ok), "{ok}");
        }
        for refused in [
            "http://example.com/jwks",
            "http://localhost@example.com/",
            "http://127.0.0.1.example.com/",
            "file:///etc/passwd",
            "ftp://127.0.0.1/",
            "",
        ] {
            assert!(!acceptable_url(refused), "{refused}");
        }
    }
}
