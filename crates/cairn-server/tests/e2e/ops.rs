//! Operations and security of the server process: TLS and `aws:SecureTransport`, the
//! `/_cairn/` health and metrics endpoints, request logs, the audit log, graceful shutdown, the
//! configuration file, and the listener's bounds (header timeout, connection limit).

use crate::harness::*;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::presigning::PresigningConfig;
use futures::StreamExt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A self-signed certificate for 127.0.0.1/localhost written to `dir`: (cert path, key path,
/// cert PEM).
fn self_signed(dir: &Path) -> (String, String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let cert = ck.cert.pem();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, &cert).unwrap();
    std::fs::write(&key_path, ck.signing_key.serialize_pem()).unwrap();
    (
        cert_path.display().to_string(),
        key_path.display().to_string(),
        cert,
    )
}

/// An S3 client that trusts `cert_pem` (and nothing else) over HTTPS.
fn tls_client(s: &Server, cert_pem: &str) -> aws_sdk_s3::Client {
    use aws_smithy_http_client::tls;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(
            tls::TlsContext::builder()
                .with_trust_store(tls::TrustStore::empty().with_pem_certificate(cert_pem))
                .build()
                .unwrap(),
        )
        .build_https();
    aws_sdk_s3::Client::from_conf(
        s.config_with(ROOT_KEY, ROOT_SECRET)
            .http_client(http)
            .build(),
    )
}

const REQUIRE_TLS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::secure","arn:aws:s3:::secure/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;

