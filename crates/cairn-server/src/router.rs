//! The front door: every HTTP request gets a request id, then goes to the Query API (IAM/STS),
//! to Access Analyzer's REST-JSON API (`POST /policy/validation`), to the web console
//! (`/_console/…`), or to S3 (s3s: SigV4/SigV2 authentication → [`crate::access`] authorization → handlers).

use crate::host::BaseDomain;
use crate::listener::RequestBody;
use crate::query;
use crate::s3::cors;
use crate::s3::logging;
use crate::signing_headers;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use s3s::host::S3Host;
use s3s::service::S3Service;
use std::convert::Infallible;
use std::sync::Arc;

/// Largest Query API body accepted (IAM policy documents are at most a few KiB).
const MAX_QUERY_BODY: usize = 1 << 20;

pub struct Router {
    pub state: crate::state::State,
    pub s3: S3Service,
    pub host: Option<BaseDomain>,
    /// `--audit-log`: one record per request.
    pub audit: Option<Arc<crate::audit::AuditLog>>,
}

/// Where a request came from.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub addr: std::net::SocketAddr,
    /// The connection is TLS (`aws:SecureTransport`).
    pub tls: bool,
}

impl Router {
    /// Answers one request, then counts it, logs its line (target `cairn::request`) and
    /// writes its audit record.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<RequestBody>,
        peer: Peer,
    ) -> Result<Response<s3s::Body>, Infallible> {
        let started = std::time::Instant::now();
        let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase()[..16].to_string();
        let method = req.method().clone();
        // The path only: a query string may carry a presigned URL's signature and token.
        let path = req.uri().path().to_string();
        let (resp, record) = crate::observe::scope(self.route(req, peer, &request_id)).await;
        let status = resp.status().as_u16();
        let operation = record.operation.unwrap_or("unknown");
        let elapsed = started.elapsed();
        crate::metrics::request(operation, status, elapsed);
        tracing::info!(
            target: "cairn::request",
            request_id = %request_id,
            method = %method,
            path = %path,
            operation,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            principal = record.principal.as_deref().unwrap_or("-"),
            remote = %peer.addr.ip(),
            "request"
        );
        if let Some(audit) = &self.audit {
            audit.record(&crate::audit::Line::new(
                &record,
                &request_id,
                peer.addr.ip(),
                status,
            ));
        }
        Ok(resp)
    }

    async fn route(
        &self,
        mut req: Request<RequestBody>,
        peer: Peer,
        request_id: &str,
    ) -> Response<s3s::Body> {
        let request_id = request_id.to_string();
        let remote = peer.addr;
        req.extensions_mut()
            .insert(crate::access::RemoteAddr(remote));
        req.extensions_mut()
            .insert(crate::access::SecureTransport(peer.tls));
        let host_bucket: Option<String> = match (
            &self.host,
            req.headers()
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok()),
        ) {
            (Some(d), Some(h)) => d
                .parse_host_header(h)
                .ok()
                .and_then(|v| v.bucket().map(str::to_owned)),
            _ => None,
        };
        let vhost_bucket = host_bucket.is_some();
        if crate::operator::is_operator_request(req.method(), req.uri().path(), vhost_bucket) {
            crate::observe::note_operation(crate::operator::operation(req.uri().path()));
            return crate::operator::handle(&self.state, req.uri().path()).await;
        }
        // The bucket a request addresses, for CORS.
        let bucket = host_bucket.or_else(|| {
            let first = req
                .uri()
                .path()
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            (!first.is_empty()).then(|| first.to_string())
        });
        if cors::is_preflight(req.method()) {
            let mut resp = cors::preflight(&self.state, bucket.as_deref(), req.headers()).await;
            if let Ok(v) = HeaderValue::from_str(&request_id) {
                resp.headers_mut().insert("x-amz-request-id", v);
            }
            return resp;
        }
        let origin = req
            .headers()
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let method = req.method().as_str().to_string();
        let log = logging::LogSlot::default();
        req.extensions_mut().insert(log.clone());
        let header = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let seen = Seen {
            started: std::time::Instant::now(),
            remote,
            request_uri: format!(
                "{} {} {:?}",
                req.method(),
                req.uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/"),
                req.version()
            ),
            referer: header("referer"),
            user_agent: header("user-agent"),
            host: header("host"),
        };
        sigv2_presigned_token_as_header(&mut req);
        self.state.sync_iam().await;
        let mut resp = if let Some(refused) = presign_limits(req.uri().query()) {
            with_request_id_in_error(refused, &request_id)
        } else if let Some(refused) = unknown_subresource(req.uri(), vhost_bucket) {
            with_request_id_in_error(refused, &request_id)
        } else if crate::console::is_console_request(req.method(), req.uri().path(), vhost_bucket) {
            let (parts, body) = req.into_parts();
            match small_body(body).await {
                Ok(body) => crate::console::handle(&self.state, &parts, body, Some(remote)).await,
                Err(too_large) => too_large,
            }
        } else if query::is_query_request(
            req.method(),
            req.uri().path(),
            req.uri().query(),
            req.headers(),
            vhost_bucket,
        ) {
            let (parts, body) = req.into_parts();
            match small_body(body).await {
                Ok(body) => {
                    query::handle(&self.state, parts, body, &request_id, Some(remote)).await
                }
                Err(_) => query::too_large(MAX_QUERY_BODY, &request_id),
            }
        } else if crate::analyzer::is_analyzer_request(
            req.method(),
            req.uri().path(),
            req.headers(),
            vhost_bucket,
        ) {
            crate::observe::note_operation("ValidatePolicy");
            let (parts, body) = req.into_parts();
            match small_body(body).await {
                Ok(body) => {
                    crate::analyzer::handle(&self.state, parts, body, &request_id, Some(remote))
                        .await
                }
                Err(too_large) => too_large,
            }
        } else if let Some(refused) =
            signing_headers::refusal(req.headers(), time::OffsetDateTime::now_utc())
        {
            with_request_id_in_error(refused, &request_id)
        } else if sigv2_bucket_request(&req) {
            self.call_sigv2_bucket(req, &request_id).await
        } else {
            signing_headers::amz_date_from_date(req.headers_mut());
            let attributes = is_object_attributes(&req);
            let req = match crate::s3::post_form::form_boundary(&req, vhost_bucket) {
                Some(boundary) => {
                    crate::s3::post_form::read_ahead(req, &boundary, bucket.as_deref()).await
                }
                None => Ok(req.map(s3s::Body::http_body)),
            };
            let called = match req {
                Ok(req) => self.s3.call(req).await,
                Err(refused) => Ok(refused
                    .to_http_response()
                    .unwrap_or_else(|_| plain_error(StatusCode::INTERNAL_SERVER_ERROR))),
            };
            match called {
                Ok(resp) if attributes => {
                    with_request_id_in_error(unquoted_etag(resp), &request_id)
                }
                Ok(resp) => with_request_id_in_error(resp, &request_id),
                Err(err) => {
                    tracing::error!(?err, "s3 service failed");
                    plain_error(StatusCode::INTERNAL_SERVER_ERROR)
                }
            }
        };
        self.log_access(&log, &seen, &resp, &request_id).await;
        if let (Some(origin), Some(bucket)) = (&origin, &bucket)
            && let Some(rules) = cors::load(&self.state, bucket).await
            && let Some(rule) = cors::find(&rules, origin, &method, &[])
        {
            cors::decorate(resp.headers_mut(), rule, origin, None);
        }
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-amz-request-id", v.clone());
            resp.headers_mut().insert("x-amz-id-2", v);
        }
        resp
    }
}

