//! `cairn-bench sse-overhead`: PUT and GET throughput of one large object (256 MiB by default)
//! stored plain and stored with SSE-S3, on one freshly started `cairn server
//! --no-default-encryption` (bucket `plain` has no configuration, bucket `sealed` has
//! PutBucketEncryption AES256). Payloads are sent unsigned and without SDK checksums so that the
//! numbers are the server's; each round alternates the two buckets; the best round counts.
//!
//! Usage: `cargo run --release -p cairn-bench -- sse-overhead [MIB] [ROUNDS]`
//!
//! `cairn-bench authz-overhead`: 4 KiB GETs as the account root (no policies to load) and as an
//! IAM user whose access comes from a 10-statement identity policy plus a bucket policy, against
//! one freshly started `cairn server`. Prints ops/s and latency percentiles, and the ratio.
//!
//! Usage: `cargo run --release -p cairn-bench -- authz-overhead [SECONDS] [CONCURRENCY]`
//! (uses `target/release/cairn`, or `CAIRN_BIN`).
//!
//! `cairn-bench nodes`: aggregate 4 KiB PUT and GET rates of 1..=N nodes sharing one PostgreSQL
//! database and one data dir (requests spread round-robin), beside one node on SQLite.
//!
//! Usage: `cargo run --release -p cairn-bench -- nodes [MAX_NODES] [SECONDS] [CONCURRENCY]`
//! (PostgreSQL from `CAIRN_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`).

mod nodes;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn s3(endpoint: &str, key: &str, secret: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(key, secret, None, None, "bench"))
        .build();
    Client::from_conf(conf)
}

/// Runs GETs of one key from `concurrency` tasks for `secs`; returns (ops/s, p50 µs, p99 µs).
async fn run(client: &Client, secs: u64, concurrency: usize) -> (f64, f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let out = c.get_object().bucket("bench").key("4k").send().await;
                    if let Ok(out) = out {
                        let _ = out.body.collect().await;
                        lat.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        all.get(((all.len() as f64) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (all.len() as f64 / secs as f64, pct(0.5), pct(0.99))
}

/// Starts `cairn server` in a fresh data dir with `extra` arguments; returns the process, the
/// data dir (removed on drop) and the endpoint.
fn start_server(
    extra: &[&str],
) -> anyhow::Result<(std::process::Child, tempfile::TempDir, String)> {
    let dir = tempfile::tempdir()?;
    let (child, endpoint) = start_server_in(dir.path(), extra)?;
    Ok((child, dir, endpoint))
}

/// Starts `cairn server` on `dir` (which may be shared with other nodes).
fn start_server_in(
    dir: &std::path::Path,
    extra: &[&str],
) -> anyhow::Result<(std::process::Child, String)> {
    let bin = std::env::var("CAIRN_BIN").unwrap_or_else(|_| "target/release/cairn".into());
    let mut child = Command::new(&bin)
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env("CAIRN_ROOT_ACCESS_KEY_ID", KEY)
        .env("CAIRN_ROOT_SECRET_ACCESS_KEY", SECRET)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(
        child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?,
    )
    .lines();
    let endpoint = loop {
        let line = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("server exited"))??;
        if let Some(rest) = line.strip_prefix("cairn listening on ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((child, endpoint))
}

/// One PUT and one GET of `body` as `bucket/big`; returns (PUT MiB/s, GET MiB/s).
async fn put_get(client: &Client, bucket: &str, body: &bytes::Bytes) -> anyhow::Result<(f64, f64)> {
    let mib = body.len() as f64 / f64::from(1u32 << 20);
    let t = Instant::now();
    client
        .put_object()
        .bucket(bucket)
        .key("big")
        .body(body.clone().into())
        .customize()
        .disable_payload_signing()
        .send()
        .await?;
    let put = mib / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut out = client.get_object().bucket(bucket).key("big").send().await?;
    let mut got = 0usize;
    while let Some(chunk) = out.body.try_next().await? {
        got += chunk.len();
    }
    let get = mib / t.elapsed().as_secs_f64();
    anyhow::ensure!(got == body.len(), "GET returned {got} bytes");
    Ok((put, get))
}

async fn sse_overhead(mib: usize, rounds: usize) -> anyhow::Result<()> {
    let (mut child, _dir, endpoint) = start_server(&["--no-default-encryption"])?;
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .force_path_style(true)
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired)
        .credentials_provider(Credentials::new(KEY, SECRET, None, None, "bench"))
        .build();
    let client = Client::from_conf(conf);
    client.create_bucket().bucket("plain").send().await?;
    client.create_bucket().bucket("sealed").send().await?;
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    client
        .put_bucket_encryption()
        .bucket("sealed")
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::Aes256)
                                .build()?,
                        )
                        .build(),
                )
                .build()?,
        )
        .send()
        .await?;
    // Pseudo-random bytes (xorshift), so nothing compresses or dedupes.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let body: Vec<u8> = (0..mib << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let body = bytes::Bytes::from(body);
    let (mut best_plain, mut best_sealed) = ((0.0f64, 0.0f64), (0.0f64, 0.0f64));
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            ["plain", "sealed"]
        } else {
            ["sealed", "plain"]
        };
        for bucket in order {
            let (put, get) = put_get(&client, bucket, &body).await?;
            println!("  round {round} {bucket:6}: PUT {put:7.1} MiB/s  GET {get:7.1} MiB/s");
            let best = if bucket == "plain" {
                &mut best_plain
            } else {
                &mut best_sealed
            };
            best.0 = best.0.max(put);
            best.1 = best.1.max(get);
        }
    }
    let head = client
        .head_object()
        .bucket("sealed")
        .key("big")
        .send()
        .await?;
    anyhow::ensure!(
        head.server_side_encryption() == Some(&ServerSideEncryption::Aes256),
        "the sealed object is not reported as AES256"
    );
    println!("{mib} MiB object, best of {rounds} rounds");
    println!(
        "  plain:   PUT {:7.1} MiB/s  GET {:7.1} MiB/s",
        best_plain.0, best_plain.1
    );
    println!(
        "  SSE-S3:  PUT {:7.1} MiB/s  GET {:7.1} MiB/s",
        best_sealed.0, best_sealed.1
    );
    println!(
        "  SSE-S3 cost: PUT {:.1}% slower, GET {:.1}% slower (ratio sealed/plain: PUT {:.3}, GET {:.3})",
        (1.0 - best_sealed.0 / best_plain.0) * 100.0,
        (1.0 - best_sealed.1 / best_plain.1) * 100.0,
        best_sealed.0 / best_plain.0,
        best_sealed.1 / best_plain.1,
    );
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