#[tokio::test]
async fn tls_serves_https_and_secure_transport_follows_the_connection() {
    // Two nodes on one namespace: one serving HTTPS, one plain HTTP.
    let (url, base, name) = fresh_postgres().await;
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key, pem) = self_signed(tmp.path());
    let data = tmp.path().join("data");
    let tls = Server::spawn_env(
        &data,
        None,
        &["--meta", &url, "--tls-cert", &cert, "--tls-key", &key],
        &[],
    );
    assert!(tls.endpoint.starts_with("https://"), "{}", tls.endpoint);
    let plain = Server::spawn_env(&data, None, &["--meta", &url], &[]);
    assert!(plain.endpoint.starts_with("http://"));

    let c = tls_client(&tls, &pem);
    c.create_bucket().bucket("secure").send().await.unwrap();
    let body = data_bytes(200_000);
    c.put_object()
        .bucket("secure")
        .key("k")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("secure")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body);

    // A client that does not trust the certificate is refused by its own TLS check; a
    // plain-HTTP client to the TLS port gets no HTTP answer.
    let untrusting = aws_sdk_s3::Client::from_conf(tls.config_with(ROOT_KEY, ROOT_SECRET).build());
    assert!(untrusting.list_buckets().send().await.is_err());
    let plain_to_tls = aws_sdk_s3::Client::from_conf(
        tls.config_with(ROOT_KEY, ROOT_SECRET)
            .endpoint_url(tls.endpoint.replace("https://", "http://"))
            .build(),
    );
    assert!(plain_to_tls.list_buckets().send().await.is_err());

    // The policy refuses what comes without TLS, and admits what comes with it.
    c.put_bucket_policy()
        .bucket("secure")
        .policy(REQUIRE_TLS)
        .send()
        .await
        .unwrap();
    let pc = plain.client();
    let err = pc
        .get_object()
        .bucket("secure")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let err = pc
        .put_object()
        .bucket("secure")
        .key("k2")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let got = c
        .get_object()
        .bucket("secure")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body);
    c.put_object()
        .bucket("secure")
        .key("k2")
        .body(b"over tls".to_vec().into())
        .send()
        .await
        .unwrap();

    // Plain HTTP/1.1 over TLS (reqwest trusting the certificate)…
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap()
        .get(format!("{}/_cairn/health/live", tls.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(https.status(), 200);
    // …and h2 offered through ALPN.
    let mut roots = rustls::RootCertStore::empty();
    use rustls_pki_types::pem::PemObject;
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = tokio::net::TcpStream::connect(tls.addr().trim_start_matches("https://"))
        .await
        .unwrap();
    let session = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(
            rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    assert_eq!(session.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    drop((tls, plain));
    drop_postgres(&base, &name).await;
}

fn data_bytes(n: usize) -> Vec<u8> {
    data(n, 42)
}

async fn get_text(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn health_and_metrics_answer_beside_a_bucket_named_metrics() {
    let (url, base, name) = fresh_postgres().await;
    let s = Server::start_with(&["--meta", &url]);
    let c = s.client();
    assert_eq!(
        get_text(&format!("{}/_cairn/health/live", s.endpoint)).await,
        (200, "ok\n".into())
    );
    assert_eq!(
        get_text(&format!("{}/_cairn/health/ready", s.endpoint))
            .await
            .0,
        200
    );

    // `GET /metrics` is ListObjects of bucket `metrics`, untouched by the endpoints.
    c.create_bucket().bucket("metrics").send().await.unwrap();
    c.create_bucket().bucket("health").send().await.unwrap();
    c.put_object()
        .bucket("metrics")
        .key("m")
        .body(vec![7u8; 1000].into())
        .send()
        .await
        .unwrap();
    let list = c.list_objects_v2().bucket("metrics").send().await.unwrap();
    assert_eq!(list.key_count(), Some(1));
    let got = c
        .get_object()
        .bucket("metrics")
        .key("m")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await.len(), 1000);
    let (user, _, _) = s.user("nobody").await;
    let err = user.list_buckets().send().await.unwrap_err();
    assert_eq!(code(&err), "AccessDenied");

    let (code_, text) = get_text(&format!("{}/_cairn/metrics", s.endpoint)).await;
    assert_eq!(code_, 200);
    let has = |needle: &str| {
        assert!(
            text.lines().any(|l| l.starts_with(needle)),
            "{needle} in\n{text}"
        )
    };
    has(r#"cairn_requests_total{operation="PutObject",status="200"} 1"#);
    has(r#"cairn_requests_total{operation="ListObjectsV2",status="200"} 1"#);
    has(r#"cairn_requests_total{operation="ListBuckets",status="403"} 1"#);
    has(r#"cairn_requests_total{operation="CreateUser",status="200"} 1"#);
    has(r#"cairn_requests_total{operation="HealthReady",status="200"} 1"#);
    has(r#"cairn_request_duration_seconds_count{operation="GetObject"} 1"#);
    has(r#"cairn_authorization_decisions_total{outcome="implicit_deny"} 1"#);
    has(r#"cairn_authorization_decisions_total{outcome="allow"}"#);
    has("cairn_open_connections ");
    let counter = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    assert!(counter("cairn_received_bytes_total") >= 1000);
    assert!(counter("cairn_sent_bytes_total") >= 1000);

    // Without its database the node is alive but not ready; metadata failures are counted.
    drop_postgres(&base, &name).await;
    assert_eq!(
        get_text(&format!("{}/_cairn/health/ready", s.endpoint))
            .await
            .0,
        503
    );
    assert_eq!(
        get_text(&format!("{}/_cairn/health/live", s.endpoint))
            .await
            .0,
        200
    );
    let err = c.head_bucket().bucket("metrics").send().await.unwrap_err();
    assert_eq!(status(&err), 503);
    let (_, text) = get_text(&format!("{}/_cairn/metrics", s.endpoint)).await;
    assert!(
        text.contains(r#"cairn_internal_errors_total{kind="metadata"}"#),
        "{text}"
    );
}

#[tokio::test]
async fn each_request_logs_one_json_line_with_its_request_id() {
    let (mut s, logs) = Server::start_logged(
        &["--log-format", "json"],
        &[("CAIRN_LOG", "warn,cairn::request=info")],
    );
    let c = s.client();
    let account = sts_with(&s, ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string();
    let out = c.create_bucket().bucket("logged").send().await.unwrap();
    let created = out.request_id().unwrap().to_string();
    let err = c
        .get_object()
        .bucket("logged")
        .key("missing")
        .send()
        .await
        .unwrap_err();
    let missing = err.request_id().unwrap().to_string();
    s.terminate();
    let lines = logs.lines();
    let find = |id: &str| -> serde_json::Value {
        let matching: Vec<serde_json::Value> = lines
            .iter()
            .filter_map(|x| serde_json::from_str::<serde_json::Value>(x).ok())
            .filter(|v| v["request_id"] == id)
            .collect();
        assert_eq!(matching.len(), 1, "one line for {id} in {lines:#?}");
        matching[0].clone()
    };
    let line = find(&created);
    assert_eq!(line["target"], "cairn::request");
    assert_eq!(line["method"], "PUT");
    assert_eq!(line["path"], "/logged/");
    assert_eq!(line["operation"], "CreateBucket");
    assert_eq!(line["status"], 200);
    assert!(line["duration_ms"].as_f64().is_some());
    assert_eq!(line["principal"], format!("arn:aws:iam::{account}:root"));
    let line = find(&missing);
    assert_eq!(line["operation"], "GetObject");
    assert_eq!(line["status"], 404);
    // No secret reaches the logs.
    assert!(!lines.iter().any(|x| x.contains(ROOT_SECRET)));
}

const DENY_SECRET: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::audited/secret/*"}]}"#;

#[tokio::test]
async fn the_audit_log_records_each_decision_and_its_statement() {
    let tmp = tempfile::tempdir().unwrap();
    let audit = tmp.path().join("audit.jsonl");
    let mut s = Server::start_with(&["--audit-log", audit.to_str().unwrap()]);
    let c = s.client();
    c.create_bucket().bucket("audited").send().await.unwrap();
    c.put_bucket_policy()
        .bucket("audited")
        .policy(DENY_SECRET)
        .send()
        .await
        .unwrap();
    for key in ["open/a", "secret/b"] {
        c.put_object()
            .bucket("audited")
            .key(key)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let iam = s.iam();
    let (user, _, user_arn) = s.user("reader").await;
    iam.put_user_policy()
        .user_name("reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadAll","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let allowed = user
        .get_object()
        .bucket("audited")
        .key("open/a")
        .send()
        .await
        .unwrap();
    let allowed_id = allowed.request_id().unwrap().to_string();
    let denied = user
        .get_object()
        .bucket("audited")
        .key("secret/b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDenied");
    let denied_id = denied.request_id().unwrap().to_string();
    let implicit = user.list_buckets().send().await.unwrap_err();
    let implicit_id = implicit.request_id().unwrap().to_string();
    let bad_key = s
        .client_with("AKIAUNKNOWNUNKNOWN00", "x")
        .list_buckets()
        .send()
        .await;
    assert_eq!(code(&bad_key.unwrap_err()), "InvalidAccessKeyId");
    // Lines are flushed as they come and at shutdown.
    s.terminate();

    let text = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let by_id = |id: &str| {
        lines
            .iter()
            .find(|l| l["request_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {text}"))
            .clone()
    };
    let a = by_id(&allowed_id);
    assert_eq!(a["principal"], user_arn.as_str());
    assert_eq!(a["operation"], "GetObject");
    assert_eq!(a["action"], "s3:GetObject");
    assert_eq!(a["resource"], "arn:aws:s3:::audited/open/a");
    assert_eq!(a["decision"], "Allow");
    assert_eq!(a["statements"][0]["sid"], "ReadAll");
    assert_eq!(a["statements"][0]["source"], "Identity");
    assert_eq!(a["source_ip"], "127.0.0.1");
    assert_eq!(a["status"], 200);
    assert!(a["time"].as_str().unwrap().ends_with('Z'));

    let d = by_id(&denied_id);
    assert_eq!(d["decision"], "ExplicitDeny");
    assert_eq!(d["resource"], "arn:aws:s3:::audited/secret/b");
    assert_eq!(d["statements"][0]["sid"], "NoSecrets");
    assert_eq!(d["statements"][0]["source"], "Resource");
    assert_eq!(d["status"], 403);

    let i = by_id(&implicit_id);
    assert_eq!(i["decision"], "ImplicitDeny");
    assert_eq!(i["action"], "s3:ListAllMyBuckets");
    assert_eq!(i["statements"], serde_json::json!([]));

    // The bucket owner's standing right to its policy, and a failed authentication.
    assert!(
        lines
            .iter()
            .any(|l| l["operation"] == "PutBucketPolicy" && l["decided_by"] == "bucket owner")
    );
    assert!(
        lines
            .iter()
            .any(|l| l["status"] == 403 && l["decision"].is_null() && l["principal"].is_null())
    );
    // Every request has its line.
    assert!(lines.len() >= 9, "{text}");
}

/// `data` as a request body sent in two halves, the second once `gate` opens.
fn gated_body(data: Vec<u8>, gate: tokio::sync::oneshot::Receiver<()>) -> reqwest::Body {
    let half = data.len() / 2;
    let first = data[..half].to_vec();
    let rest = data[half..].to_vec();
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(
        futures::stream::once(async move {
            let _ = gate.await;
            Ok::<_, std::io::Error>(rest)
        }),
    );
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test]
async fn sigterm_refuses_new_connections_and_finishes_uploads_in_flight() {
    let mut s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("drain").send().await.unwrap();
    let url = c
        .put_object()
        .bucket("drain")
        .key("slow")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let body = data(4 << 20, 9);
    let (open_gate, gate) = tokio::sync::oneshot::channel();
    let upload = tokio::spawn(
        reqwest::Client::new()
            .put(url.uri())
            .header("content-length", body.len().to_string())
            .body(gated_body(body.clone(), gate))
            .send(),
    );
    // The upload is under way (its first half is in).
    for _ in 0..100 {
        if blob_files(&s.dir) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(blob_files(&s.dir), 1);

    Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    // The listening socket closes: new connections are refused…
    let addr = s.addr().to_string();
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(&addr).is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "new connections are refused after SIGTERM");
    assert!(s.child.try_wait().unwrap().is_none(), "still draining");
    // …while the upload in flight completes.
    open_gate.send(()).unwrap();
    let resp = upload.await.unwrap().unwrap();
    assert_eq!(resp.status(), 200);
    let status = tokio::task::spawn_blocking(move || {
        let st = s.child.wait().unwrap();
        (st, s)
    })
    .await
    .unwrap();
    assert!(status.0.success(), "exit status {:?}", status.0);

    let s = status.1;
    let again = Server::start_in(&s.dir, None);
    let got = again
        .client()
        .get_object()
        .bucket("drain")
        .key("slow")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body);
}

#[tokio::test]
async fn the_grace_period_bounds_shutdown() {
    let mut s = Server::start_with(&["--shutdown-grace-secs", "1"]);
    let c = s.client();
    c.create_bucket().bucket("cut").send().await.unwrap();
    let url = c
        .put_object()
        .bucket("cut")
        .key("never")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let (_keep_gate_closed, gate) = tokio::sync::oneshot::channel::<()>();
    let upload = tokio::spawn(
        reqwest::Client::new()
            .put(url.uri())
            .header("content-length", (1u64 << 20).to_string())
            .body(gated_body(data(1 << 20, 1), gate))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut child = std::mem::replace(&mut s.child, Command::new("true").spawn().unwrap());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    // The stalled upload does not hold the process beyond the grace period.
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    if let Ok(Ok(resp)) = upload.await {
        assert_ne!(resp.status(), 200, "a cut upload is never acknowledged");
    }
}

#[tokio::test]
async fn a_config_file_configures_the_server_beneath_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cairn.toml");
    std::fs::write(
        &file,
        "region = \"eu-west-3\"\nmax-connections = 16\nlog-format = \"json\"\n",
    )
    .unwrap();
    let region_of = |s: Server| async move {
        let c = s.client();
        c.create_bucket().bucket("where").send().await.unwrap();
        c.get_bucket_location()
            .bucket("where")
            .send()
            .await
            .unwrap()
            .location_constraint()
            .map(|l| l.as_str().to_string())
    };
    let from_file = Server::start_with(&["--config", file.to_str().unwrap()]);
    assert_eq!(region_of(from_file).await.as_deref(), Some("eu-west-3"));
    let env_wins = Server::start_env(&[
        ("CAIRN_CONFIG", file.to_str().unwrap()),
        ("CAIRN_REGION", "ap-south-1"),
    ]);
    assert_eq!(region_of(env_wins).await.as_deref(), Some("ap-south-1"));
    // A file with an unknown setting stops the server with a message.
    std::fs::write(&file, "regoin = \"eu-west-3\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["server", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown setting `regoin`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads what the server sends on `stream` until it closes the connection or `limit` passes.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(got),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_client_slow_to_send_its_headers_is_cut_off() {
    let s = Server::start_with(&["--header-read-timeout-secs", "1"]);
    let mut slow = TcpStream::connect(s.addr()).unwrap();
    slow.write_all(b"GET /_cairn/health/live HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // The rest of the headers never come: the server closes the connection.
    let answer = read_until_closed(&mut slow, Duration::from_secs(20));
    let answer = answer.expect("the server closes the connection");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // A client that sends its headers in time is served.
    let mut prompt = TcpStream::connect(s.addr()).unwrap();
    prompt
        .write_all(b"GET /_cairn/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut prompt, Duration::from_secs(20)).unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn oversized_headers_are_refused() {
    let s = Server::start_with(&["--max-header-bytes", "8192"]);
    let mut big = TcpStream::connect(s.addr()).unwrap();
    let filler = "a".repeat(16 * 1024);
    big.write_all(
        format!("GET /_cairn/health/live HTTP/1.1\r\nHost: x\r\nx-filler: {filler}\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    let answer = read_until_closed(&mut big, Duration::from_secs(20)).unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

/// One keep-alive request on `stream`; the status line.
fn get_live(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /_cairn/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let s = Server::start_with(&["--max-connections", "2"]);
    let mut a = TcpStream::connect(s.addr()).unwrap();
    let mut b = TcpStream::connect(s.addr()).unwrap();
    assert_eq!(get_live(&mut a), "HTTP/1.1 200 OK");
    assert_eq!(get_live(&mut b), "HTTP/1.1 200 OK");
    // A third connection is not served while both slots are taken…
    let mut third = TcpStream::connect(s.addr()).unwrap();
    third
        .write_all(b"GET /_cairn/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let mut buf = [0u8; 1024];
    assert!(
        third.read(&mut buf).is_err(),
        "no answer while at the limit"
    );
    // …and is as soon as one closes.
    drop(a);
    third
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let n = third.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert_eq!(get_live(&mut b), "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn a_stalled_request_body_times_out() {
    let s = Server::start_with(&["--body-idle-timeout-secs", "1"]);
    let c = s.client();
    c.create_bucket().bucket("stall").send().await.unwrap();
    let url = c
        .put_object()
        .bucket("stall")
        .key("k")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let uri: http::Uri = url.uri().parse().unwrap();
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    stream
        .write_all(
            format!(
                "PUT {} HTTP/1.1\r\nHost: {}\r\nContent-Length: 1000\r\n\r\n0123456789",
                uri.path_and_query().unwrap(),
                s.addr()
            )
            .as_bytes(),
        )
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("RequestTimeout"), "{text}");
    let err = c
        .head_object()
        .bucket("stall")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404, "nothing was stored");
}
