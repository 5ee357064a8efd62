//! Process metrics in Prometheus text format, served at `/_cairn/metrics` (see [`crate::operator`]).
//!
//! One process-wide registry: counters are bumped from wherever the event happens (the router,
//! the body wrappers of the listener, authorization, the error mapping) without threading a handle
//! through every call. Labels are bounded sets — operation names from s3s and the action catalog,
//! status codes, outcomes — never bucket names, keys or principals, so the output is safe to
//! expose and its size does not grow with use.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::LazyLock;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

type HistogramFamily = Family<OperationLabels, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    duration: HistogramFamily,
    bytes_in: Counter,
    bytes_out: Counter,
    authz: Family<OutcomeLabels, Counter>,
    errors: Family<KindLabels, Counter>,
    connections: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("cairn");
    let requests = Family::<RequestLabels, Counter>::default();
    let duration: HistogramFamily = Family::new_with_constructor(latency_histogram);
    let bytes_in = Counter::default();
    let bytes_out = Counter::default();
    let authz = Family::<OutcomeLabels, Counter>::default();
    let errors = Family::<KindLabels, Counter>::default();
    let connections = Gauge::default();
    registry.register(
        "requests",
        "Requests answered, by operation and HTTP status",
        requests.clone(),
    );
    registry.register(
        "request_duration_seconds",
        "Time from a request's arrival to its response headers, by operation",
        duration.clone(),
    );
    registry.register(
        "received_bytes",
        "Request body bytes read",
        bytes_in.clone(),
    );
    registry.register(
        "sent_bytes",
        "Response body bytes written",
        bytes_out.clone(),
    );
    registry.register(
        "authorization_decisions",
        "Authorization decisions by outcome (allow, explicit_deny, implicit_deny)",
        authz.clone(),
    );
    registry.register(
        "internal_errors",
        "Failures of the metadata store (kind=metadata) and of blob I/O (kind=disk)",
        errors.clone(),
    );
    registry.register(
        "open_connections",
        "Client connections being served",
        connections.clone(),
    );
    Metrics {
        registry,
        requests,
        duration,
        bytes_in,
        bytes_out,
        authz,
        errors,
        connections,
    }
});

/// One answered request.
pub fn request(operation: &'static str, status: u16, elapsed: std::time::Duration) {
    let m = &*METRICS;
    m.requests
        .get_or_create(&RequestLabels { operation, status })
        .inc();
    m.duration
        .get_or_create(&OperationLabels { operation })
        .observe(elapsed.as_secs_f64());
}

pub fn bytes_in(n: u64) {
    METRICS.bytes_in.inc_by(n);
}

pub fn bytes_out(n: u64) {
    METRICS.bytes_out.inc_by(n);
}

/// An authorization decision: `allow`, `explicit_deny` or `implicit_deny`.
pub fn authz(outcome: &'static str) {
    METRICS
        .authz
        .get_or_create(&OutcomeLabels { outcome })
        .inc();
}

/// A failure of the metadata backend.
pub fn metadata_error() {
    METRICS
        .errors
        .get_or_create(&KindLabels { kind: "metadata" })
        .inc();
}

/// A failure of blob I/O.
pub fn disk_error() {
    METRICS
        .errors
        .get_or_create(&KindLabels { kind: "disk" })
        .inc();
}

/// A connection opened (`+1`) or closed (`-1`).
pub fn connections(delta: i64) {
    METRICS.connections.inc_by(delta);
}

/// The exposition text.
pub fn render() -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &METRICS.registry);
    out
}
