//! Endpoints for operators under `/_cairn/`: `health/live`, `health/ready` and `metrics`.
//!
//! The prefix cannot shadow a bucket: bucket names cannot contain `_` (the console's
//! `/_console/` relies on the same rule), whereas a bare `/metrics` or `/health` would be
//! ListObjects of a bucket of that name. On a virtual-hosted-style request
//! (`BUCKET.DOMAIN/_cairn/...`) the path is an object key, so these answer only on the plain
//! endpoint. They need no signature, as probes and Prometheus scrapers carry none; they reveal
//! no names (metric labels are operation names, statuses and outcomes) — an operator who wants
//! them private filters `/_cairn/` at the proxy or firewall.

use crate::state::State;
use http::{HeaderValue, Method, Response, StatusCode};
use std::time::Duration;

const PREFIX: &str = "/_cairn/";

/// How long readiness waits for the metadata store.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the router should answer this request here.
pub fn is_operator_request(method: &Method, path: &str, vhost_bucket: bool) -> bool {
    !vhost_bucket && (method == Method::GET || method == Method::HEAD) && path.starts_with(PREFIX)
}

/// The operation name these requests are counted under.
pub fn operation(path: &str) -> &'static str {
    match &path[PREFIX.len().min(path.len())..] {
        "health/live" => "HealthLive",
        "health/ready" => "HealthReady",
        "metrics" => "Metrics",
        _ => "unknown",
    }
}

pub async fn handle(state: &State, path: &str) -> Response<s3s::Body> {
    match operation(path) {
        "HealthLive" => text(StatusCode::OK, "ok\n", "text/plain"),
        "HealthReady" => {
            // A trivial query: the store answers, within the bound.
            let probe = tokio::time::timeout(READY_TIMEOUT, state.meta.counter("iam")).await;
            match probe {
                Ok(Ok(_)) => text(StatusCode::OK, "ready\n", "text/plain"),
                Ok(Err(e)) => {
                    tracing::warn!(err = %e, "not ready: the metadata store fails");
                    text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "metadata store unavailable\n",
                        "text/plain",
                    )
                }
                Err(_) => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "metadata store not answering\n",
                    "text/plain",
                ),
            }
        }
        "Metrics" => text(
            StatusCode::OK,
            crate::metrics::render(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
        _ => text(StatusCode::NOT_FOUND, "not found\n", "text/plain"),
    }
}

fn text(
    status: StatusCode,
    body: impl Into<String>,
    content_type: &'static str,
) -> Response<s3s::Body> {
    let mut resp = Response::new(s3s::Body::from(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    resp.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    resp
}
