//! The web console, served under `/_console/` (S3 bucket names cannot contain `_`, so no bucket
//! path is shadowed). It is a client of Cairn's own APIs: the page signs every S3, IAM, STS and
//! Access Analyzer request itself with SigV4 (`assets/js/sigv4.js`) using the signed-in
//! principal's credentials, so everything it does goes through the same authentication and
//! policy evaluation as any SDK call. The server side is only static assets (embedded in the
//! binary), `GET api/config` (region, clock) and the password sign-in ([`signin`]).

mod assets;
pub mod signin;
pub mod throttle;

use crate::state::State;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode};

/// Where the console is mounted.
pub const PREFIX: &str = "/_console";

/// Whether a request is for the console: a page or asset (`GET`/`HEAD` below the prefix) or the
/// sign-in (`POST`), on the bare endpoint (in a virtual-hosted bucket's host, `/_console/…` is an
/// object key). Anything else goes on to S3, which refuses `_console` as a bucket name.
pub fn is_console_request(method: &Method, path: &str, vhost_bucket: bool) -> bool {
    let below = path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'));
    !vhost_bucket
        && below
        && (matches!(*method, Method::GET | Method::HEAD)
            || (method == Method::POST && path == SIGN_IN))
}

const SIGN_IN: &str = "/_console/api/signin";

pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<s3s::Body> {
    let mut resp = Response::new(s3s::Body::from(value.to_string()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    resp
}

pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response<s3s::Body> {
    json(
        status,
        &serde_json::json!({ "code": code, "message": message }),
    )
}

/// Headers every console page and asset carries: its own scripts and styles only, no framing,
/// no sniffing, no referrer (presigned links must not leak through it).
fn harden(resp: &mut Response<s3s::Body>) {
    let h = resp.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// Answers one console request.
pub async fn handle(
    state: &State,
    parts: &Parts,
    body: Bytes,
    remote: Option<std::net::SocketAddr>,
) -> Response<s3s::Body> {
    let path = parts.uri.path();
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let mut resp = match (&parts.method, rest) {
        (&Method::GET | &Method::HEAD, "") => {
            let mut r = Response::new(s3s::Body::empty());
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            r.headers_mut().insert(
                http::header::LOCATION,
                HeaderValue::from_static("/_console/"),
            );
            r
        }
        (&Method::GET, "/api/config") => json(
            StatusCode::OK,
            &serde_json::json!({
                "region": state.region,
                "serverTime": crate::time::now_ms(),
            }),
        ),
        (&Method::POST, "/api/signin") => {
            let json_body = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            // A JSON content type cannot be sent cross-site without a CORS preflight, which
            // the console never grants.
            if json_body {
                signin::sign_in(state, &body, remote).await
            } else {
                json_error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "BadRequest",
                    "Content-Type must be application/json.",
                )
            }
        }
        (&Method::GET | &Method::HEAD, asset) => match assets::find(asset) {
            Some((content_type, bytes)) => {
                let mut r = Response::new(if parts.method == Method::HEAD {
                    s3s::Body::empty()
                } else {
                    s3s::Body::from(Bytes::from_static(bytes))
                });
                let h = r.headers_mut();
                h.insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type),
                );
                h.insert(
                    http::header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                );
                r
            }
            None => json_error(StatusCode::NOT_FOUND, "NotFound", "No such console page."),
        },
        _ => json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Method not allowed.",
        ),
    };
    harden(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_path_never_names_a_bucket() {
        let get = Method::GET;
        assert!(is_console_request(&get, "/_console", false));
        assert!(is_console_request(&get, "/_console/", false));
        assert!(is_console_request(&get, "/_console/js/app.js", false));
        assert!(is_console_request(
            &Method::POST,
            "/_console/api/signin",
            false
        ));
        assert!(!is_console_request(&Method::PUT, "/_console", false));
        assert!(!is_console_request(&Method::POST, "/_console/x", false));
        assert!(!is_console_request(&get, "/_consoles/x", false));
        assert!(!is_console_request(&get, "/console/", false));
        assert!(!is_console_request(&get, "/_console/", true));
    }
}