/// AWS caps presigned SigV4 URLs at 7 days; s3s does not check the cap, so it is checked here.
fn presign_limits(query: Option<&str>) -> Option<Response<s3s::Body>> {
    let expires = form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "X-Amz-Expires")?
        .1;
    let ok = expires.parse::<u64>().is_ok_and(|s| s <= 604_800);
    if ok {
        return None;
    }
    let mut err = s3s::S3Error::with_message(
        s3s::S3ErrorCode::Custom("AuthorizationQueryParametersError".into()),
        "X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds",
    );
    err.set_status_code(StatusCode::BAD_REQUEST);
    err.to_http_response().ok()
}

/// S3 sub-resources of operations newer than s3s's model, which s3s would read as the plain
/// request without them: `PUT /b/k?renameObject` as a PutObject of an empty object, `PUT
/// /b/k?encryption` (UpdateObjectEncryption) as a PutObject of the XML body, `GET /b?abac` as a
/// listing. Cairn implements none of them, so they get S3's 501 NotImplemented.
const UNKNOWN_BUCKET_SUBRESOURCES: &[&str] = &[
    "abac",
    "metadataConfiguration",
    "metadataTable",
    "metadataInventoryTable",
    "metadataJournalTable",
];
const UNKNOWN_OBJECT_SUBRESOURCES: &[&str] = &["renameObject", "encryption"];