async fn authz_overhead(secs: u64, concurrency: usize) -> anyhow::Result<()> {
    let (mut child, _dir, endpoint) = start_server(&[])?;
    let root = s3(&endpoint, KEY, SECRET);
    root.create_bucket().bucket("bench").send().await?;
    root.put_object()
        .bucket("bench")
        .key("4k")
        .body(vec![7u8; 4096].into())
        .send()
        .await?;
    let iam_conf = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            KEY, SECRET, None, None, "bench",
        ))
        .build();
    let iam = aws_sdk_iam::Client::from_conf(iam_conf);
    let user = iam.create_user().user_name("bench").send().await?;
    let arn = user.user().map(|u| u.arn().to_string()).unwrap_or_default();
    let statements: Vec<String> = (0..9)
        .map(|i| format!(r#"{{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::other-{i}/*"}}"#))
        .chain(std::iter::once(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bench/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}"#.to_string(),
        ))
        .collect();
    iam.put_user_policy()
        .user_name("bench")
        .policy_name("ten")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ))
        .send()
        .await?;
    root.put_bucket_policy()
        .bucket("bench")
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::bench"}},{{"Effect":"Allow","Principal":{{"AWS":"{arn}"}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::bench"}}]}}"#
        ))
        .send()
        .await?;
    let key = iam.create_access_key().user_name("bench").send().await?;
    let key = key.access_key().ok_or_else(|| anyhow::anyhow!("no key"))?;
    let user = s3(&endpoint, key.access_key_id(), key.secret_access_key());
    user.get_object().bucket("bench").key("4k").send().await?;
    // Warm both paths, then measure.
    run(&root, 1, concurrency).await;
    let (root_ops, root_p50, root_p99) = run(&root, secs, concurrency).await;
    let (user_ops, user_p50, user_p99) = run(&user, secs, concurrency).await;
    println!("4 KiB GET, concurrency {concurrency}, {secs}s each");
    println!(
        "  root (no policies):                 {root_ops:8.0} ops/s  p50 {root_p50:7.0} µs  p99 {root_p99:7.0} µs"
    );
    println!(
        "  IAM user (10-stmt + bucket policy): {user_ops:8.0} ops/s  p50 {user_p50:7.0} µs  p99 {user_p99:7.0} µs"
    );
    println!(
        "  authorization cost: {:.1}% fewer ops/s",
        (1.0 - user_ops / root_ops) * 100.0
    );
    let _ = child.kill();
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sse-overhead") => {
            let mib = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(256);
            let rounds = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
            sse_overhead(mib, rounds).await
        }
        Some("authz-overhead") => {
            let secs = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
            let conc = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(8);
            authz_overhead(secs, conc).await
        }
        Some("nodes") => {
            let max = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
            let secs = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
            let conc = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(8);
            nodes::nodes(max, secs, conc).await
        }
        _ => {
            eprintln!(
                "usage: cairn-bench authz-overhead [SECONDS] [CONCURRENCY]\n       cairn-bench sse-overhead [MIB] [ROUNDS]\n       cairn-bench nodes [MAX_NODES] [SECONDS] [CONCURRENCY]"
            );
            std::process::exit(2);
        }
    }
}