fn unknown_subresource(uri: &http::Uri, vhost_bucket: bool) -> Option<Response<s3s::Body>> {
    let query = uri.query()?;
    let path = uri.path().trim_start_matches('/');
    let names_object = if vhost_bucket {
        !path.is_empty()
    } else {
        path.split_once('/').is_some_and(|(_, key)| !key.is_empty())
    };
    let unknown = if names_object {
        UNKNOWN_OBJECT_SUBRESOURCES
    } else {
        UNKNOWN_BUCKET_SUBRESOURCES
    };
    let name = form_urlencoded::parse(query.as_bytes())
        .map(|(k, _)| k)
        .find(|k| unknown.contains(&k.as_ref()))?;
    let err = s3s::S3Error::with_message(
        s3s::S3ErrorCode::NotImplemented,
        format!("The ?{name} sub-resource is not implemented"),
    );
    err.to_http_response().ok()
}

/// The whole body of a Query, Access Analyzer or console request (at most `MAX_QUERY_BODY`),
/// or the 413 to answer instead.
async fn small_body(body: RequestBody) -> Result<Bytes, Response<s3s::Body>> {
    Limited::new(body, MAX_QUERY_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|_| plain_error(StatusCode::PAYLOAD_TOO_LARGE))
}

/// A SigV2 presigned URL signs its session token as the `x-amz-security-token` header (it is an
/// amz header in the string to sign) but carries it as a query parameter; s3s reads amz headers
/// only, so the token is copied into a header before verification.
fn sigv2_presigned_token_as_header<B>(req: &mut Request<B>) {
    let Some(query) = req.uri().query() else {
        return;
    };
    if !query.contains("AWSAccessKeyId=") || req.headers().contains_key("x-amz-security-token") {
        return;
    }
    let token = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
        .and_then(|(_, v)| HeaderValue::from_str(&v).ok());
    if let Some(token) = token {
        req.headers_mut().insert("x-amz-security-token", token);
    }
}

/// A SigV2 header-signed request on a bucket (`/bucket`, no key) with a small body.
fn sigv2_bucket_request<B>(req: &Request<B>) -> bool {
    let v2 = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"AWS "));
    let path = req.uri().path();
    let small = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_none_or(|n| n <= MAX_QUERY_BODY);
    v2 && small && path.len() > 1 && !path[1..].contains('/')
}

impl Router {
    /// SigV2 clients disagree on a bucket's canonical resource: the spec's path-style form is
    /// `/bucket`, botocore signs `/bucket/` (the virtual-host form) while sending `/bucket`.
    /// AWS accepts both, so a mismatch is retried once with the trailing slash.
    async fn call_sigv2_bucket(
        &self,
        req: Request<RequestBody>,
        request_id: &str,
    ) -> Response<s3s::Body> {
        let (parts, body) = req.into_parts();
        let Ok(body) = Limited::new(body, MAX_QUERY_BODY)
            .collect()
            .await
            .map(|b| b.to_bytes())
        else {
            return plain_error(StatusCode::PAYLOAD_TOO_LARGE);
        };
        let build = |path_suffix: &str| {
            let mut p = parts.clone();
            let pq = format!(
                "{}{path_suffix}{}",
                parts.uri.path(),
                parts
                    .uri
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default()
            );
            let mut uri = parts.uri.clone().into_parts();
            uri.path_and_query = pq.parse().ok();
            if let Ok(u) = http::Uri::from_parts(uri) {
                p.uri = u;
            }
            Request::from_parts(p, s3s::Body::from(body.clone()))
        };
        let first = self.s3.call(build("")).await;
        let retry = matches!(&first, Ok(r) if r.status() == StatusCode::FORBIDDEN
            && r.body().bytes().is_some_and(|b| b.windows(21).any(|w| w == b"SignatureDoesNotMatch")));
        let result = if retry {
            self.s3.call(build("/")).await
        } else {
            first
        };
        match result {
            Ok(resp) => with_request_id_in_error(resp, request_id),
            Err(_) => plain_error(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

/// What the router notes about a request for its access log line.
struct Seen {
    started: std::time::Instant,
    remote: std::net::SocketAddr,
    request_uri: String,
    referer: Option<String>,
    user_agent: Option<String>,
    host: Option<String>,
}

impl Router {
    /// Queues the request's line when its bucket has server access logging on.
    async fn log_access(
        &self,
        slot: &logging::LogSlot,
        seen: &Seen,
        resp: &Response<s3s::Body>,
        request_id: &str,
    ) {
        let Some(info) = slot.lock().ok().and_then(|mut s| s.take()) else {
            return;
        };
        let Some(bucket) = info.bucket.clone() else {
            return;
        };
        if logging::config(&self.state, &bucket).await.is_none() {
            return;
        }
        let Ok(Some(b)) = self.state.meta.get_bucket(&bucket).await else {
            return;
        };
        let error_code = resp.body().bytes().and_then(|b| {
            let text = String::from_utf8_lossy(&b).to_string();
            let start = text.find("<Code>")? + 6;
            let end = text[start..].find("</Code>")? + start;
            Some(text[start..end].to_string())
        });
        let bytes_sent = resp
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok());
        let version = resp
            .headers()
            .get("x-amz-version-id")
            .and_then(|v| v.to_str().ok());
        let line = logging::format_line(
            &crate::s3::attrs::canonical_id(&b.account_id),
            &info,
            &seen.remote.ip().to_string(),
            request_id,
            &seen.request_uri,
            resp.status().as_u16(),
            error_code.as_deref(),
            bytes_sent,
            seen.started.elapsed().as_millis(),
            seen.referer.as_deref(),
            seen.user_agent.as_deref(),
            version,
            seen.host.as_deref(),
        );
        self.state.access_logs.push(&bucket, line);
    }
}

fn plain_error(status: StatusCode) -> Response<s3s::Body> {
    let mut resp = Response::new(s3s::Body::empty());
    *resp.status_mut() = status;
    resp
}

/// GetObjectAttributes: `GET /bucket/key?attributes`.
fn is_object_attributes<B>(req: &Request<B>) -> bool {
    req.method() == http::Method::GET
        && form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .any(|(k, _)| k == "attributes")
}

/// GetObjectAttributes is the one response where AWS writes the ETag without quotes (its API
/// reference shows `<ETag>string</ETag>`, and SDKs hand it over as is); s3s always quotes ETags.
fn unquoted_etag(resp: Response<s3s::Body>) -> Response<s3s::Body> {
    if !resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Some(bytes) = body.bytes() else {
        return Response::from_parts(parts, body);
    };
    let text = String::from_utf8_lossy(&bytes)
        .replacen("<ETag>\"", "<ETag>", 1)
        .replacen("\"</ETag>", "</ETag>", 1);
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, s3s::Body::from(text))
}

/// s3s writes AWS's `<Error>` body without a RequestId; AWS always includes one.
fn with_request_id_in_error(resp: Response<s3s::Body>, request_id: &str) -> Response<s3s::Body> {
    if resp.status().as_u16() < 400 {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Some(bytes) = body.bytes() else {
        return Response::from_parts(parts, body);
    };
    let text = String::from_utf8_lossy(&bytes);
    // s3s reports a failed POST-policy condition as 400 InvalidPolicyDocument; AWS answers 403.
    if parts.status == StatusCode::BAD_REQUEST
        && text.contains("<Code>InvalidPolicyDocument</Code>")
        && text.contains("Policy condition")
    {
        let mut parts = parts;
        parts.status = StatusCode::FORBIDDEN;
        parts.headers.remove(http::header::CONTENT_LENGTH);
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed</Message><RequestId>{request_id}</RequestId></Error>"
        );
        return Response::from_parts(parts, s3s::Body::from(body));
    }
    let patched = match text.rfind("</Error>") {
        Some(i) if !text.contains("<RequestId>") => {
            format!(
                "{}<RequestId>{request_id}</RequestId>{}",
                &text[..i],
                &text[i..]
            )
        }
        _ => return Response::from_parts(parts, s3s::Body::from(bytes)),
    };
    let mut parts = parts;
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, s3s::Body::from(Bytes::from(patched)))
}
